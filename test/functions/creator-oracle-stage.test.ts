import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../functions/platform.ts';
import { type AnvilHandle, startAnvil } from '../../local/anvil.ts';
import { runCreatorOracleStage } from '../../local/creator-oracle-stage.ts';
import { type SqsService, startSqs } from '../../local/services.ts';
import { creatorFunctionPlatform } from '../fixtures/creator-oracle.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';

describe('the creator oracle in a local cycle', () => {
  let t: TestDatabase;
  let anvil: AnvilHandle;
  let sqs: SqsService;
  let platform: Platform;

  beforeAll(async () => {
    [t, anvil, sqs] = await Promise.all([createTestDatabase(), startAnvil(), startSqs()]);
    platform = await creatorFunctionPlatform({ databaseUrl: t.url, anvil, sqs });
  });

  afterAll(async () => {
    await platform.close();
    await Promise.all([anvil.stop(), sqs.stop()]);
    await t.close();
  });

  it('seeds creators, pushes their metrics, records milestones and launches the coins', async () => {
    const summary = await runCreatorOracleStage({ evmRpcUrl: anvil.url, platform }, Date.now(), {
      creators: 60,
      seed: 4,
    });
    expect(summary.creators).toBe(60);
    expect(summary.metricsPushed).toBe(60);
    expect(summary.milestonesRecorded).toBeGreaterThan(20);
    expect(summary.coinsLaunched.map((c) => c.symbol)).toEqual(['HEADLINE', 'LAUNCHPA']);
    expect(summary.coinsLaunched.every((c) => c.coin?.startsWith('0x'))).toBe(true);
    expect(summary.onChainMatches.equal).toBe(summary.onChainMatches.checked);
    expect(summary.lastRunStatus).toBe('success');
  });
});
