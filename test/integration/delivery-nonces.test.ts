import { Transaction } from 'ethers';
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../layers/shared/src/errors.ts';
import { enqueueOracleCall } from '../../layers/shared/src/services/delivery/enqueue-oracle-call.ts';
import { UPDATE_RAFFLE_PROBABILITY } from '../../layers/shared/src/services/delivery/fpmm-oracle-calls.ts';
import { retryOracleCall } from '../../layers/shared/src/services/delivery/operator-calls.ts';
import { type DeliveryHarness, deadLetters, gasError, startDeliveryHarness } from '../fixtures/delivery.ts';

const PLAYER = '0x00000000000000000000000000000000000000bb';

describe('nonces held by oracle calls', () => {
  let h: DeliveryHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const raffle = (harness: DeliveryHarness, requestId: string, value: number, supersedeKey?: string) =>
    enqueueOracleCall(harness.enqueueDeps, {
      requestId,
      contractAddress: harness.fpmmAddress,
      functionSignature: UPDATE_RAFFLE_PROBABILITY,
      args: [1, PLAYER, value],
      ...(supersedeKey === undefined ? {} : { supersedeKey }),
    });
  const callRow = async (harness: DeliveryHarness, id: number) => {
    const [row] = await harness.db.sql`select * from delivery.oracle_call_history where id = ${id}`;
    return row as Record<string, unknown>;
  };
  const attemptsOf = (harness: DeliveryHarness, id: number) =>
    harness.db.sql<
      { nonce: bigint; outcome: string; tx_hashes: string; mined_hash: string | null; replacements: number }[]
    >`
      select nonce, outcome, tx_hashes, mined_hash, replacements from delivery.oracle_tx_attempts where call_id = ${id} order by id`;
  const mine = (harness: DeliveryHarness) => harness.anvil.provider().send('evm_mine', []);

  it('replaces a transaction stuck at its nonce with higher fees and completes the call once', async () => {
    h = await startDeliveryHarness({ anvil: { automine: false } });
    const { call } = await raffle(h, 'stuck', 70);
    await h.drain();
    const [first] = await attemptsOf(h, call.id);
    const original = Transaction.from(h.chain.sentRaw.at(-1));

    h.advance(61_000);
    expect((await h.confirm()).replaced).toBe(1);
    const replacement = Transaction.from(h.chain.sentRaw.at(-1));
    expect(replacement.nonce).toBe(original.nonce);
    expect(replacement.maxFeePerGas).toBeGreaterThanOrEqual(((original.maxFeePerGas ?? 0n) * 120n) / 100n);
    expect(replacement.maxPriorityFeePerGas).toBeGreaterThanOrEqual(
      ((original.maxPriorityFeePerGas ?? 0n) * 120n) / 100n,
    );

    await mine(h);
    await h.confirm();
    const row = await callRow(h, call.id);
    expect(row['status']).toBe('success');
    expect(row['transaction_hash']).toBe(replacement.hash);
    const [attempt] = await attemptsOf(h, call.id);
    expect(Number(attempt?.nonce)).toBe(Number(first?.nonce));
    expect(attempt?.outcome).toBe('mined');
    expect(await h.anvil.provider().getTransactionCount(h.signer.address, 'latest')).toBe(original.nonce + 1);
    expect(await h.fpmm.getFunction('raffleProbabilityBps')(1, PLAYER)).toBe(70n);
  });

  it('fills the nonce of a call that failed for good, so the calls behind it complete', async () => {
    h = await startDeliveryHarness();
    const harness = h;
    const { call: doomed } = await raffle(h, 'doomed', 1);
    h.chain.failSend = (raw) => (Transaction.from(raw).data === doomed.callData ? gasError() : undefined);
    const { call: second } = await raffle(h, 'second', 2);
    const { call: third } = await raffle(h, 'third', 3);
    await h.drain();
    expect((await callRow(h, second.id))['status']).toBe('pending');
    await h.settle();

    const row = await callRow(h, doomed.id);
    expect(row['status']).toBe('failed');
    expect(row['attempt_count']).toBe(6);
    const [attempt] = await attemptsOf(h, doomed.id);
    expect(attempt?.outcome).toBe('filled');
    const minedTx = await h.anvil.provider().getTransaction(attempt?.mined_hash ?? '');
    expect(minedTx?.to).toBe(h.signer.address);
    expect(minedTx?.value).toBe(0n);
    for (const id of [second.id, third.id]) expect((await callRow(harness, id))['status']).toBe('success');
    expect(await h.fpmm.getFunction('raffleProbabilityBps')(1, PLAYER)).toBe(3n);
    expect(await deadLetters(h.queue)).toContainEqual(expect.objectContaining({ callId: doomed.id }));
  });

  it('ends a call success when its own transaction is mined at its nonce, and refuses a retry until then', async () => {
    h = await startDeliveryHarness({ anvil: { automine: false } });
    const { call } = await raffle(h, 'late-but-mined', 55);
    await h.drain();
    const original = Transaction.from(h.chain.sentRaw.at(-1));
    // From now on nothing reaches the node at this nonce: replacements and the fill all fail.
    h.chain.failSend = (raw) => (Transaction.from(raw).nonce === original.nonce ? gasError() : undefined);
    for (let round = 0; round < 12; round++) {
      h.advance(61_000);
      await h.confirm();
    }
    const stuck = await callRow(h, call.id);
    expect(stuck['status']).toBe('pending');
    expect(stuck['attempt_count']).toBe(6);
    await expect(retryOracleCall(h.deps, call.id, 'oncall')).rejects.toBeInstanceOf(ConflictError);

    await mine(h);
    await h.confirm();
    const row = await callRow(h, call.id);
    expect(row['status']).toBe('success');
    expect(row['transaction_hash']).toBe(original.hash);
    expect(await deadLetters(h.queue)).toEqual([]);
  });

  it('drops an older call with a supersede key once a newer one with the same key succeeded', async () => {
    h = await startDeliveryHarness();
    const { call: older } = await raffle(h, 'older', 10, 'player-bb');
    h.chain.failEstimate = (request) => (request.data === older.callData ? gasError() : undefined);
    await h.drain();
    expect((await callRow(h, older.id))['status']).toBe('retrying');
    h.chain.failEstimate = undefined;

    const { call: newer } = await raffle(h, 'newer', 20, 'player-bb');
    await h.drain();
    await h.settle();
    expect((await callRow(h, newer.id))['status']).toBe('success');
    expect((await callRow(h, older.id))['status']).toBe('superseded');
    expect(await attemptsOf(h, older.id)).toHaveLength(0);
    expect(await h.fpmm.getFunction('raffleProbabilityBps')(1, PLAYER)).toBe(20n);
  });

  it('fails a call whose transaction reverted when mined, with the reason replayed from the chain', async () => {
    h = await startDeliveryHarness({ anvil: { automine: false } });
    const { call } = await enqueueOracleCall(h.enqueueDeps, {
      requestId: 'reverts-on-chain',
      contractAddress: h.fpmmAddress,
      functionSignature: UPDATE_RAFFLE_PROBABILITY,
      args: [5, PLAYER, 1],
    });
    await h.drain();
    // The owner closes the season ahead of it in the same block (higher tip, mined first).
    const close = await h.fpmm.getFunction('closeSeason')(5, {
      maxPriorityFeePerGas: 50_000_000_000n,
      maxFeePerGas: 100_000_000_000n,
    });
    await mine(h);
    await close.wait();
    await h.confirm();
    const row = await callRow(h, call.id);
    expect(row).toMatchObject({
      status: 'failed',
      error_code: 'execution',
      error_message: 'FPMM: season closed',
      attempt_count: 1,
    });
    const [attempt] = await attemptsOf(h, call.id);
    expect(attempt?.outcome).toBe('reverted');
    expect(await deadLetters(h.queue)).toContainEqual(expect.objectContaining({ callId: call.id }));
  });
});
