import { describe, expect, it } from 'vitest';
import {
  changedSinceLastSent,
  coinRequestId,
  metricsRequestId,
  metricsSupersedeKey,
  type SentMetrics,
} from '../../../layers/shared/src/core/creator/sync-requests.ts';

const targets = {
  chainId: 314159,
  metricsManagerAddress: '0xAbCdEf0000000000000000000000000000000001',
  tokenFactoryAddress: '0xAbCdEf0000000000000000000000000000000002',
};
const creator = '0x00000000000000000000000000000000000000Aa';

describe('creator sync request ids', () => {
  it('name the chain, the contract, the creator, the metrics and the generation, case-insensitively', () => {
    const id = metricsRequestId(targets, creator, 'f00d', 2);
    expect(id).toBe(
      'creator-metrics:314159:0xabcdef0000000000000000000000000000000001:0x00000000000000000000000000000000000000aa:f00d:g2',
    );
    expect(metricsRequestId(targets, creator.toLowerCase(), 'f00d', 2)).toBe(id);
  });

  it('differ when only the generation differs, so a failed update goes out again under a new id', () => {
    expect(metricsRequestId(targets, creator, 'f00d', 0)).not.toBe(
      metricsRequestId(targets, creator, 'f00d', 1),
    );
  });

  it('share one supersede key per creator whatever the metrics', () => {
    const key = metricsSupersedeKey(targets, creator);
    expect(metricsRequestId(targets, creator, 'f00d', 0).startsWith(`${key}:`)).toBe(true);
    expect(metricsSupersedeKey(targets, '0x00000000000000000000000000000000000000bb')).not.toBe(key);
  });

  it('give each coin launch attempt its own id on the token factory', () => {
    expect(coinRequestId(targets, creator, 1)).toBe(
      'creator-coin:314159:0xabcdef0000000000000000000000000000000002:0x00000000000000000000000000000000000000aa:a1',
    );
    expect(coinRequestId(targets, creator, 2)).not.toBe(coinRequestId(targets, creator, 1));
  });
});

describe('creators whose metrics changed since last sent', () => {
  const metrics = [
    { creatorId: 'never-sent', fingerprint: 'a' },
    { creatorId: 'pending-same', fingerprint: 'b' },
    { creatorId: 'pending-other', fingerprint: 'c' },
    { creatorId: 'confirmed-same', fingerprint: 'd' },
    { creatorId: 'confirmed-other', fingerprint: 'e' },
    { creatorId: 'pending-wins', fingerprint: 'f' },
  ];
  const sent = new Map<string, SentMetrics>([
    ['pending-same', { pendingFingerprint: 'b', confirmedFingerprint: null, generation: 0 }],
    ['pending-other', { pendingFingerprint: 'x', confirmedFingerprint: 'c', generation: 0 }],
    ['confirmed-same', { pendingFingerprint: null, confirmedFingerprint: 'd', generation: 1 }],
    ['confirmed-other', { pendingFingerprint: null, confirmedFingerprint: 'x', generation: 0 }],
    ['pending-wins', { pendingFingerprint: 'x', confirmedFingerprint: 'f', generation: 0 }],
  ]);

  it('compare with the call in flight when there is one, else with what is confirmed', () => {
    expect(changedSinceLastSent(metrics, sent).map((m) => m.creatorId)).toEqual([
      'never-sent',
      'pending-other',
      'confirmed-other',
      'pending-wins',
    ]);
  });
});
