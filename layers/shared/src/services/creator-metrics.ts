/**
 * The metrics the oracle publishes for every creator: the SQL totals, the engagement score of
 * `core/creator`, and monthly revenue = track sales + tips + 10 % of the coin's market cap where
 * the price source knows the coin's price (DESIGN.md section 5).
 */
import type { Sql } from '../adapters/db/client.ts';
import { type CreatorMetricInputs, loadCreatorMetricInputs } from '../adapters/db/creator-metrics-repo.ts';
import { type EngagementScore, engagementScore } from '../core/creator/engagement-score.ts';
import { metricsFingerprint, type OnChainCreatorMetrics } from '../core/creator/metrics-fingerprint.ts';
import { coinValueShareAttoFil } from '../core/creator/revenue.ts';
import { type CoinPriceSource, noCoinPrices } from '../ports/coin-price-source.ts';

export interface CreatorMetrics extends CreatorMetricInputs {
  readonly engagement: EngagementScore;
  readonly coinValueShareAttoFil: bigint;
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
  const prices =
    coins.length === 0
      ? new Map<string, bigint>()
      : await (options.prices ?? noCoinPrices).pricesAttoFilPerCoin(coins);
  return inputs.map((row) => {
    const engagement = engagementScore(row);
    const price = row.coinAddress === null ? undefined : prices.get(row.coinAddress.toLowerCase());
    const coinShare =
      price === undefined || row.coinSupply === null ? 0n : coinValueShareAttoFil(price, row.coinSupply);
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
      monthlyRevenueAttoFil,
      onChain,
      fingerprint: metricsFingerprint(onChain),
    };
  });
}
