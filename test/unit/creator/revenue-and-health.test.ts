import { describe, expect, it } from 'vitest';
import {
  coinValueShareAttoFil,
  holderShareAttoFil,
  lastCompletedQuarter,
  parseQuarterId,
  quarterContaining,
} from '../../../layers/shared/src/core/creator/revenue.ts';
import {
  evaluateSyncHealth,
  type SyncHealthInput,
  successRateLevel,
} from '../../../layers/shared/src/core/creator/sync-health.ts';

const FIL = 10n ** 18n;

describe('revenue', () => {
  it('counts 10 % of the coin market cap: 1,000,000 coins at 0.002 FIL are 2,000 FIL, so 200 FIL', () => {
    expect(coinValueShareAttoFil(2n * 10n ** 15n, 1_000_000n * FIL)).toBe(200n * FIL);
  });

  it('owes coin holders 10 % of a quarter revenue, rounded down to the attoFIL', () => {
    expect(holderShareAttoFil(1_000n * FIL)).toBe(100n * FIL);
    expect(holderShareAttoFil(9n)).toBe(0n);
  });

  it('finds the quarter of an instant and the last completed one across a year boundary', () => {
    expect(quarterContaining(new Date('2026-11-25T13:00:00Z')).id).toBe('2026-Q4');
    expect(lastCompletedQuarter(new Date('2026-01-01T00:00:00Z'))).toEqual({
      id: '2025-Q4',
      start: new Date('2025-10-01T00:00:00Z'),
      end: new Date('2026-01-01T00:00:00Z'),
    });
    expect(parseQuarterId('2026-Q2')?.start).toEqual(new Date('2026-04-01T00:00:00Z'));
    expect(parseQuarterId('2026-Q5')).toBeUndefined();
  });
});

describe('sync health', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  const healthy: SyncHealthInput = {
    now,
    succeededCalls: 95,
    failedCalls: 5,
    failedCallsLastHour: 2,
    averageResponseMs: 1_500,
    lastSuccessfulRunAt: new Date('2026-11-25T11:00:00Z'),
    oldestDivergenceAt: undefined,
    divergedCreatorsOverLimit: 0,
  };

  it('warns under 90 % success and is critical under 70 %', () => {
    expect(successRateLevel(0.9)).toBe('ok');
    expect(successRateLevel(0.899)).toBe('warning');
    expect(successRateLevel(0.7)).toBe('warning');
    expect(successRateLevel(0.699)).toBe('critical');
    expect(successRateLevel(undefined)).toBe('ok');
  });

  it('is healthy with 95 % success, few failures and a recent run', () => {
    expect(evaluateSyncHealth(healthy).level).toBe('ok');
  });

  it('warns once calls take 30 s on average from enqueue to confirmation', () => {
    expect(evaluateSyncHealth({ ...healthy, averageResponseMs: 29_999 })).toMatchObject({
      slowResponses: false,
      level: 'ok',
    });
    expect(evaluateSyncHealth({ ...healthy, averageResponseMs: 30_000 })).toMatchObject({
      slowResponses: true,
      level: 'warning',
    });
    expect(evaluateSyncHealth({ ...healthy, averageResponseMs: undefined }).slowResponses).toBe(false);
  });

  it('raises the failed-transaction alarm at 10 failures in the last hour', () => {
    expect(evaluateSyncHealth({ ...healthy, failedCallsLastHour: 9 }).failedCallsAlarm).toBe(false);
    const health = evaluateSyncHealth({ ...healthy, failedCallsLastHour: 10 });
    expect(health.failedCallsAlarm).toBe(true);
    expect(health.level).toBe('warning');
  });

  it('is stale when no run succeeded for more than two hours, or never', () => {
    expect(
      evaluateSyncHealth({ ...healthy, lastSuccessfulRunAt: new Date('2026-11-25T10:00:00Z') }).stale,
    ).toBe(false);
    expect(
      evaluateSyncHealth({ ...healthy, lastSuccessfulRunAt: new Date('2026-11-25T09:59:59Z') }).stale,
    ).toBe(true);
    expect(evaluateSyncHealth({ ...healthy, lastSuccessfulRunAt: undefined }).level).toBe('critical');
  });

  it('is stale when on-chain values have differed from the database for more than two hours', () => {
    expect(
      evaluateSyncHealth({ ...healthy, oldestDivergenceAt: new Date('2026-11-25T10:30:00Z') }).stale,
    ).toBe(false);
    expect(
      evaluateSyncHealth({ ...healthy, oldestDivergenceAt: new Date('2026-11-25T09:30:00Z') }).stale,
    ).toBe(true);
  });
});
