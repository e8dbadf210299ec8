/** Trading volume attribution: which side of a pool is the listed token and how a swap counts. */
export const HOUR = 3600;

export function hourBucket(timestamp: number): number {
  return Math.floor(timestamp / HOUR) * HOUR;
}

export interface PoolSides {
  readonly token0: string;
  readonly token1: string;
}

/**
 * The base (listed) and quote token of a pool: the quote is the configured quote token when the
 * pool holds it, otherwise token1 (prices are then quoted in token1, as the pool's price0 is).
 */
export function poolBaseQuote(
  pool: PoolSides,
  quoteToken: string | undefined,
): { base: string; quote: string } {
  const quote = quoteToken?.toLowerCase();
  if (quote !== undefined && pool.token0.toLowerCase() === quote)
    return { base: pool.token1, quote: pool.token0 };
  return { base: pool.token0, quote: pool.token1 };
}

export interface SwapAmounts {
  readonly amount0In: bigint;
  readonly amount1In: bigint;
  readonly amount0Out: bigint;
  readonly amount1Out: bigint;
}

/** A swap's volume on each side: what went in plus what came out of that token. */
export function swapVolume(swap: SwapAmounts, baseIsToken0: boolean): { base: bigint; quote: bigint } {
  const volume0 = swap.amount0In + swap.amount0Out;
  const volume1 = swap.amount1In + swap.amount1Out;
  return baseIsToken0 ? { base: volume0, quote: volume1 } : { base: volume1, quote: volume0 };
}

export interface VolumePoint {
  readonly bucketStart: number;
  /** Base units as decimal strings. */
  readonly baseVolume: string;
  readonly quoteVolume: string;
  readonly trades: number;
}

/** A series' totals: base and quote volume as decimal strings (exact over uint256), and trades. */
export function volumeTotals(series: readonly VolumePoint[]): {
  totalQuote: string;
  totalBase: string;
  trades: number;
} {
  return {
    totalQuote: series.reduce((sum, point) => sum + BigInt(point.quoteVolume), 0n).toString(),
    totalBase: series.reduce((sum, point) => sum + BigInt(point.baseVolume), 0n).toString(),
    trades: series.reduce((sum, point) => sum + point.trades, 0),
  };
}
