/**
 * M2: `POST /api/generate/claim/{credentialId}` makes the oracle signer pay for a mint, so only
 * the credential's holder (signed in with Ethereum) may call it, for at least the configured
 * minimum, and not again within the per-credential cooldown. Through the real route (local HTTP
 * server); the minter records what it was asked to mint.
 */
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provideMarketDependencies } from '../../functions/market-dependencies.ts';
import type { Minter, MintRequest } from '../../layers/shared/src/ports/minter.ts';
import { type MarketApi, startMarketApi } from '../fixtures/market-api.ts';

const TOKEN = 10n ** 18n;

let api: MarketApi;
const mints: MintRequest[] = [];

beforeAll(async () => {
  api = await startMarketApi();
  const minter: Minter = {
    mint: async (request) => {
      mints.push(request);
      return { status: 'minted', txHash: `0x${String(mints.length).padStart(64, '0')}` };
    },
  };
  await provideMarketDependencies(api.platform, { minter: async () => minter });
});
afterAll(async () => {
  await api.close();
});

async function credential(id: string, holder: string, accrued: bigint): Promise<void> {
  await api.db.sql`
    insert into market.claimable_balances (credential_id, holder, accrued, claimed, accrued_until)
    values (${id}, ${holder.toLowerCase()}, ${accrued.toString()}, 0, 1)`;
}

const mintsTo = (holder: string) => mints.filter((mint) => mint.to.toLowerCase() === holder.toLowerCase());

async function claimIds(credentialId: string): Promise<string[]> {
  const rows = await api.db.sql<{ id: string }[]>`
    select id from market.claims where credential_id = ${credentialId} order by created_at`;
  return rows.map((row) => row.id);
}

describe('claiming generated tokens under attack', () => {
  it('an anonymous caller or another address cannot make the oracle mint for a credential', async () => {
    const holder = Wallet.createRandom();
    await credential('cred-victim', holder.address, 50n * TOKEN);
    const stranger = await api.signIn(Wallet.createRandom());

    const anonymous = await api.request('POST', '/api/generate/claim/cred-victim');
    const other = await api.request('POST', '/api/generate/claim/cred-victim', { headers: stranger });

    expect([anonymous.status, other.status]).toEqual([401, 403]);
    expect(await claimIds('cred-victim')).toEqual([]);
    expect(mintsTo(holder.address)).toEqual([]);
  });

  it('a claim below the minimum is refused and mints nothing', async () => {
    const holder = Wallet.createRandom();
    await credential('cred-dust', holder.address, TOKEN / 10n);

    const answer = await api.request('POST', '/api/generate/claim/cred-dust', {
      headers: await api.signIn(holder),
    });

    expect(answer.status).toBe(409);
    expect(answer.text).toMatch(/minimum/);
    expect(await claimIds('cred-dust')).toEqual([]);
    expect(mintsTo(holder.address)).toEqual([]);
  });

  it('a second claim inside the per-credential cooldown is refused', async () => {
    const holder = Wallet.createRandom();
    await credential('cred-busy', holder.address, 5n * TOKEN);
    const session = await api.signIn(holder);

    const first = await api.request('POST', '/api/generate/claim/cred-busy', { headers: session });
    await api.db.sql`
      update market.claimable_balances set accrued = accrued + ${(5n * TOKEN).toString()}::numeric
      where credential_id = 'cred-busy'`;
    const second = await api.request('POST', '/api/generate/claim/cred-busy', { headers: session });

    expect(first.status).toBe(201);
    expect(second.status).toBe(429);
    const refusal = second.body as { error: { details: { retryAfterSeconds: number } } };
    expect(refusal.error.details.retryAfterSeconds).toBeGreaterThan(0);
    expect(await claimIds('cred-busy')).toHaveLength(1);
    expect(mintsTo(holder.address).map((mint) => mint.amount)).toEqual([5n * TOKEN]);
  });
});
