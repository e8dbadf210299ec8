/**
 * Per-request batched loaders: however many tokens a query touches, each kind of data is read
 * with one statement per resolution wave (no N+1).
 */
import DataLoader from 'dataloader';
import { HOUR, hourBucket } from '../../../core/market/volume.ts';
import type { Sql } from '../../../ports/sql.ts';

export interface TokenRecord {
  readonly address: string;
  readonly symbol: string | null;
  readonly name: string | null;
  readonly decimals: number;
}

export interface PriceRecord {
  readonly token: string;
  readonly pool: string;
  readonly price: string;
  readonly blockNumber: number;
  readonly timestamp: number;
}

export interface VolumeRecord {
  readonly token: string;
  readonly baseVolume: string;
  readonly quoteVolume: string;
  readonly trades: number;
}

export interface PoolRecord {
  readonly address: string;
  readonly token0: string;
  readonly token1: string;
  readonly baseToken: string;
  readonly quoteToken: string;
}

export interface MarketLoaders {
  readonly token: DataLoader<string, TokenRecord | null>;
  readonly price: DataLoader<string, PriceRecord | null>;
  readonly volume24h: DataLoader<string, VolumeRecord>;
  readonly pools: DataLoader<string, PoolRecord[]>;
}

export function createMarketLoaders(sql: Sql, chainId: number, now: number): MarketLoaders {
  const since = hourBucket(now) - 24 * HOUR;
  return {
    token: new DataLoader(async (keys) => {
      const rows = await sql<TokenRecord[]>`
        select address, symbol, name, decimals from market.tokens
        where chain_id = ${chainId} and address in ${sql([...keys])}`;
      const byAddress = new Map(rows.map((row) => [row.address, row]));
      return keys.map((key) => byAddress.get(key) ?? null);
    }),
    price: new DataLoader(async (keys) => {
      // The primary pool per token, as price-oracle.ts chooses it: the one holding the most quote.
      const rows = await sql<
        { token: string; pool: string; price: string; block_number: bigint; block_timestamp: bigint }[]
      >`
        select distinct on (p.base_token) p.base_token as token, p.address as pool,
          (case when p.base_token = p.token0 then f.price0 else f.price1 end)::text as price,
          f.block_number, f.block_timestamp
        from market.pools p
        join lateral (
          select * from market.price_feeds f
          where f.chain_id = p.chain_id and f.pool_address = p.address
          order by f.block_number desc limit 1
        ) f on true
        where p.chain_id = ${chainId} and p.base_token in ${sql([...keys])}
        order by p.base_token, (case when p.quote_token = p.token0 then f.reserve0 else f.reserve1 end) desc, p.address`;
      const byToken = new Map(
        rows.map((row) => [
          row.token,
          {
            token: row.token,
            pool: row.pool,
            price: row.price,
            blockNumber: Number(row.block_number),
            timestamp: Number(row.block_timestamp),
          },
        ]),
      );
      return keys.map((key) => byToken.get(key) ?? null);
    }),
    volume24h: new DataLoader(async (keys) => {
      const rows = await sql<{ token: string; base: string; quote: string; trades: bigint }[]>`
        select base_token as token, sum(base_volume)::text as base, sum(quote_volume)::text as quote, sum(trades) as trades
        from market.volume_metrics
        where chain_id = ${chainId} and base_token in ${sql([...keys])} and bucket_start >= ${since}
        group by base_token`;
      const byToken = new Map(rows.map((row) => [row.token, row]));
      return keys.map((key) => {
        const row = byToken.get(key);
        return {
          token: key,
          baseVolume: row?.base ?? '0',
          quoteVolume: row?.quote ?? '0',
          trades: Number(row?.trades ?? 0n),
        };
      });
    }),
    pools: new DataLoader(async (keys) => {
      const rows = await sql<
        { address: string; token0: string; token1: string; base_token: string; quote_token: string }[]
      >`
        select address, token0, token1, base_token, quote_token from market.pools
        where chain_id = ${chainId} and (token0 in ${sql([...keys])} or token1 in ${sql([...keys])})
        order by address`;
      return keys.map((key) =>
        rows
          .filter((row) => row.token0 === key || row.token1 === key)
          .map((row) => ({
            address: row.address,
            token0: row.token0,
            token1: row.token1,
            baseToken: row.base_token,
            quoteToken: row.quote_token,
          })),
      );
    }),
  };
}
