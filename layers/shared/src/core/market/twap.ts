/**
 * Prices and time-weighted average prices from a constant-product pool, as Uniswap v2 defines
 * them: a price is reserve1 / reserve0 in UQ112x112 fixed point (2^112 = 1.0), and the pool keeps
 * `price0CumulativeLast`, the sum of that price × seconds it held, advanced before the first trade
 * of each block. The TWAP over [t1, t2] is (cumulative(t2) − cumulative(t1)) / (t2 − t1), with the
 * difference taken modulo 2^256 because the on-chain sum is meant to overflow.
 */
export const Q112 = 1n << 112n;
const MOD_256 = 1n << 256n;

/** Price of token0 in token1 (reserve1 / reserve0) as UQ112x112, floored as the contract does. */
export function spotPriceX112(reserveIn: bigint, reserveOut: bigint): bigint {
  if (reserveIn <= 0n) throw new RangeError('reserve must be positive');
  return (reserveOut * Q112) / reserveIn;
}

/**
 * What one whole token (10^tokenDecimals base units) is worth at these reserves, in base units of
 * the other token, floored; undefined for an empty pool.
 */
export function wholeTokenSpotPrice(
  reserveToken: bigint,
  reserveQuote: bigint,
  tokenDecimals: number,
): bigint | undefined {
  if (reserveToken <= 0n || reserveQuote <= 0n) return undefined;
  return (reserveQuote * 10n ** BigInt(tokenDecimals)) / reserveToken;
}

/** A pool's state at the end of a block: reserves and the cumulative prices the contract holds. */
export interface PoolObservation {
  readonly reserve0: bigint;
  readonly reserve1: bigint;
  readonly price0Cumulative: bigint;
  readonly price1Cumulative: bigint;
  /** The pool's blockTimestampLast: when the cumulative values were last advanced. */
  readonly cumulativeTimestamp: number;
}

export interface Cumulatives {
  readonly price0: bigint;
  readonly price1: bigint;
  readonly timestamp: number;
}

/**
 * The cumulative prices at `timestamp` ≥ the observation's, counterfactually advanced with the
 * reserves that hold since (Uniswap v2 `UniswapV2OracleLibrary.currentCumulativePrices`).
 */
export function cumulativeAt(observation: PoolObservation, timestamp: number): Cumulatives {
  const elapsed = timestamp - observation.cumulativeTimestamp;
  if (elapsed < 0) throw new RangeError('timestamp before the observation');
  let price0 = observation.price0Cumulative;
  let price1 = observation.price1Cumulative;
  if (elapsed > 0 && observation.reserve0 > 0n && observation.reserve1 > 0n) {
    const seconds = BigInt(elapsed);
    price0 = (price0 + spotPriceX112(observation.reserve0, observation.reserve1) * seconds) % MOD_256;
    price1 = (price1 + spotPriceX112(observation.reserve1, observation.reserve0) * seconds) % MOD_256;
  }
  return { price0, price1, timestamp };
}

/**
 * The cumulative prices at `timestamp` from a history of observations sorted by time: the last
 * observation at or before it, advanced to it. Undefined when the history starts later.
 */
export function cumulativeFromHistory(
  history: readonly PoolObservation[],
  timestamp: number,
): Cumulatives | undefined {
  let low = 0;
  let high = history.length - 1;
  let found: PoolObservation | undefined;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const candidate = history[mid]!;
    if (candidate.cumulativeTimestamp <= timestamp) {
      found = candidate;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found === undefined ? undefined : cumulativeAt(found, timestamp);
}

export interface Twap {
  /** Average price of token0 in token1 and of token1 in token0, UQ112x112. */
  readonly price0X112: bigint;
  readonly price1X112: bigint;
  readonly start: number;
  readonly end: number;
}

export function twapBetween(start: Cumulatives, end: Cumulatives): Twap {
  const seconds = end.timestamp - start.timestamp;
  if (seconds <= 0) throw new RangeError('a TWAP needs a window of at least one second');
  const span = BigInt(seconds);
  return {
    price0X112: ((((end.price0 - start.price0) % MOD_256) + MOD_256) % MOD_256) / span,
    price1X112: ((((end.price1 - start.price1) % MOD_256) + MOD_256) % MOD_256) / span,
    start: start.timestamp,
    end: end.timestamp,
  };
}

/** TWAP over the `windowSeconds` ending at `end`, or undefined when history does not reach back. */
export function twapOverWindow(
  history: readonly PoolObservation[],
  end: number,
  windowSeconds: number,
): Twap | undefined {
  const from = cumulativeFromHistory(history, end - windowSeconds);
  const to = cumulativeFromHistory(history, end);
  if (from === undefined || to === undefined) return undefined;
  return twapBetween(from, to);
}

/**
 * A UQ112x112 price of a token with `baseDecimals` in a token with `quoteDecimals`, as a decimal
 * string with `digits` fractional digits (truncated), in whole-token units.
 */
export function x112ToDecimal(priceX112: bigint, baseDecimals = 18, quoteDecimals = 18, digits = 18): string {
  // price in whole tokens = raw × 10^baseDecimals / 10^quoteDecimals
  let numerator = priceX112 * 10n ** BigInt(digits);
  let denominator = Q112;
  const shift = baseDecimals - quoteDecimals;
  if (shift >= 0) numerator *= 10n ** BigInt(shift);
  else denominator *= 10n ** BigInt(-shift);
  const scaled = numerator / denominator;
  return formatFixed(scaled, digits);
}

/** A fixed-point integer with `digits` fractional digits as a decimal string without trailing zeros. */
export function formatFixed(value: bigint, digits: number): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const text = abs.toString().padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  const fraction = text.slice(text.length - digits).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction.length > 0 ? `.${fraction}` : ''}`;
}
