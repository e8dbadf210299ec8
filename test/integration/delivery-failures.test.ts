import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueOracleCall } from '../../layers/shared/src/services/delivery/enqueue-oracle-call.ts';
import { UPDATE_RAFFLE_PROBABILITY } from '../../layers/shared/src/services/delivery/fpmm-oracle-calls.ts';
import { ANVIL_DEV_ACCOUNTS } from '../../local/anvil.ts';
import { type DeliveryHarness, deadLetters, startDeliveryHarness } from '../fixtures/delivery.ts';

const PLAYER = '0x00000000000000000000000000000000000000aa';
const CLOSED_SEASON = 9;

describe('oracle call failures', () => {
  let h: DeliveryHarness;
  let serial = 0;
  const raffle = (
    season: number,
    value: number,
    extra: { targetAddress?: string; requestId?: string } = {},
  ) =>
    enqueueOracleCall(h.enqueueDeps, {
      requestId: extra.requestId ?? `req-${serial++}`,
      contractAddress: h.fpmmAddress,
      functionSignature: UPDATE_RAFFLE_PROBABILITY,
      args: [season, PLAYER, value],
      ...(extra.targetAddress === undefined ? {} : { targetAddress: extra.targetAddress }),
    });
  const callRow = async (id: number) => {
    const [row] = await h.db.sql`select * from delivery.oracle_call_history where id = ${id}`;
    return row as Record<string, unknown>;
  };

  beforeAll(async () => {
    h = await startDeliveryHarness();
    await (await h.fpmm.getFunction('closeSeason')(CLOSED_SEASON)).wait();
  });
  afterAll(async () => {
    await h.close();
  });

  it('fails a reverting call at once with its decoded reason, no retry, and puts it on the DLQ', async () => {
    const { call } = await raffle(CLOSED_SEASON, 5);
    await h.drain();
    h.advance(60_000);
    await h.confirm();
    const row = await callRow(call.id);
    expect(row['status']).toBe('failed');
    expect(row['error_code']).toBe('execution');
    expect(row['error_message']).toBe('FPMM: season closed');
    expect(row['attempt_count']).toBe(1);
    expect(await h.db.sql`select 1 from delivery.oracle_tx_attempts where call_id = ${call.id}`).toHaveLength(
      0,
    );
    expect(await deadLetters(h.queue)).toContainEqual(
      expect.objectContaining({ callId: call.id, reason: 'FPMM: season closed' }),
    );
  });

  it('alerts at the third consecutive failed attempt, stays silent within the cooldown, and resets on success', async () => {
    const target = '0x00000000000000000000000000000000000000f1';
    const failOnce = async () => {
      await raffle(CLOSED_SEASON, 1, { targetAddress: target });
      await h.drain();
    };
    const alerts = async () =>
      (await h.db.sql`select * from delivery.admin_alerts where target_address = ${target}`).length;

    await failOnce();
    await failOnce();
    expect(await h.deps.alerts.getFailureCount(target)).toBe(2);
    expect(await alerts()).toBe(0);
    await failOnce();
    expect(await alerts()).toBe(1);
    expect(h.sink.published.at(-1)?.targetAddress).toBe(target);

    h.advance(4 * 60_000);
    await failOnce();
    expect(await h.deps.alerts.getFailureCount(target)).toBe(4);
    expect(await alerts()).toBe(1);

    h.advance(60_000);
    await failOnce();
    expect(await alerts()).toBe(2);
    expect((await h.deps.alerts.getActiveFailures()).map((f) => f.targetAddress)).toContain(target);

    await raffle(1, 7, { targetAddress: target });
    await h.drain();
    await h.settle();
    expect(await h.deps.alerts.getFailureCount(target)).toBe(0);

    // Count and cooldown both start over: three more failures alert at once, one minute after the last alert.
    await failOnce();
    await failOnce();
    expect(await alerts()).toBe(2);
    await failOnce();
    expect(await alerts()).toBe(3);
  });

  it('reconciles a nonce used by another sender with the same key and completes the call', async () => {
    const { call: warmup } = await raffle(1, 11);
    await h.drain();
    await h.settle();
    expect((await callRow(warmup.id))['status']).toBe('success');

    const outsider = new Wallet(ANVIL_DEV_ACCOUNTS[0].privateKey, h.anvil.provider());
    await (await outsider.sendTransaction({ to: outsider.address, value: 1n })).wait();

    const { call } = await raffle(1, 12);
    await h.drain();
    await h.settle();
    const row = await callRow(call.id);
    expect(row['status']).toBe('success');
    const attempts = await h.db.sql<{ outcome: string; nonce: bigint }[]>`
      select outcome, nonce from delivery.oracle_tx_attempts where call_id = ${call.id} order by id`;
    expect(attempts.map((a) => a.outcome)).toEqual(['lost', 'mined']);
    const chainNonce = await h.anvil.provider().getTransactionCount(outsider.address, 'latest');
    expect(Number(attempts[1]?.nonce)).toBe(chainNonce - 1);
    const [state] = await h.db.sql<{ next_nonce: bigint }[]>`select next_nonce from delivery.signer_nonces`;
    expect(Number(state?.next_nonce)).toBe(chainNonce);
  });

  it('takes a used nonce for lost only after three passes without a receipt and the chain depth in blocks', async () => {
    const { call: warmup } = await raffle(1, 21);
    await h.drain();
    await h.settle();
    const outsider = new Wallet(ANVIL_DEV_ACCOUNTS[0].privateKey, h.anvil.provider());
    await (await outsider.sendTransaction({ to: outsider.address, value: 1n })).wait();
    const { call } = await raffle(1, 22);
    await h.drain();
    expect((await callRow(call.id))['status']).toBe('pending');
    const absence = async () =>
      (
        await h.db.sql<{ outcome: string; missing_passes: number; missing_since_block: bigint | null }[]>`
          select outcome, missing_passes, missing_since_block from delivery.oracle_tx_attempts
          where call_id = ${call.id} order by id limit 1`
      )[0];
    const head = await h.anvil.provider().getBlockNumber();

    const reports = [];
    for (let pass = 0; pass < 4; pass++) {
      reports.push(await h.confirm());
      h.advance(61_000);
    }
    // Four passes, no new block: anvil's depth (2 blocks) is not reached.
    expect(reports.map((r) => [r.missing, r.lost])).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
      [1, 0],
    ]);
    expect(await absence()).toEqual({
      outcome: 'pending',
      missing_passes: 4,
      missing_since_block: BigInt(head),
    });

    await h.mine(2);
    expect(await h.confirm()).toMatchObject({ missing: 0, lost: 1 });
    expect((await absence())?.outcome).toBe('lost');
    await h.settle();
    expect((await callRow(call.id))['status']).toBe('success');
    expect((await callRow(warmup.id))['status']).toBe('success');
  });

  it('opens the breaker while the RPC is down and completes every call once it is back', async () => {
    await h.proxy.down();
    const calls = [];
    for (let i = 0; i < 15; i++) calls.push((await raffle(2, 100 + i)).call);
    await h.drain({ visibilityTimeoutSeconds: 1 });
    expect(h.deps.breakers.state(h.deps.chain.endpoint).phase).toBe('open');
    expect((await h.confirm()).skipped).toBe(true);
    const counted = await h.db.sql<{ attempts: number }[]>`
      select sum(attempt_count)::int as attempts from delivery.oracle_call_history
      where id = any(${calls.map((c) => c.id)}::bigint[])`;
    // Only the calls tried before the breaker opened count an attempt; receives while open do not.
    expect(counted[0]?.attempts).toBeLessThanOrEqual(10);

    await h.proxy.up();
    h.advance(31_000);
    await h.confirm();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await h.drain();
    await h.settle();
    const statuses = await h.db.sql<{ status: string; n: number }[]>`
      select status, count(*)::int as n from delivery.oracle_call_history
      where id = any(${calls.map((c) => c.id)}::bigint[]) group by status`;
    expect(statuses).toEqual([{ status: 'success', n: 15 }]);
    expect(await h.fpmm.getFunction('raffleProbabilityBps')(2, PLAYER)).toBeGreaterThanOrEqual(100n);
  });

  it('sends a call once when the node took its transaction but the answer was lost', async () => {
    const { call } = await raffle(1, 33);
    h.chain.loseAnswer = () => true;
    const sentBefore = h.chain.sentRaw.length;
    await h.drain();
    h.chain.loseAnswer = undefined;
    expect((await callRow(call.id))['status']).toBe('retrying');
    await h.settle();
    const row = await callRow(call.id);
    expect(row['status']).toBe('success');
    expect(h.chain.sentRaw.length - sentBefore).toBe(1);
    const attempts = await h.db
      .sql`select outcome from delivery.oracle_tx_attempts where call_id = ${call.id}`;
    expect(attempts.map((a) => a['outcome'])).toEqual(['mined']);
  });
});
