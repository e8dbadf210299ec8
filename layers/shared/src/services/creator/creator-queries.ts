/**
 * The reads behind the creator API: one creator's metrics (live from the database, beside what
 * the oracle last confirmed on-chain), milestones and coin, and the sync log for operators.
 */

import { type CoinLaunchThresholds, DEFAULT_COIN_LAUNCH_THRESHOLDS } from '../../core/creator/coin-launch.ts';
import { NotFoundError } from '../../errors.ts';
import { type CoinPriceSource, noCoinPrices } from '../../ports/coin-price-source.ts';
import type { CreatorContracts } from '../../ports/creator-contracts.ts';
import type { Sql } from '../../ports/sql.ts';
import { computeCreatorMetrics, marketCapTerm, marketCapTermView } from './creator-metrics.ts';

const iso = (value: string | Date | null): string | null =>
  value === null ? null : (value instanceof Date ? value : new Date(value)).toISOString();

async function requireCreator(sql: Sql, address: string): Promise<{ id: string; stage_name: string }> {
  const [creator] = await sql<{ id: string; stage_name: string }[]>`
    select id, stage_name from creator.creators where wallet_address = ${address} and deleted_at is null`;
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
  const [chain] = await sql<
    {
      confirmed_total_plays: bigint | null;
      confirmed_followers: bigint | null;
      confirmed_score_x100: number | null;
      confirmed_revenue_atto_fil: string | null;
      confirmed_at: string | null;
      confirmed_tx_hash: string | null;
      pending_request_id: string | null;
      diverged_since: string | null;
    }[]
  >`
    select confirmed_total_plays, confirmed_followers, confirmed_score_x100, confirmed_revenue_atto_fil::text,
           confirmed_at, confirmed_tx_hash, pending_request_id, diverged_since
    from creator.creator_chain_state where creator_id = ${m.creatorId}`;
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
      chain === undefined || chain.confirmed_at === null
        ? {
            confirmed: null,
            syncPending: chain?.pending_request_id != null,
            divergedSince: iso(chain?.diverged_since ?? null),
          }
        : {
            confirmed: {
              totalPlays: chain.confirmed_total_plays === null ? null : Number(chain.confirmed_total_plays),
              followers: chain.confirmed_followers === null ? null : Number(chain.confirmed_followers),
              engagementScoreX100: chain.confirmed_score_x100,
              monthlyRevenueAttoFil: chain.confirmed_revenue_atto_fil,
              confirmedAt: iso(chain.confirmed_at),
              txHash: chain.confirmed_tx_hash,
            },
            syncPending: chain.pending_request_id !== null,
            divergedSince: iso(chain.diverged_since),
          },
  };
}

export async function creatorMilestonesView(sql: Sql, address: string) {
  const creator = await requireCreator(sql, address);
  const rows = await sql<
    {
      milestone: string;
      kind: string;
      threshold: string;
      value_at_reach: string;
      description: string;
      reached_at: string;
    }[]
  >`
    select milestone, kind, threshold::text, value_at_reach::text, description, reached_at
    from creator.creator_milestones where creator_id = ${creator.id} order by reached_at, id`;
  return {
    address,
    stageName: creator.stage_name,
    milestones: rows.map((r) => ({
      id: r.milestone,
      kind: r.kind,
      threshold: r.threshold,
      valueAtReach: r.value_at_reach,
      description: r.description,
      reachedAt: iso(r.reached_at),
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
  const [coin] = await sql<
    {
      name: string;
      symbol: string;
      initial_supply: string;
      status: string;
      coin_address: string | null;
      tx_hash: string | null;
      launched_at: string | null;
      error: string | null;
    }[]
  >`
    select name, symbol, initial_supply::text, status, coin_address, tx_hash, launched_at, error
    from creator.creator_coins where creator_id = ${creator.id}`;
  if (coin === undefined) {
    throw new NotFoundError(
      `creator ${address} has no coin: a coin is launched at ${coinLaunch.minPlays} plays and ${coinLaunch.minFollowers} followers`,
    );
  }
  const prices = options.prices ?? noCoinPrices;
  const launched =
    coin.status === 'launched' && coin.coin_address !== null ? coin.coin_address.toLowerCase() : null;
  const price = launched === null ? undefined : (await prices.pricesAttoFilPerCoin([launched])).get(launched);
  return {
    address,
    stageName: creator.stage_name,
    name: coin.name,
    symbol: coin.symbol,
    decimals: 18,
    initialSupply: coin.initial_supply,
    status: coin.status,
    coinAddress: coin.coin_address,
    txHash: coin.tx_hash,
    launchedAt: iso(coin.launched_at),
    error: coin.error,
    marketCapTerm: marketCapTermView(
      marketCapTerm(launched === null ? null : BigInt(coin.initial_supply), price, prices),
    ),
    intrinsicValue: await intrinsicValue(address, options),
  };
}

export interface SyncLogFilter {
  readonly operation?: string;
  readonly status?: string;
  readonly creator?: string;
  readonly since?: Date;
  /** Only rows with a smaller id (the previous page's `nextBefore`). */
  readonly before?: number;
  readonly limit: number;
}

export async function listSyncLogs(sql: Sql, filter: SyncLogFilter) {
  const rows = await sql<
    {
      id: number;
      run_id: string;
      operation: string;
      wallet_address: string | null;
      request_id: string | null;
      status: string;
      tx_hash: string | null;
      gas_used: number | null;
      block_number: number | null;
      retries: number;
      error_code: string | null;
      error_message: string | null;
      duration_ms: number | null;
      details: unknown;
      created_at: string;
      completed_at: string | null;
    }[]
  >`
    select l.id::int, l.run_id, l.operation, c.wallet_address, l.request_id, l.status, l.tx_hash, l.gas_used::float8 as gas_used,
           l.block_number::float8 as block_number, l.retries, l.error_code, l.error_message, l.duration_ms, l.details,
           l.created_at, l.completed_at
    from creator.oracle_sync_logs l left join creator.creators c on c.id = l.creator_id
    where true
      ${filter.operation === undefined ? sql`` : sql`and l.operation = ${filter.operation}`}
      ${filter.status === undefined ? sql`` : sql`and l.status = ${filter.status}`}
      ${filter.creator === undefined ? sql`` : sql`and c.wallet_address = ${filter.creator}`}
      ${filter.since === undefined ? sql`` : sql`and l.created_at >= ${filter.since.toISOString()}::timestamptz`}
      ${filter.before === undefined ? sql`` : sql`and l.id < ${filter.before}`}
    order by l.id desc
    limit ${filter.limit}`;
  const logs = rows.map((r) => ({
    id: r.id,
    runId: r.run_id,
    operation: r.operation,
    creator: r.wallet_address,
    requestId: r.request_id,
    status: r.status,
    txHash: r.tx_hash,
    gasUsed: r.gas_used,
    blockNumber: r.block_number,
    retries: r.retries,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    durationMs: r.duration_ms,
    details: typeof r.details === 'string' ? (JSON.parse(r.details) as unknown) : r.details,
    createdAt: iso(r.created_at),
    completedAt: iso(r.completed_at),
  }));
  return { logs, nextBefore: logs.length === filter.limit ? logs.at(-1)?.id : undefined };
}
