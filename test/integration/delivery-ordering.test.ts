import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueOracleCalls } from '../../layers/shared/src/services/delivery/enqueue-oracle-call.ts';
import { UPDATE_RAFFLE_PROBABILITY } from '../../layers/shared/src/services/delivery/fpmm-oracle-calls.ts';
import { type DeliveryHarness, startDeliveryHarness } from '../fixtures/delivery.ts';

const player = (i: number) => `0x${(i + 1).toString(16).padStart(40, '0')}`;

describe('oracle call delivery from one signer', () => {
  let h: DeliveryHarness;
  beforeAll(async () => {
    h = await startDeliveryHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('sends 200 calls enqueued at once with consecutive nonces, no gap, each succeeding once', async () => {
    const startNonce = await h.anvil.provider().getTransactionCount(h.signer.address, 'latest');
    const requests = Array.from({ length: 200 }, (_, i) => ({
      requestId: `raffle-${i}`,
      contractAddress: h.fpmmAddress,
      functionSignature: UPDATE_RAFFLE_PROBABILITY,
      args: [1, player(i), i],
      seasonId: 1,
      playerAddress: player(i),
    }));
    const enqueued = await enqueueOracleCalls(h.enqueueDeps, requests);
    expect(enqueued.every((e) => e.created)).toBe(true);

    await h.drain();
    await h.settle();

    const calls = await h.db.sql<{ status: string; attempt_count: number; n: number }[]>`
      select status, attempt_count, count(*)::int as n from delivery.oracle_call_history group by 1, 2`;
    expect(calls).toEqual([{ status: 'success', attempt_count: 1, n: 200 }]);
    const attempts = await h.db.sql<{ nonce: bigint; outcome: string; replacements: number }[]>`
      select nonce, outcome, replacements from delivery.oracle_tx_attempts order by nonce`;
    expect(attempts.map((a) => Number(a.nonce))).toEqual(
      Array.from({ length: 200 }, (_, i) => startNonce + i),
    );
    expect(new Set(attempts.map((a) => a.outcome))).toEqual(new Set(['mined']));
    expect(await h.anvil.provider().getTransactionCount(h.signer.address, 'latest')).toBe(startNonce + 200);
    for (const i of [0, 99, 199]) {
      expect(await h.fpmm.getFunction('raffleProbabilityBps')(1, player(i))).toBe(BigInt(i));
    }
  });

  it('sends one transaction when the same request is enqueued and delivered twice', async () => {
    const request = {
      requestId: 'duplicate-request',
      contractAddress: h.fpmmAddress,
      functionSignature: UPDATE_RAFFLE_PROBABILITY,
      args: [2, player(1), 42],
    };
    const [first] = await enqueueOracleCalls(h.enqueueDeps, [request]);
    const [second] = await enqueueOracleCalls(h.enqueueDeps, [request]);
    expect(second?.created).toBe(false);
    expect(second?.call.id).toBe(first?.call.id);
    // The queue delivers the same message again (at-least-once), after the first was processed.
    await h.queue.send({
      body: { callId: first?.call.id, requestId: 'duplicate-request', generation: 1 },
      groupId: 'x',
      deduplicationId: 'again',
    });
    const sentBefore = h.chain.sentRaw.length;
    expect(await h.drain()).toBe(2);
    await h.settle();
    expect(h.chain.sentRaw.length - sentBefore).toBe(1);
    const attempts = await h.db
      .sql`select * from delivery.oracle_tx_attempts where call_id = ${first?.call.id ?? 0}`;
    expect(attempts).toHaveLength(1);
  });
});
