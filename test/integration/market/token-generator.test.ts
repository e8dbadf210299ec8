import { Contract, ContractFactory, NonceManager, Wallet } from 'ethers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadArtifact } from '../../../contracts/compile.ts';
import { HttpAirClient } from '../../../layers/shared/src/adapters/air/http-air-client.ts';
import { InProcessEventBus } from '../../../layers/shared/src/adapters/events/in-process-event-bus.ts';
import { DirectMinter } from '../../../layers/shared/src/adapters/evm/direct-minter.ts';
import { TOKEN_ABI } from '../../../layers/shared/src/adapters/evm/market-abi.ts';
import type { EmissionConfig } from '../../../layers/shared/src/core/market/emission.ts';
import type { QueuedMinter } from '../../../layers/shared/src/ports/minter.ts';
import { claimTokens, settleQueuedClaims } from '../../../layers/shared/src/services/market/token-claims.ts';
import {
  accrueBalances,
  claimableFor,
  runTokenGeneration,
  syncCredentials,
  type TokenGeneratorDeps,
} from '../../../layers/shared/src/services/market/token-generator.ts';
import { type AirFixtureServer, startAirFixtureServer } from '../../../local/air-fixture-server.ts';
import { ANVIL_DEV_ACCOUNTS, type AnvilHandle, startAnvil } from '../../../local/anvil.ts';
import { createTestDatabase, type TestDatabase } from '../../fixtures/db.ts';

const T0 = 1_750_000_000;
const RATE = 333_333_333_333_333n; // base units per second at 1.0
const emission: EmissionConfig = {
  baseRatePerSecond: RATE,
  tierMultiplierBps: { bronze: 10_000, gold: 15_000 },
  defaultMultiplierBps: 10_000,
};
const HOLDER_A = ANVIL_DEV_ACCOUNTS[1].address.toLowerCase();
const HOLDER_B = ANVIL_DEV_ACCOUNTS[2].address.toLowerCase();

let anvil: AnvilHandle;
let air: AirFixtureServer;
let tokenAddress: string;
let token: Contract;

beforeAll(async () => {
  anvil = await startAnvil();
  air = await startAirFixtureServer();
  const { abi, bytecode } = await loadArtifact('MarketToken');
  const signer = new NonceManager(new Wallet(ANVIL_DEV_ACCOUNTS[0].privateKey, anvil.provider()));
  const deployed = await new ContractFactory(abi, bytecode, signer).deploy('Reward', 'RWD');
  await deployed.waitForDeployment();
  tokenAddress = await deployed.getAddress();
  token = new Contract(tokenAddress, TOKEN_ABI, anvil.provider());
});

afterAll(async () => {
  await air.close();
  await anvil.stop();
});

let t: TestDatabase;
let deps: TokenGeneratorDeps & { minter: DirectMinter; bus: InProcessEventBus };
beforeEach(async () => {
  t = await createTestDatabase();
  air.credentials.clear();
  deps = {
    sql: t.sql,
    air: new HttpAirClient(air.url, air.apiKey),
    minter: new DirectMinter(anvil.provider(), ANVIL_DEV_ACCOUNTS[0].privateKey, tokenAddress),
    bus: new InProcessEventBus(true),
    emission,
  };
  return () => t.close();
});

const balanceOf = async (holder: string) =>
  (await token.getFunction('balanceOf').staticCall(holder)) as bigint;

describe('token generator', () => {
  it('accrues, claims and mints the same amount to the base unit, however often the job ran', async () => {
    air.set({ id: 'cred-gold', holder: HOLDER_A, status: 'active', issued: T0, expires: null, tier: 'gold' });
    const before = await balanceOf(HOLDER_A);
    for (const now of [T0 + 1, T0 + 100, T0 + 101, T0 + 500, T0 + 777]) await runTokenGeneration(deps, now);

    const expected = (RATE * 15_000n * 777n) / 10_000n;
    const claimable = await claimableFor(t.sql, HOLDER_A);
    expect(claimable.total).toBe(expected.toString());
    const claim = await claimTokens(deps, 'cred-gold', { now: T0 + 777 });

    expect(claim.amount).toBe(expected.toString());
    expect(claim.status).toBe('minted');
    expect((await balanceOf(HOLDER_A)) - before).toBe(expected);
    expect((await claimableFor(t.sql, HOLDER_A)).total).toBe('0');
    expect(deps.bus.published).toMatchObject([
      { type: 'TokenMinted', amount: expected.toString(), holder: HOLDER_A },
    ]);
  });

  it('stops accruing a credential revoked mid-period at the last check that saw it valid', async () => {
    air.set({ id: 'cred-r', holder: HOLDER_B, status: 'active', issued: T0, expires: null, tier: 'bronze' });
    await runTokenGeneration(deps, T0 + 100);
    await runTokenGeneration(deps, T0 + 300);
    air.setStatus('cred-r', 'revoked');
    await runTokenGeneration(deps, T0 + 400);
    const atRevocation = (await claimableFor(t.sql, HOLDER_B)).total;
    air.setStatus('cred-r', 'active');
    await runTokenGeneration(deps, T0 + 10_000);

    expect(atRevocation).toBe((RATE * 300n).toString());
    expect((await claimableFor(t.sql, HOLDER_B)).total).toBe(atRevocation);
  });

  it('stops accruing at the expiry date', async () => {
    air.set({
      id: 'cred-e',
      holder: HOLDER_B,
      status: 'active',
      issued: T0,
      expires: T0 + 250,
      tier: 'bronze',
    });
    await syncCredentials(deps, T0 + 1000);
    await accrueBalances(deps, T0 + 1000, null);
    expect((await claimableFor(t.sql, HOLDER_B)).total).toBe((RATE * 250n).toString());
  });

  it('mints once for a claim request sent twice at the same time', async () => {
    air.set({ id: 'cred-d', holder: HOLDER_B, status: 'active', issued: T0, expires: null, tier: 'bronze' });
    await runTokenGeneration(deps, T0 + 60);
    const before = await balanceOf(HOLDER_B);

    const [first, second] = await Promise.all([
      claimTokens(deps, 'cred-d', { requestId: 'req-1', now: T0 + 60 }),
      claimTokens(deps, 'cred-d', { requestId: 'req-1', now: T0 + 60 }),
    ]);
    const third = await claimTokens(deps, 'cred-d', { now: T0 + 60 });

    expect(first.claimId).toBe(second.claimId);
    expect([first.created, second.created].sort()).toEqual([false, true]);
    expect(third.claimId).toBe(first.claimId);
    expect(deps.minter.sent).toHaveLength(1);
    expect((await balanceOf(HOLDER_B)) - before).toBe(RATE * 60n);
  });

  it('mints once on chain when the same claim id is sent again', async () => {
    const before = await balanceOf(HOLDER_A);
    await deps.minter.mint({ claimId: 'claim-x', to: HOLDER_A, amount: 5n });
    await deps.minter.mint({ claimId: 'claim-x', to: HOLDER_A, amount: 5n });
    expect((await balanceOf(HOLDER_A)) - before).toBe(5n);
  });
});

