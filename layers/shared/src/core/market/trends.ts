/**
 * Market trends ("Market trend analysis and insights", token-market-services.md): how a token's
 * price moved over a window, how its volume compares with the window before, and which tokens
 * moved most. Prices are compared as reserve ratios of the same pool, so token decimals cancel
 * and no float enters until the final percentage.
 */

/** A pool's reserves at one moment: the token's side and the quote side. */
export interface PoolReserves {
  readonly reserveBase: bigint;
  readonly reserveQuote: bigint;
}

const PPM = 1_000_000n;

/** a / b rounded half away from zero. */
function roundedDivision(a: bigint, b: bigint): bigint {
  const quotient = a / b;
  const remainder = a % b;
  if (2n * (remainder < 0n ? -remainder : remainder) < b) return quotient;
  return a < 0n ? quotient - 1n : quotient + 1n;
}

/**
 * The price change from `from` to `to` in percent, to two decimals (price = quote / base):
 * (quoteTo · baseFrom) / (baseTo · quoteFrom) − 1. Undefined when either pool state is empty.
 */
export function priceChangePercent(from: PoolReserves, to: PoolReserves): number | undefined {
  if (from.reserveBase <= 0n || from.reserveQuote <= 0n || to.reserveBase <= 0n || to.reserveQuote <= 0n)
    return undefined;
  const ratioPpm = roundedDivision(
    to.reserveQuote * from.reserveBase * PPM,
    to.reserveBase * from.reserveQuote,
  );
  return Number(roundedDivision(ratioPpm - PPM, 100n)) / 100;
}

export type VolumeDirection = 'up' | 'down' | 'flat' | 'new' | 'none';

export interface VolumeTrend {
  readonly current: bigint;
  readonly previous: bigint;
  /** Percent change from the previous window, two decimals; null when there was no volume before. */
  readonly changePercent: number | null;
  readonly direction: VolumeDirection;
}

/** The volume of a window against the window of the same length before it. */
export function volumeTrend(current: bigint, previous: bigint): VolumeTrend {
  if (current < 0n || previous < 0n) throw new RangeError('volumes are never negative');
  if (previous === 0n) {
    return { current, previous, changePercent: null, direction: current === 0n ? 'none' : 'new' };
  }
  const changePercent = Number(roundedDivision((current - previous) * 10_000n, previous)) / 100;
  const direction = current > previous ? 'up' : current < previous ? 'down' : 'flat';
  return { current, previous, changePercent, direction };
}

/**
 * The tokens that rose most and fell most by `change` (percent), at most `limit` each: gainers
 * are those that rose, highest first; losers those that fell, lowest first. Ties go by `key`.
 */
export function topMovers<T>(
  items: readonly T[],
  change: (item: T) => number | null | undefined,
  key: (item: T) => string,
  limit: number,
): { gainers: T[]; losers: T[] } {
  const moved = items.flatMap((item) => {
    const value = change(item);
    return value === null || value === undefined || value === 0 ? [] : [{ item, value }];
  });
  const byKey = (a: { item: T }, b: { item: T }) => (key(a.item) < key(b.item) ? -1 : 1);
  return {
    gainers: moved
      .filter((m) => m.value > 0)
      .sort((a, b) => b.value - a.value || byKey(a, b))
      .slice(0, limit)
      .map((m) => m.item),
    losers: moved
      .filter((m) => m.value < 0)
      .sort((a, b) => a.value - b.value || byKey(a, b))
      .slice(0, limit)
      .map((m) => m.item),
  };
}
