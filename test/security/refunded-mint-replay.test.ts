/**
 * Issue 17, H2: a mint that failed for good is refunded into the holder's balance, the holder
 * claims the refund as a new mint, and then the operator's routine recovery (retry on the admin
 * route, `oracle dlq redrive`) reopens the refunded mint: the same amount is minted twice.
 * Driven through the real admin route and CLI, against anvil, fauxqs and the test database.
 */
import { type Contract, ContractFactory, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadArtifact } from '../../contracts/compile.ts';
import { DeliveryEngineMinter } from '../../layers/shared/src/services/market/delivery-engine-minter.ts';
import { claimTokens, settleQueuedClaims } from '../../layers/shared/src/services/market/token-claims.ts';
import { ANVIL_DEV_ACCOUNTS } from '../../local/anvil.ts';
import { type DeliveryHarness, startDeliveryHarness } from '../fixtures/delivery.ts';
import { makeHttpEvent } from '../fixtures/http-event.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

const AMOUNT = 700n;

describe('retrying a mint whose amount was refunded', () => {
  let h: DeliveryHarness;
  let token: Contract;
  let minter: DeliveryEngineMinter;

  beforeAll(async () => {
    h = await startDeliveryHarness();
    const owner = new Wallet(ANVIL_DEV_ACCOUNTS[1].privateKey, h.anvil.provider());
    const { abi, bytecode } = await loadArtifact('MarketToken');
    const deployed = await new ContractFactory(abi, bytecode, owner).deploy('Reward', 'RWD');
    await deployed.waitForDeployment();
    token = deployed as Contract;
    minter = new DeliveryEngineMinter(h.enqueueDeps, await token.getAddress());
    Object.assign(process.env, {
      DATABASE_URL: h.db.url,
      ORACLE_CALLS_QUEUE_URL: h.queue.queueUrl,
      ORACLE_CALLS_DLQ_URL: h.queue.deadLetterQueueUrl,
      SQS_ENDPOINT: h.sqsEndpoint,
      LOG_LEVEL: 'SILENT',
    });
  });
  afterAll(async () => {
    await h.close();
  });

  const balanceOf = async (holder: string) =>
    (await token.getFunction('balanceOf').staticCall(holder)) as bigint;
  const setMinter = async (allowed: boolean) =>
    (await token.getFunction('setMinter')(h.signer.address, allowed)).wait();

  /**
   * A holder's claim whose mint reverts (the signer is not a minter yet) and fails for good; the
   * token generator refunds it; the operator fixes the cause; the holder claims the refund again
   * and that mint lands. Returns the failed mint's call id.
   */
  async function refundedAndReclaimed(credentialId: string, holder: string): Promise<number> {
    await h.db.sql`
      insert into market.claimable_balances (credential_id, holder, accrued, claimed, accrued_until)
      values (${credentialId}, ${holder.toLowerCase()}, ${AMOUNT.toString()}, 0, 0)`;
    const deps = {
      sql: h.db.sql,
      minter,
      emission: { baseRatePerSecond: 1n, tierMultiplierBps: {}, defaultMultiplierBps: 10_000 },
    };
    await setMinter(false);
    const first = await claimTokens(deps, credentialId, { now: 1 });
    await h.drain();
    const [failed] = await h.db.sql<{ id: string; status: string }[]>`
      select id, status from delivery.oracle_call_history where request_id = ${`mint:${first.claimId}`}`;
    expect(failed?.status).toBe('failed');
    expect(await settleQueuedClaims(deps, 2)).toEqual([0, 1]);

    await setMinter(true);
    const second = await claimTokens(deps, credentialId, { now: 3 });
    expect(second.amount).toBe(AMOUNT.toString());
    await h.drain();
    await h.settle();
    expect(await settleQueuedClaims(deps, 4)).toEqual([1, 0]);
    expect(await balanceOf(holder)).toBe(AMOUNT);
    return Number(failed?.id);
  }

  it('a refunded mint retried on POST /admin/oracle-calls/{id}/retry is not minted twice', async () => {
    const holder = '0x00000000000000000000000000000000000000a1';
    const callId = await refundedAndReclaimed('cred-route', holder);

    const { handler } = await import('../../functions/api/admin-oracle-calls/index.ts');
    const platform = platformFromEnv();
    const retry = await handler.on(platform)(
      makeHttpEvent({
        route: 'POST /admin/oracle-calls/{id}/retry',
        pathParameters: { id: String(callId) },
        credential: { credential: 'admin', credentialName: 'oncall' },
      }),
    );
    await platform.close();
    await h.drain();
    await h.settle();

    expect(await balanceOf(holder)).toBe(AMOUNT);
    expect(retry.statusCode).toBe(409);
    expect(JSON.parse(retry.body).error.message).toMatch(/refunded/);
  });

  it('a refunded mint redriven from the DLQ with `oracle dlq redrive` is not minted twice', async () => {
    const holder = '0x00000000000000000000000000000000000000a2';
    const callId = await refundedAndReclaimed('cred-redrive', holder);

    const { run } = await import('../../bin/commands/dlq.ts');
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    let exit: number;
    try {
      exit = await run(['redrive', 'oracle-calls']);
    } finally {
      write.mockRestore();
    }
    await h.drain();
    await h.settle();

    expect(await balanceOf(holder)).toBe(AMOUNT);
    expect(exit).toBe(0);
    expect(out.join('')).toMatch(new RegExp(`call ${callId} .*refunded`));
  });

  it('a refunded mint whose dead letter is moved back onto the queue unchanged is not sent', async () => {
    const holder = '0x00000000000000000000000000000000000000a3';
    const callId = await refundedAndReclaimed('cred-moved-back', holder);
    const [abandoned] = await h.db.sql<{ status: string; generation: number }[]>`
      select status, generation from delivery.oracle_call_history where id = ${callId}`;
    expect(abandoned).toEqual({ status: 'abandoned', generation: 1 });

    // What the SQS console's "start DLQ redrive" does: the consumer gets the old message again.
    const { moveBack } = await import('../../bin/commands/dlq.ts');
    expect(await moveBack(h.queue)).toBeGreaterThanOrEqual(1);
    expect(await h.drain()).toBeGreaterThanOrEqual(1);
    await h.settle();

    expect(await balanceOf(holder)).toBe(AMOUNT);
    const attempts = await h.db.sql`select id from delivery.oracle_tx_attempts where call_id = ${callId}`;
    expect(attempts).toHaveLength(0);
  });
});