describe('claims minted through a queueing minter (the delivery engine)', () => {
  function queuedMinter(
    outcome: 'minted' | 'failed' | 'pending',
    options: { reopened?: boolean } = {},
  ): QueuedMinter & { sent: string[]; abandoned: string[] } {
    const sent: string[] = [];
    const abandoned: string[] = [];
    return {
      sent,
      abandoned,
      mint: async (request) => {
        sent.push(request.claimId);
        return { txHash: undefined, status: 'queued' };
      },
      outcomes: async (ids) =>
        new Map(
          ids.map((id) => [id, { status: outcome, txHash: outcome === 'minted' ? '0xabc' : undefined }]),
        ),
      // An operator reopening the mint after its outcome was read: it cannot be abandoned any more.
      abandonFailed: async (claimId) => {
        if (options.reopened === true) return false;
        abandoned.push(claimId);
        return true;
      },
    };
  }

  async function seedBalance(credentialId: string, amount: number): Promise<void> {
    await t.sql`insert into market.claimable_balances (credential_id, holder, accrued, claimed, accrued_until)
                values (${credentialId}, ${HOLDER_A}, ${amount}, 0, ${T0})`;
  }

  it('marks a queued claim minted once the engine confirms it, and announces it then', async () => {
    await seedBalance('cred-q', 900);
    const minter = queuedMinter('minted');
    const claim = await claimTokens({ ...deps, minter }, 'cred-q', { now: T0 });
    expect(claim.status).toBe('queued');
    expect(deps.bus.published).toHaveLength(0);

    const [minted] = await settleQueuedClaims({ ...deps, minter }, T0 + 60);

    expect(minted).toBe(1);
    expect(deps.bus.published).toMatchObject([
      { type: 'TokenMinted', claimId: claim.claimId, amount: '900' },
    ]);
    const [row] = await t.sql`select status, tx_hash from market.claims where id = ${claim.claimId}`;
    expect(row).toMatchObject({ status: 'minted', tx_hash: '0xabc' });
  });

  it('gives a finally failed mint back to the balance so it can be claimed again', async () => {
    await seedBalance('cred-f', 700);
    const minter = queuedMinter('failed');
    await claimTokens({ ...deps, minter }, 'cred-f', { now: T0 });
    expect((await claimableFor(t.sql, HOLDER_A)).total).toBe('0');

    const [, failed] = await settleQueuedClaims({ ...deps, minter }, T0 + 60);
    const again = await claimTokens({ ...deps, minter }, 'cred-f', { now: T0 + 61 });

    expect(failed).toBe(1);
    expect(minter.abandoned).toEqual([minter.sent[0]]);
    expect(again.created).toBe(true);
    expect(again.amount).toBe('700');
    expect(minter.sent).toHaveLength(2);
  });

  it('refunds nothing when the failed mint was reopened after its outcome was read', async () => {
    await seedBalance('cred-reopened', 500);
    const minter = queuedMinter('failed', { reopened: true });
    const claim = await claimTokens({ ...deps, minter }, 'cred-reopened', { now: T0 });

    const [, failed] = await settleQueuedClaims({ ...deps, minter }, T0 + 60);

    expect(failed).toBe(0);
    expect((await claimableFor(t.sql, HOLDER_A)).total).toBe('0');
    const [row] = await t.sql`select status from market.claims where id = ${claim.claimId}`;
    expect(row).toMatchObject({ status: 'queued' });
  });
});
