/**
 * Per-request batched loaders: however many tokens a query touches, each kind of data is read
 * with one statement per resolution wave (no N+1).
 */
import DataLoader from 'dataloader';
import {
  type PoolInfo,
  poolsHolding,
  type TokenInfo,
  tokensByAddress,
} from '../../../adapters/db/market/pool-store.ts';
import { primaryPrices } from '../../../adapters/db/market/price-feed-store.ts';
import { volumeSince } from '../../../adapters/db/market/rollup-store.ts';
import { HOUR, hourBucket } from '../../../core/market/volume.ts';
import type { Sql } from '../../../ports/sql.ts';

export type TokenRecord = TokenInfo;

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

export type PoolRecord = PoolInfo;

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
      const rows = await tokensByAddress(sql, chainId, keys);
      const byAddress = new Map(rows.map((row) => [row.address, row]));
      return keys.map((key) => byAddress.get(key) ?? null);
    }),
    price: new DataLoader(async (keys) => {
      // The primary pool per token, as price-oracle.ts chooses it: the one holding the most quote.
      const byToken = await primaryPrices(sql, chainId, keys);
      return keys.map((key) => {
        const price = byToken.get(key);
        return price === undefined
          ? null
          : {
              token: price.token,
              pool: price.poolAddress,
              price: price.price,
              blockNumber: price.blockNumber,
              timestamp: price.blockTimestamp,
            };
      });
    }),
    volume24h: new DataLoader(async (keys) => {
      const byToken = await volumeSince(sql, chainId, keys, since);
      return keys.map((key) => {
        const row = byToken.get(key);
        return {
          token: key,
          baseVolume: row?.baseVolume ?? '0',
          quoteVolume: row?.quoteVolume ?? '0',
          trades: row?.trades ?? 0,
        };
      });
    }),
    pools: new DataLoader(async (keys) => {
      const rows = await poolsHolding(sql, chainId, keys);
      return keys.map((key) => rows.filter((row) => row.token0 === key || row.token1 === key));
    }),
  };
}
