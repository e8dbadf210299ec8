/**
 * Creator revenue (`streamvault-database.md`, "Revenue Tracking"): monthly revenue = track sales
 * + tips + 10 % of the creator coin's market cap, the last only where the price oracle knows
 * the coin's price (else 0). All amounts in attoFIL.
 */
import { ATTO_PER_FIL } from './milestones.ts';

/** The source's `creatorCoinMarketCap * 0.1`, in basis points. */
export const COIN_VALUE_SHARE_BPS = 1_000n;
/**
 * What a quarter's revenue distribution owes coin holders: the same 10 % ("10% to token
 * holders" in the source), applied to the quarter's track sales and tips.
 */
export const HOLDER_SHARE_BPS = 1_000n;
/** "Revenue | 100 FIL/month | Enable revenue sharing" (creator-metrics-oracle.md); a setting. */
export const REVENUE_SHARING_MIN_ATTO_FIL = 100n * ATTO_PER_FIL;

/** Price in attoFIL per whole coin × supply in base units (18 decimals), in attoFIL. */
export function marketCapAttoFil(priceAttoFilPerCoin: bigint, totalSupplyBaseUnits: bigint): bigint {
  return (priceAttoFilPerCoin * totalSupplyBaseUnits) / ATTO_PER_FIL;
}

/** Market cap × 10 %; price in attoFIL per whole coin, supply in base units (18 decimals). */
export function coinValueShareAttoFil(priceAttoFilPerCoin: bigint, totalSupplyBaseUnits: bigint): bigint {
  return (marketCapAttoFil(priceAttoFilPerCoin, totalSupplyBaseUnits) * COIN_VALUE_SHARE_BPS) / 10_000n;
}

export function holderShareAttoFil(quarterRevenueAttoFil: bigint): bigint {
  return (quarterRevenueAttoFil * HOLDER_SHARE_BPS) / 10_000n;
}

export interface Quarter {
  /** "2026-Q3" */
  readonly id: string;
  readonly start: Date;
  /** Exclusive. */
  readonly end: Date;
}

export function quarterContaining(instant: Date): Quarter {
  const year = instant.getUTCFullYear();
  const index = Math.floor(instant.getUTCMonth() / 3);
  return {
    id: `${year}-Q${index + 1}`,
    start: new Date(Date.UTC(year, index * 3, 1)),
    end: new Date(Date.UTC(year, index * 3 + 3, 1)),
  };
}

/** The last quarter that has fully ended at `instant`. */
export function lastCompletedQuarter(instant: Date): Quarter {
  const current = quarterContaining(instant);
  return quarterContaining(new Date(current.start.getTime() - 1));
}

export function parseQuarterId(id: string): Quarter | undefined {
  const match = /^(\d{4})-Q([1-4])$/.exec(id);
  if (match === null) return undefined;
  return quarterContaining(new Date(Date.UTC(Number(match[1]), (Number(match[2]) - 1) * 3, 1)));
}
