/**
 * Pools and their tokens (`market.pools`, `market.tokens`) as the factory created them. Tokens are
 * keyed by (chain, address) and pools by (chain, address): a re-read writes nothing twice.
 */
import type { marketPools, marketTokens } from '../../../../../../drizzle/schema/market.ts';
import type { PoolSides } from '../../../core/market/market-log-rows.ts';
import type { Queryable } from '../../../ports/sql.ts';

export type NewToken = Omit<typeof marketTokens.$inferInsert, 'chainId'>;
export type NewPool = Omit<typeof marketPools.$inferInsert, 'chainId'>;
/** A token as the market data shows it. */
export type TokenInfo = Pick<typeof marketTokens.$inferSelect, 'address' | 'symbol' | 'name' | 'decimals'>;
/** A pool's sides. */
export type PoolInfo = Pick<
  typeof marketPools.$inferSelect,
  'address' | 'token0' | 'token1' | 'baseToken' | 'quoteToken'
>;

/** A pool's row as `select address, token0, token1, base_token, quote_token` reads it. */
interface PoolRow {
  address: string;
  token0: string;
  token1: string;
  base_token: string;
  quote_token: string;
}

function poolInfo(row: PoolRow): PoolInfo {
  return {
    address: row.address,
    token0: row.token0,
    token1: row.token1,
    baseToken: row.base_token,
    quoteToken: row.quote_token,
  };
}

/** Known pools' sides with their tokens' decimals (18 where the token is unknown). */
export async function poolSides(
  q: Queryable,
  chainId: number,
  addresses: readonly string[],
): Promise<PoolSides[]> {
  const rows = await q<(PoolRow & { decimals0: number; decimals1: number })[]>`
    select p.address, p.token0, p.token1, p.base_token, p.quote_token,
           coalesce(t0.decimals, 18) as decimals0, coalesce(t1.decimals, 18) as decimals1
    from market.pools p
    left join market.tokens t0 on t0.chain_id = p.chain_id and t0.address = p.token0
    left join market.tokens t1 on t1.chain_id = p.chain_id and t1.address = p.token1
    where p.chain_id = ${chainId} and p.address in ${q(addresses as string[])}`;
  return rows.map((row) => ({ ...poolInfo(row), decimals0: row.decimals0, decimals1: row.decimals1 }));
}

export async function insertToken(q: Queryable, chainId: number, token: NewToken): Promise<void> {
  await q`
    insert into market.tokens (chain_id, address, symbol, name, decimals, first_seen_block)
    values (${chainId}, ${token.address}, ${token.symbol ?? null}, ${token.name ?? null}, ${token.decimals ?? 18}, ${token.firstSeenBlock})
    on conflict do nothing`;
}

/** Returns whether the pool is new. */
export async function insertPool(q: Queryable, chainId: number, pool: NewPool): Promise<boolean> {
  const inserted = await q`
    insert into market.pools (chain_id, address, token0, token1, base_token, quote_token, created_block, created_tx)
    values (${chainId}, ${pool.address}, ${pool.token0}, ${pool.token1}, ${pool.baseToken}, ${pool.quoteToken},
            ${pool.createdBlock}, ${pool.createdTx})
    on conflict do nothing`;
  return inserted.count > 0;
}

/** Removes pools created above `forkBlock`; returns their addresses. */
export async function deletePoolsAbove(q: Queryable, chainId: number, forkBlock: number): Promise<string[]> {
  const rows = await q<{ address: string }[]>`
    delete from market.pools where chain_id = ${chainId} and created_block > ${forkBlock} returning address`;
  return rows.map((row) => row.address);
}

export async function deleteTokensAbove(q: Queryable, chainId: number, forkBlock: number): Promise<void> {
  await q`delete from market.tokens where chain_id = ${chainId} and first_seen_block > ${forkBlock}`;
}

/** Every token listed in a pool (a pool's base side), in address order. */
export async function listedTokens(q: Queryable, chainId: number): Promise<string[]> {
  const rows = await q<{ base_token: string }[]>`
    select distinct base_token from market.pools where chain_id = ${chainId} order by base_token`;
  return rows.map((row) => row.base_token);
}

/** The tokens of `addresses` that are known (in no particular order). */
export async function tokensByAddress(
  q: Queryable,
  chainId: number,
  addresses: readonly string[],
): Promise<TokenInfo[]> {
  return q<TokenInfo[]>`
    select address, symbol, name, decimals from market.tokens
    where chain_id = ${chainId} and address in ${q(addresses as string[])}`;
}

/** The first `limit` tokens by symbol (tokens without one last), then address. */
export async function tokensBySymbol(q: Queryable, chainId: number, limit: number): Promise<TokenInfo[]> {
  return q<TokenInfo[]>`
    select address, symbol, name, decimals from market.tokens where chain_id = ${chainId}
    order by symbol nulls last, address limit ${limit}`;
}

/** Every pool holding any of `tokens` on either side, by address. */
export async function poolsHolding(
  q: Queryable,
  chainId: number,
  tokens: readonly string[],
): Promise<PoolInfo[]> {
  const rows = await q<PoolRow[]>`
    select address, token0, token1, base_token, quote_token from market.pools
    where chain_id = ${chainId} and (token0 in ${q(tokens as string[])} or token1 in ${q(tokens as string[])})
    order by address`;
  return rows.map(poolInfo);
}
