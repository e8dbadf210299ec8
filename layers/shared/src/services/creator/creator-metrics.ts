/**
 * The metrics the oracle publishes for every creator: the SQL totals, the engagement score of
 * `core/creator`, and monthly revenue = track sales + tips + 10 % of the coin's market cap where
 * the price source knows the coin's price (DESIGN.md section 5).
 */

import {
  type CreatorMetricInputs,
  loadCreatorMetricInputs,
} from '../../adapters/db/creator/creator-metrics-store.ts';
import { type EngagementScore, engagementScore } from '../../core/creator/engagement-score.ts';
import { metricsFingerprint, type OnChainCreatorMetrics } from '../../core/creator/metrics-fingerprint.ts';
import { coinValueShareAttoFil, marketCapAttoFil } from '../../core/creator/revenue.ts';
import { type CoinPriceSource, noCoinPrices } from '../../ports/coin-price-source.ts';
import type { Sql } from '../../ports/sql.ts';

/**
 * The revenue's market-cap term: 10 % of the coin's market cap where the price oracle prices it;
 * otherwise 0, with the reason.
 */
export type MarketCapTerm =
  | {
      readonly valueAttoFil: bigint;
      readonly priceAttoFilPerCoin: bigint;
      readonly marketCapAttoFil: bigint;
    }
  | { readonly valueAttoFil: 0n; readonly reason: string };

/** The term for a launched coin of `supply` base units (null: no coin) at `price` (undefined: unpriced). */
export function marketCapTerm(
  supply: bigint | null,
  price: bigint | undefined,
  source: CoinPriceSource,
): MarketCapTerm {
  if (supply === null) return { valueAttoFil: 0n, reason: 'no coin' };
  if (price === undefined) return { valueAttoFil: 0n, reason: source.unavailableReason ?? 'no pool' };
  return {
    valueAttoFil: coinValueShareAttoFil(price, supply),
    priceAttoFilPerCoin: price,
    marketCapAttoFil: marketCapAttoFil(price, supply),
  };
}

/** The term as the API shows it: amounts as decimal strings, the reason where it is 0 unpriced. */
export function marketCapTermView(term: MarketCapTerm) {
  return 'reason' in term
    ? { value: '0', reason: term.reason }
    : {
        value: term.valueAttoFil.toString(),
        priceAttoFilPerCoin: term.priceAttoFilPerCoin.toString(),
        marketCapAttoFil: term.marketCapAttoFil.toString(),
      };
}

export interface CreatorMetrics extends CreatorMetricInputs {
  readonly engagement: EngagementScore;
  readonly coinValueShareAttoFil: bigint;
  readonly marketCapTerm: MarketCapTerm;
  readonly monthlyRevenueAttoFil: bigint;
  /** Exactly what `updateCreatorMetrics` is sent. */
  readonly onChain: OnChainCreatorMetrics;
  readonly fingerprint: string;
}

export interface ComputeMetricsOptions {
  readonly asOf: Date;
  readonly prices?: CoinPriceSource;
  readonly walletAddresses?: readonly string[];
}

export async function computeCreatorMetrics(
  sql: Sql,
  options: ComputeMetricsOptions,
): Promise<CreatorMetrics[]> {
  const inputs = await loadCreatorMetricInputs(sql, {
    asOf: options.asOf,
    ...(options.walletAddresses === undefined ? {} : { walletAddresses: options.walletAddresses }),
  });
  const coins = inputs.flatMap((row) => (row.coinAddress === null ? [] : [row.coinAddress.toLowerCase()]));
  const source = options.prices ?? noCoinPrices;
  const prices = coins.length === 0 ? new Map<string, bigint>() : await source.pricesAttoFilPerCoin(coins);
  return inputs.map((row) => {
    const engagement = engagementScore(row);
    const price = row.coinAddress === null ? undefined : prices.get(row.coinAddress.toLowerCase());
    const term = marketCapTerm(row.coinSupply === null ? null : row.coinSupply, price, source);
    const coinShare = term.valueAttoFil;
    const monthlyRevenueAttoFil = row.purchasesLast30DaysAttoFil + row.tipsLast30DaysAttoFil + coinShare;
    const onChain: OnChainCreatorMetrics = {
      totalPlays: BigInt(row.totalPlays),
      followers: BigInt(row.followers),
      engagementScoreX100: BigInt(engagement.scoreX100),
      monthlyRevenueAttoFil,
    };
    return {
      ...row,
      engagement,
      coinValueShareAttoFil: coinShare,
      marketCapTerm: term,
      monthlyRevenueAttoFil,
      onChain,
      fingerprint: metricsFingerprint(onChain),
    };
  });
}
