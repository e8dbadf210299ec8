/**
 * Creator coins (`creator.creator_coins`): one per creator, written `pending` before its launch
 * call is enqueued (which reserves the name and symbol), then `launched` or `failed`; a failed
 * launch is retried under the next attempt's request id.
 */
import type { creatorCoins } from '../../../../../../drizzle/schema/creator.ts';
import type { Queryable } from '../../../ports/sql.ts';

export type Coin = Pick<
  typeof creatorCoins.$inferSelect,
  'creatorId' | 'name' | 'symbol' | 'status' | 'attempt' | 'requestId' | 'initialSupply'
>;

/** A pending coin with its creator's wallet address, which its launch call targets. */
export type PendingCoin = Coin & { readonly walletAddress: string };

interface CoinRow {
  creator_id: string;
  name: string;
  symbol: string;
  status: string;
  attempt: number;
  request_id: string;
  initial_supply: string;
}

const toCoin = (row: CoinRow): Coin => ({
  creatorId: row.creator_id,
  name: row.name,
  symbol: row.symbol,
  status: row.status,
  attempt: row.attempt,
  requestId: row.request_id,
  initialSupply: BigInt(row.initial_supply),
});

export async function allCoins(q: Queryable): Promise<Coin[]> {
  const rows = await q<CoinRow[]>`
    select creator_id, name, symbol, status, attempt, request_id, initial_supply::text from creator.creator_coins`;
  return rows.map(toCoin);
}

/** Pending coins, by wallet address. */
export async function pendingCoins(q: Queryable): Promise<PendingCoin[]> {
  const rows = await q<(CoinRow & { wallet_address: string })[]>`
    select k.creator_id, k.name, k.symbol, k.status, k.attempt, k.request_id, k.initial_supply::text, c.wallet_address
    from creator.creator_coins k join creator.creators c on c.id = k.creator_id
    where k.status = 'pending' order by c.wallet_address`;
  return rows.map((row) => ({ ...toCoin(row), walletAddress: row.wallet_address }));
}

/**
 * Reserves a coin's name and symbol for its first launch attempt; a creator who has one keeps it.
 * A name or symbol another creator reserved meanwhile fails on the unique index.
 */
export async function reserveCoin(
  q: Queryable,
  coin: Pick<Coin, 'creatorId' | 'name' | 'symbol' | 'initialSupply' | 'requestId'>,
): Promise<void> {
  await q`
    insert into creator.creator_coins (creator_id, name, symbol, initial_supply, request_id, attempt, status)
    values (${coin.creatorId}, ${coin.name}, ${coin.symbol}, ${coin.initialSupply.toString()}, ${coin.requestId}, 1, 'pending')
    on conflict (creator_id) do nothing`;
}

/** Makes a failed coin pending again under the next attempt, unless another run already did. */
export async function retryFailedCoin(
  q: Queryable,
  creatorId: string,
  failedAttempt: number,
  requestId: string,
): Promise<void> {
  await q`
    update creator.creator_coins set status = 'pending', attempt = attempt + 1, error = null,
      request_id = ${requestId}
    where creator_id = ${creatorId} and status = 'failed' and attempt = ${failedAttempt}`;
}

export async function markCoinLaunched(
  q: Queryable,
  creatorId: string,
  launch: { readonly coinAddress: string; readonly txHash: string | null; readonly launchedAt: Date },
): Promise<void> {
  await q`
    update creator.creator_coins set status = 'launched', coin_address = ${launch.coinAddress},
      tx_hash = ${launch.txHash}, launched_at = ${launch.launchedAt.toISOString()}::timestamptz
    where creator_id = ${creatorId} and status = 'pending'`;
}

export async function markCoinFailed(
  q: Queryable,
  creatorId: string,
  requestId: string,
  error: string,
): Promise<void> {
  await q`
    update creator.creator_coins set status = 'failed', error = ${error}
    where creator_id = ${creatorId} and status = 'pending' and request_id = ${requestId}`;
}
