/**
 * What the check puts in place before any function runs, so each one has real work: a tracked
 * channel with events ingested in the previous hour (to seal and publish), creators (to sync),
 * a credential on the AIR stand-in (to accrue), a bound wallet, and values the HTTP requests use
 * (a wallet binding through sign-in is made by ./sign-in-flow.ts).
 */
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import bs58 from 'bs58';
import { Wallet } from 'ethers';
import type { Sql } from '../../layers/shared/src/adapters/db/client.ts';
import { epochOfMs, type KeyedEvent } from '../../layers/shared/src/core/attention/signals.ts';
import { latestDueEpoch } from '../../layers/shared/src/core/attention/trees.ts';
import { writeIngestBatch } from '../../layers/shared/src/services/attention/ingest-writer.ts';
import { bindWalletDirect } from '../../layers/shared/src/services/attention/wallet-binding.ts';
import { seedCreatorDemo } from '../../local/creator-demo-seed.ts';
import type { KeyHolder } from '../../local/market/demo-users.ts';
import type { StandIns } from './stand-ins.ts';

export interface SeedData {
  readonly channel: string;
  readonly viewers: readonly string[];
  /** The sealed-to-be epoch (unix seconds of the newest hour the seal schedule takes). */
  readonly epoch: number;
  readonly creatorAddress: string;
  readonly credentialId: string;
  readonly credentialHolder: string;
  /** The market user (lowercase address) and its wallet, which signs in with Ethereum and holds the credential. */
  readonly marketUser: string;
  readonly marketWallet: KeyHolder;
  /** A token priced by a pool (seedMarketPrice, where the stage runs the market). */
  readonly marketToken: string;
  /** A FixedProductMarketMaker whose oracle is the engine's signer, where the stage runs delivery. */
  readonly fpmmAddress?: string;
  /** An oracle call the functions recorded (looked up once the schedules ran). */
  readonly oracleCallId?: string;
}

/** The ingest key name the seeded events carry. */
export const SEED_INGEST_KEY = 'deployment-check';

/** `tokenGroup`: a group the deployment publishes (one with a mint), so its roots go out. */
export async function seed(sql: Sql, standIns: StandIns, tokenGroup = 'OTHER'): Promise<SeedData> {
  const channel = 'deploycheck';
  const viewers = ['viewer_one', 'viewer_two', 'viewer_three'];
  await sql`
    insert into attention.channels (channel, broadcaster_id, display_name, tracked, token_group, viewers, started_at, last_seen_live_at)
    values (${channel}, '90001', 'DeployCheck', true, ${tokenGroup}, 100, now() - interval '3 hours', now())
    on conflict (channel) do update set tracked = true, token_group = excluded.token_group`;
  // The newest epoch the seal schedule takes: the previous hour, or in the first minutes of an
  // hour (before the sealing delay has passed) the one before it.
  const previousHour = latestDueEpoch(Date.now()) * 1000;
  const epoch = epochOfMs(previousHour + 60_000);
  const events: KeyedEvent[] = viewers.map((user, i) => ({
    keyId: SEED_INGEST_KEY,
    id: `deployment-check-${epoch}-${i}`,
    channel,
    user,
    kind: i === 0 ? 'bits' : 'presence',
    amount: i === 0 ? 100 : 1,
    ts: previousHour + 60_000 * (i + 1),
    epoch,
  }));
  await writeIngestBatch(sql, events, new Date(previousHour + 30 * 60_000));
  // One viewer already bound, so the sealed tree has a leaf to claim with a proof.
  const boundViewer = viewers[0] ?? 'viewer_one';
  await bindWalletDirect(
    sql,
    boundViewer,
    bs58.encode(ed25519.getPublicKey(ed25519.utils.randomPrivateKey())),
    new Date(previousHour),
  );

  // The demo's first twelve creators end with two past the coin launch thresholds (50,000 plays,
  // 5,000 followers); the last, the largest, is the one the creator routes are asked about.
  const creators = await seedCreatorDemo(sql, { creators: 12, seed: 7 });
  const headliner = creators.plans.at(-1);
  const creatorAddress = headliner?.walletAddress ?? '';
  // Where the creator contracts are deployed, its metrics are already on chain, so the first
  // sync run finds it meets the launch requirements and reserves its coin.
  if (headliner !== undefined) await standIns.creatorChain?.handOver([headliner]);

  const credentialId = `cred-${randomBytes(4).toString('hex')}`;
  // A generated key, so the holder can sign in and claim what its credential accrued.
  const marketWallet = Wallet.createRandom();
  const credentialHolder = marketWallet.address.toLowerCase();
  const now = Math.floor(Date.now() / 1000);
  standIns.air.set({
    id: credentialId,
    holder: credentialHolder,
    status: 'active',
    issued: now - 3600,
    expires: now + 30 * 86_400,
    tier: 'gold',
  });

  return {
    channel,
    viewers,
    epoch,
    creatorAddress,
    credentialId,
    credentialHolder,
    marketUser: credentialHolder,
    marketWallet,
    marketToken: `0x${randomBytes(20).toString('hex')}`,
    ...(standIns.fpmmAddress === undefined ? {} : { fpmmAddress: standIns.fpmmAddress }),
  };
}

const Q112 = 2n ** 112n;

/**
 * A pool pricing `token` at 1.5 quote tokens, with observations two hours apart ending now, so
 * the price route has a current price and the TWAP route an hour of history: the market poller
 * finds no pools on the check's chain (no factory deployed there).
 */
export async function seedMarketPrice(sql: Sql, chainId: number, token: string): Promise<void> {
  const quote = `0x${randomBytes(20).toString('hex')}`;
  const pool = `0x${randomBytes(20).toString('hex')}`;
  const [token0, token1] = token < quote ? [token, quote] : [quote, token];
  const reserveBase = 1_000n * 10n ** 18n;
  const reserveQuote = 1_500n * 10n ** 18n;
  const [reserve0, reserve1] = token0 === token ? [reserveBase, reserveQuote] : [reserveQuote, reserveBase];
  const price0X112 = (reserve1 * Q112) / reserve0;
  const price1X112 = (reserve0 * Q112) / reserve1;
  const now = Math.floor(Date.now() / 1000);
  const start = now - 7_200;
  await sql`
    insert into market.tokens (chain_id, address, symbol, name, decimals, first_seen_block)
    values (${chainId}, ${token}, 'CHK', 'Deployment check token', 18, 1),
           (${chainId}, ${quote}, 'QTE', 'Deployment check quote', 18, 1)
    on conflict do nothing`;
  await sql`
    insert into market.pools (chain_id, address, token0, token1, base_token, quote_token, created_block, created_tx)
    values (${chainId}, ${pool}, ${token0}, ${token1}, ${token}, ${quote}, 1, ${`0x${'0'.repeat(64)}`})`;
  const price0 = Number(reserve1) / Number(reserve0);
  for (const [block, at, elapsed] of [
    [1, start, 0n],
    [2, now, BigInt(now - start)],
  ] as const) {
    await sql`
      insert into market.price_feeds (chain_id, pool_address, block_number, block_timestamp, reserve0, reserve1,
        price0, price1, price0_cumulative, price1_cumulative, cumulative_timestamp)
      values (${chainId}, ${pool}, ${block}, ${at}, ${reserve0.toString()}, ${reserve1.toString()},
        ${String(price0)}, ${String(1 / price0)}, ${(price0X112 * elapsed).toString()},
        ${(price1X112 * elapsed).toString()}, ${at})`;
  }
}
