/**
 * Market trends over the price history and the hourly rollups (read by trend-store.ts): for each token, its price
 * now (the latest feed of its primary pool, the pool holding the most quote, as the price oracle
 * picks it), the last price at or before 1 h, 24 h and 7 d ago, and its quote volume in the last
 * 24 h and 7 d beside the windows before them; the math is core/market/trends.ts. Windows are whole
 * hour buckets ending with the bucket of `now` (chain time), as the volume route counts them.
 */

import { type TokenTrendRow, tokenTrendRows } from '../../adapters/db/market/trend-store.ts';
import { priceChangePercent, topMovers, type VolumeTrend, volumeTrend } from '../../core/market/trends.ts';
import { HOUR } from '../../core/market/volume.ts';
import type { Sql } from '../../ports/sql.ts';

export const PRICE_WINDOWS = { change1h: HOUR, change24h: 24 * HOUR, change7d: 7 * 24 * HOUR } as const;
export type PriceWindow = keyof typeof PRICE_WINDOWS;

export interface PriceChange {
  /** Percent, two decimals. */
  readonly changePercent: number;
  /** The price the change is measured from, and when it held (block time). */
  readonly fromPrice: string;
  readonly fromTimestamp: number;
}

export interface VolumeTrendView {
  readonly currentQuote: string;
  readonly previousQuote: string;
  readonly changePercent: number | null;
  readonly direction: VolumeTrend['direction'];
}

export interface TokenTrend {
  readonly token: string;
  readonly symbol: string | null;
  readonly pool: string;
  /** Quote per token now, decimal. */
  readonly price: string;
  readonly timestamp: number;
  /** Null where the history does not reach back over the window. */
  readonly change1h: PriceChange | null;
  readonly change24h: PriceChange | null;
  readonly change7d: PriceChange | null;
  readonly volume24h: VolumeTrendView;
  readonly volume7d: VolumeTrendView;
}

export interface MarketTrends {
  readonly asOf: number;
  readonly market: { readonly volume24h: VolumeTrendView; readonly volume7d: VolumeTrendView };
  /** By 24 h quote volume, highest first. */
  readonly tokens: readonly TokenTrend[];
  /** By 24 h price change, among every priced token. */
  readonly gainers: readonly TokenTrend[];
  readonly losers: readonly TokenTrend[];
}

const view = (trend: VolumeTrend): VolumeTrendView => ({
  currentQuote: trend.current.toString(),
  previousQuote: trend.previous.toString(),
  changePercent: trend.changePercent,
  direction: trend.direction,
});

export async function marketTrends(
  sql: Sql,
  chainId: number,
  now: number,
  options: { limit: number; movers: number },
): Promise<MarketTrends> {
  const rows = await tokenTrendRows(sql, chainId, now);

  const reserves = (r0: unknown, r1: unknown, baseIs0: boolean) => {
    const [base, quote] = baseIs0 ? [r0, r1] : [r1, r0];
    return { reserveBase: BigInt(String(base)), reserveQuote: BigInt(String(quote)) };
  };
  const change = (row: TokenTrendRow, alias: 'h1' | 'h24' | 'd7'): PriceChange | null => {
    if (row[`${alias}_reserve0`] === null || row[`${alias}_reserve0`] === undefined) return null;
    const percent = priceChangePercent(
      reserves(row[`${alias}_reserve0`], row[`${alias}_reserve1`], row.base_is_0),
      reserves(row.reserve0, row.reserve1, row.base_is_0),
    );
    if (percent === undefined) return null;
    return {
      changePercent: percent,
      fromPrice: String(row[`${alias}_price`]),
      fromTimestamp: Number(row[`${alias}_at`]),
    };
  };
  const trends = rows.map((row): TokenTrend & { rawVolume24h: bigint } => ({
    token: row.token,
    symbol: row.symbol,
    pool: row.pool,
    price: row.price,
    timestamp: Number(row.block_timestamp),
    change1h: change(row, 'h1'),
    change24h: change(row, 'h24'),
    change7d: change(row, 'd7'),
    volume24h: view(volumeTrend(BigInt(String(row['current_24h'])), BigInt(String(row['previous_24h'])))),
    volume7d: view(volumeTrend(BigInt(String(row['current_7d'])), BigInt(String(row['previous_7d'])))),
    rawVolume24h: BigInt(String(row['current_24h'])),
  }));
  const sum = (pick: (row: TokenTrendRow) => unknown) =>
    rows.reduce((total, row) => total + BigInt(String(pick(row))), 0n);
  const movers = topMovers(
    trends,
    (t) => t.change24h?.changePercent,
    (t) => t.token,
    options.movers,
  );
  const strip = ({ rawVolume24h: _, ...trend }: TokenTrend & { rawVolume24h: bigint }): TokenTrend => trend;
  return {
    asOf: now,
    market: {
      volume24h: view(
        volumeTrend(
          sum((r) => r['current_24h']),
          sum((r) => r['previous_24h']),
        ),
      ),
      volume7d: view(
        volumeTrend(
          sum((r) => r['current_7d']),
          sum((r) => r['previous_7d']),
        ),
      ),
    },
    tokens: [...trends]
      .sort((a, b) =>
        a.rawVolume24h === b.rawVolume24h
          ? a.token < b.token
            ? -1
            : 1
          : a.rawVolume24h > b.rawVolume24h
            ? -1
            : 1,
      )
      .slice(0, options.limit)
      .map(strip),
    gainers: movers.gainers.map(strip),
    losers: movers.losers.map(strip),
  };
}
