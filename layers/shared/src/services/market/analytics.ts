/**
 * Market analytics over the hourly rollups: overview, token rankings by quote volume, credential
 * rankings by tokens generated, and a token's volume series. Windows are whole hour buckets
 * ending with the bucket of `now` (chain time), so "24 h" covers the current partial hour and the
 * 24 full hours before it at most.
 */

import { HOUR, hourBucket } from '../../core/market/volume.ts';
import type { Sql } from '../../ports/sql.ts';
import { latestChainTime } from './price-oracle.ts';

export const RANKING_KINDS = ['tokens_by_volume_24h', 'credentials_by_tokens_generated'] as const;
export type RankingKind = (typeof RANKING_KINDS)[number];

export interface RankingRow {
  readonly rank: number;
  readonly subject: string;
  readonly score: string;
  readonly symbol: string | null;
  readonly details: Record<string, unknown>;
  readonly computedAt: Date;
}

export async function chainNow(sql: Sql, chainId: number, fallback: number): Promise<number> {
  return (await latestChainTime(sql, chainId)) ?? fallback;
}

/** Recomputes the token ranking from the rollups and replaces the stored one in one transaction. */
export async function computeTokenRankings(sql: Sql, chainId: number, now: number): Promise<number> {
  const since = hourBucket(now) - 24 * HOUR;
  return sql.begin(async (tx) => {
    await tx`delete from market.rankings where kind = 'tokens_by_volume_24h'`;
    const inserted = await tx`
      insert into market.rankings (kind, rank, subject, score, details)
      select 'tokens_by_volume_24h', row_number() over (order by sum(quote_volume) desc, base_token),
             base_token, sum(quote_volume),
             jsonb_build_object('trades', sum(trades), 'baseVolume', sum(base_volume)::text, 'since', ${since}::bigint)
      from market.volume_metrics
      where chain_id = ${chainId} and bucket_start >= ${since}
      group by base_token`;
    return inserted.count;
  }) as Promise<number>;
}

export async function computeCredentialRankings(sql: Sql): Promise<number> {
  return sql.begin(async (tx) => {
    await tx`delete from market.rankings where kind = 'credentials_by_tokens_generated'`;
    const inserted = await tx`
      insert into market.rankings (kind, rank, subject, score, details)
      select 'credentials_by_tokens_generated', row_number() over (order by accrued desc, credential_id),
             credential_id, accrued, jsonb_build_object('holder', holder, 'claimed', claimed::text)
      from market.claimable_balances`;
    return inserted.count;
  }) as Promise<number>;
}

export async function getRankings(sql: Sql, kind: RankingKind, limit: number): Promise<RankingRow[]> {
  const rows = await sql<
    {
      rank: number;
      subject: string;
      score: string;
      symbol: string | null;
      details: Record<string, unknown>;
      computed_at: Date;
    }[]
  >`
    select r.rank, r.subject, r.score::text, t.symbol, r.details, r.computed_at
    from market.rankings r
    left join lateral (select symbol from market.tokens where address = r.subject limit 1) t on true
    where r.kind = ${kind}
    order by r.rank limit ${limit}`;
  return rows.map((row) => ({
    rank: row.rank,
    subject: row.subject,
    score: row.score,
    symbol: row.symbol,
    details: row.details,
    computedAt: row.computed_at,
  }));
}

/** The same token ranking computed from raw transactions (no rollups): the benchmark's peer. */
export async function tokenRankingFromTransactions(
  sql: Sql,
  chainId: number,
  now: number,
  limit: number,
): Promise<{ subject: string; score: string }[]> {
  const since = hourBucket(now) - 24 * HOUR;
  return sql<{ subject: string; score: string }[]>`
    select p.base_token as subject,
      sum(case when p.base_token = p.token0 then t.amount1_in + t.amount1_out else t.amount0_in + t.amount0_out end)::text as score
    from market.transactions t
    join market.pools p on p.chain_id = t.chain_id and p.address = t.pool_address
    where t.chain_id = ${chainId} and t.kind = 'swap' and t.block_timestamp >= ${since}
    group by p.base_token
    order by sum(case when p.base_token = p.token0 then t.amount1_in + t.amount1_out else t.amount0_in + t.amount0_out end) desc,
             p.base_token
    limit ${limit}`;
}

