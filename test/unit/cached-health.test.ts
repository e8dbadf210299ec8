import { describe, expect, it } from 'vitest';
import {
  CachedHealth,
  ContainerProbe,
  type HealthReport,
  publicHealth,
} from '../../layers/shared/src/services/platform/health.ts';

const report = (up: boolean): HealthReport => ({
  status: up ? 'ok' : 'degraded',
  dependencies: {
    evm: up ? { up, latencyMs: 3 } : { up, latencyMs: 3000, error: 'connect ECONNREFUSED 10.0.0.7:8545' },
  },
});

describe('cached health', () => {
  it('probes once per window, shares a probe in flight, and probes again once the window passed', async () => {
    let t = 0;
    let probes = 0;
    const cache = new CachedHealth(
      async () => {
        probes++;
        return report(true);
      },
      5_000,
      () => t,
    );
    await Promise.all([cache.report(), cache.report(), cache.report()]);
    t = 4_999;
    await cache.report();
    expect(probes).toBe(1);
    t = 5_000;
    await cache.report();
    expect(probes).toBe(2);
  });

  it('does not keep a probe that threw', async () => {
    let calls = 0;
    const cache = new CachedHealth(
      async () => {
        calls++;
        if (calls === 1) throw new Error('checks could not be built');
        return report(true);
      },
      5_000,
      () => 0,
    );
    await expect(cache.report()).rejects.toThrow('checks could not be built');
    await expect(cache.report()).resolves.toMatchObject({ status: 'ok' });
  });

  it('tells the public up or down only', () => {
    expect(publicHealth(report(false))).toEqual({ status: 'degraded', dependencies: { evm: { up: false } } });
  });
});

describe('a container probe', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('gives a first connection the cold budget, then holds a connected dependency to the warm one', async () => {
    // The first call connects (slow); every later one is a connected query that has become slow too.
    const probe = new ContainerProbe(() => [{ name: 'database', check: () => sleep(150) }], {
      coldMs: 1_000,
      warmMs: 50,
    });

    const cold = await probe.report();
    const warm = await probe.report();

    expect(cold.status).toBe('ok');
    expect(cold.dependencies['database']?.up).toBe(true);
    expect(warm.status).toBe('degraded');
    expect(warm.dependencies['database']).toMatchObject({ up: false, error: 'no answer within 50 ms' });
  });

  it('keeps the cold budget for a dependency that never came up, and reports it down past that', async () => {
    let calls = 0;
    const probe = new ContainerProbe(
      () => [
        { name: 'database', check: () => sleep(calls++ === 0 ? 400 : 150) },
        { name: 'queues', check: async () => {} },
      ],
      { coldMs: 300, warmMs: 50 },
    );

    const first = await probe.report();
    const second = await probe.report();

    expect(first.dependencies['database']).toMatchObject({ up: false, error: 'no answer within 300 ms' });
    expect(first.dependencies['queues']?.up).toBe(true);
    expect(second.dependencies['database']?.up).toBe(true);
  });
});
