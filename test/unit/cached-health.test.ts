import { describe, expect, it } from 'vitest';
import { CachedHealth, type HealthReport, publicHealth } from '../../layers/shared/src/services/health.ts';

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
