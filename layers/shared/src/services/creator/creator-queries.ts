/**
 * The reads behind the creator API: one creator's metrics (live from the database, beside what
 * the oracle last confirmed on-chain), milestones and coin, and the sync log for operators.
 */

import { confirmedState } from '../../adapters/db/creator/chain-state-store.ts';
import { coinOf } from '../../adapters/db/creator/coin-store.ts';
import { type CreatorRef, liveCreatorByAddress } from '../../adapters/db/creator/creator-store.ts';
import { milestonesOf } from '../../adapters/db/creator/milestone-store.ts';
import { type SyncLogFilter, syncLogs } from '../../adapters/db/creator/sync-log-store.ts';
import { type CoinLaunchThresholds, DEFAULT_COIN_LAUNCH_THRESHOLDS } from '../../core/creator/coin-launch.ts';
import { NotFoundError } from '../../errors.ts';
import { type CoinPriceSource, noCoinPrices } from '../../ports/coin-price-source.ts';
import type { CreatorContracts } from '../../ports/creator-contracts.ts';
import type { Sql } from '../../ports/sql.ts';
import { computeCreatorMetrics, marketCapTerm, marketCapTermView } from './creator-metrics.ts';

export type { SyncLogFilter } from '../../adapters/db/creator/sync-log-store.ts';

const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());

async function requireCreator(sql: Sql, address: string): Promise<CreatorRef> {
  const creator = await liveCreatorByAddress(sql, address);
  if (creator === undefined) throw new NotFoundError(`no creator with address ${address}`);
  return creator;
}

export async function creatorMetricsView(sql: Sql, address: string, asOf: Date, prices?: CoinPriceSource) {
  await requireCreator(sql, address);
  const [m] = await computeCreatorMetrics(sql, {
    asOf,
    walletAddresses: [address],
    ...(prices === undefined ? {} : { prices }),
  });
  if (m === undefined) throw new NotFoundError(`no creator with address ${address}`);
  const chain = await confirmedState(sql, m.creatorId);
  return {
    address: m.walletAddress,
    stageName: m.stageName,
    asOf: asOf.toISOString(),
    totalPlays: m.totalPlays,
    followers: m.followers,
    likes: m.likes,
    comments: m.comments,
    tracksLast30Days: m.tracksLast30Days,
    engagementScore: {
      score: m.engagement.score,
      playToFollowerRatio: m.engagement.playToFollowerRatio,
      interactionRate: m.engagement.interactionRate,
      contentConsistency: m.engagement.contentConsistency,
      scoreX100: m.engagement.scoreX100,
    },
    monthlyRevenue: {
      totalAttoFil: m.monthlyRevenueAttoFil.toString(),
      trackSalesAttoFil: m.purchasesLast30DaysAttoFil.toString(),
      tipsAttoFil: m.tipsLast30DaysAttoFil.toString(),
      coinValueShareAttoFil: m.coinValueShareAttoFil.toString(),
      marketCapTerm: marketCapTermView(m.marketCapTerm),
    },
    onChain:
      chain === undefined || chain.confirmedAt === null
        ? {
            confirmed: null,
            syncPending: chain?.pendingRequestId != null,
            divergedSince: iso(chain?.divergedSince ?? null),
          }
        : {
            confirmed: {
              totalPlays: chain.confirmedTotalPlays,
              followers: chain.confirmedFollowers,
              engagementScoreX100: chain.confirmedScoreX100,
              monthlyRevenueAttoFil: chain.confirmedRevenueAttoFil,
              confirmedAt: iso(chain.confirmedAt),
              txHash: chain.confirmedTxHash,
            },
            syncPending: chain.pendingRequestId !== null,
            divergedSince: iso(chain.divergedSince),
          },
  };
}

export async function creatorMilestonesView(sql: Sql, address: string) {
  const creator = await requireCreator(sql, address);
  const rows = await milestonesOf(sql, creator.id);
  return {
    address,
    stageName: creator.stageName,
    milestones: rows.map((r) => ({
      id: r.milestone,
      kind: r.kind,
      threshold: r.threshold,
      valueAtReach: r.valueAtReach,
      description: r.description,
      reachedAt: iso(r.reachedAt),
    })),
  };
}

export interface CoinViewOptions {
  /** For the answer when there is no coin yet. @default 50,000 plays and 5,000 followers */
  readonly coinLaunch?: CoinLaunchThresholds;
  /** Prices the coin for its market-cap term. @default no price oracle */
  readonly prices?: CoinPriceSource;
  /** Reads `calculateIntrinsicValue`; without them the value is null with the reason. */
  readonly contracts?: Pick<CreatorContracts, 'calculateIntrinsicValue'>;
  /** Told when the contract could not be read (the answer says only that). */
  readonly onChainError?: (error: unknown) => void;
}

/** `CreatorMetricsManager.calculateIntrinsicValue(creator)`, or why it is not shown. */
async function intrinsicValue(address: string, options: CoinViewOptions) {
  if (options.contracts === undefined)
    return { valueAttoFil: null, reason: 'the creator contracts are not configured' };
  try {
    return { valueAttoFil: (await options.contracts.calculateIntrinsicValue(address)).toString() };
  } catch (error) {
    // The RPC error can name the endpoint (keys in its URL): logged, never answered.
    options.onChainError?.(error);
    return { valueAttoFil: null, reason: 'the chain could not be read' };
  }
}

export async function creatorCoinView(sql: Sql, address: string, options: CoinViewOptions = {}) {
  const coinLaunch = options.coinLaunch ?? DEFAULT_COIN_LAUNCH_THRESHOLDS;
  const creator = await requireCreator(sql, address);
  const coin = await coinOf(sql, creator.id);
  if (coin === undefined) {
    throw new NotFoundError(
      `creator ${address} has no coin: a coin is launched at ${coinLaunch.minPlays} plays and ${coinLaunch.minFollowers} followers`,
    );
  }
  const prices = options.prices ?? noCoinPrices;
  const launched =
    coin.status === 'launched' && coin.coinAddress !== null ? coin.coinAddress.toLowerCase() : null;
  const price = launched === null ? undefined : (await prices.pricesAttoFilPerCoin([launched])).get(launched);
  return {
    address,
    stageName: creator.stageName,
    name: coin.name,
    symbol: coin.symbol,
    decimals: 18,
    initialSupply: coin.initialSupply,
    status: coin.status,
    coinAddress: coin.coinAddress,
    txHash: coin.txHash,
    launchedAt: iso(coin.launchedAt),
    error: coin.error,
    marketCapTerm: marketCapTermView(
      marketCapTerm(launched === null ? null : BigInt(coin.initialSupply), price, prices),
    ),
    intrinsicValue: await intrinsicValue(address, options),
  };
}

export async function listSyncLogs(sql: Sql, filter: SyncLogFilter) {
  const logs = (await syncLogs(sql, filter)).map((r) => ({
    id: r.id,
    runId: r.runId,
    operation: r.operation,
    creator: r.creator,
    requestId: r.requestId,
    status: r.status,
    txHash: r.txHash,
    gasUsed: r.gasUsed,
    blockNumber: r.blockNumber,
    retries: r.retries,
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
    durationMs: r.durationMs,
    details: r.details,
    createdAt: iso(r.createdAt),
    completedAt: iso(r.completedAt),
  }));
  return { logs, nextBefore: logs.length === filter.limit ? logs.at(-1)?.id : undefined };
}