export interface MarketOverview {
  readonly asOf: number;
  readonly tokens: number;
  readonly pools: number;
  readonly volume24hQuote: string;
  readonly trades24h: number;
  readonly tvlQuote: string;
  readonly topToken: { address: string; symbol: string | null; volume24hQuote: string } | null;
}

export async function marketOverview(sql: Sql, chainId: number, now: number): Promise<MarketOverview> {
  const since = hourBucket(now) - 24 * HOUR;
  const [row] = await sql<
    {
      tokens: bigint;
      pools: bigint;
      volume: string;
      trades: bigint;
      tvl: string;
      top_address: string | null;
      top_symbol: string | null;
      top_volume: string | null;
    }[]
  >`
    with volume as (
      select base_token, sum(quote_volume) as quote_volume, sum(trades) as trades
      from market.volume_metrics where chain_id = ${chainId} and bucket_start >= ${since}
      group by base_token
    ), top as (
      select v.base_token, v.quote_volume, t.symbol from volume v
      left join market.tokens t on t.chain_id = ${chainId} and t.address = v.base_token
      order by v.quote_volume desc, v.base_token limit 1
    ), tvl as (
      select distinct on (pool_address) tvl_quote from market.liquidity_metrics
      where chain_id = ${chainId} order by pool_address, bucket_start desc
    )
    select
      (select count(*) from market.tokens where chain_id = ${chainId}) as tokens,
      (select count(*) from market.pools where chain_id = ${chainId}) as pools,
      (select coalesce(sum(quote_volume), 0)::text from volume) as volume,
      (select coalesce(sum(trades), 0) from volume) as trades,
      (select coalesce(sum(tvl_quote), 0)::text from tvl) as tvl,
      (select base_token from top) as top_address,
      (select symbol from top) as top_symbol,
      (select quote_volume::text from top) as top_volume`;
  return {
    asOf: now,
    tokens: Number(row?.tokens ?? 0n),
    pools: Number(row?.pools ?? 0n),
    volume24hQuote: row?.volume ?? '0',
    trades24h: Number(row?.trades ?? 0n),
    tvlQuote: row?.tvl ?? '0',
    topToken:
      row?.top_address === null || row?.top_address === undefined
        ? null
        : { address: row.top_address, symbol: row.top_symbol, volume24hQuote: row.top_volume ?? '0' },
  };
}

export interface VolumePoint {
  readonly bucketStart: number;
  readonly baseVolume: string;
  readonly quoteVolume: string;
  readonly trades: number;
}

export async function tokenVolume(
  sql: Sql,
  chainId: number,
  token: string,
  now: number,
  hours: number,
): Promise<{
  token: string;
  hours: number;
  totalQuote: string;
  totalBase: string;
  trades: number;
  series: VolumePoint[];
}> {
  const since = hourBucket(now) - (hours - 1) * HOUR;
  const rows = await sql<{ bucket_start: bigint; base: string; quote: string; trades: bigint }[]>`
    select bucket_start, sum(base_volume)::text as base, sum(quote_volume)::text as quote, sum(trades) as trades
    from market.volume_metrics
    where chain_id = ${chainId} and base_token = ${token.toLowerCase()} and bucket_start >= ${since}
    group by bucket_start order by bucket_start`;
  const series = rows.map((row) => ({
    bucketStart: Number(row.bucket_start),
    baseVolume: row.base,
    quoteVolume: row.quote,
    trades: Number(row.trades),
  }));
  return {
    token: token.toLowerCase(),
    hours,
    totalQuote: series.reduce((sum, point) => sum + BigInt(point.quoteVolume), 0n).toString(),
    totalBase: series.reduce((sum, point) => sum + BigInt(point.baseVolume), 0n).toString(),
    trades: series.reduce((sum, point) => sum + point.trades, 0),
    series,
  };
}
