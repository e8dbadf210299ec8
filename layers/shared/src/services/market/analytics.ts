/**
 * Market analytics over the hourly rollups: overview, token rankings by quote volume, credential
 * rankings by tokens generated, and a token's volume series. Windows are whole hour buckets
 * ending with the bucket of `now` (chain time), so "24 h" covers the current partial hour and the
 * 24 full hours before it at most.
 */

import {
  deleteRankings,
  insertCredentialRanking,
  insertTokenVolumeRanking,
  type RankingKind,
  type RankingRow,
  rankings,
  tokenRankingFromSwaps,
} from '../../adapters/db/market/ranking-store.ts';
import { overviewTotals, tokenVolumeBuckets } from '../../adapters/db/market/rollup-store.ts';
import { HOUR, hourBucket, type VolumePoint, volumeTotals } from '../../core/market/volume.ts';
import type { Sql } from '../../ports/sql.ts';
import { latestChainTime } from './price-oracle.ts';

export const RANKING_KINDS = [
  'tokens_by_volume_24h',
  'credentials_by_tokens_generated',
] as const satisfies readonly RankingKind[];
export type { RankingKind, RankingRow, VolumePoint };

export async function chainNow(sql: Sql, chainId: number, fallback: number): Promise<number> {
  return (await latestChainTime(sql, chainId)) ?? fallback;
}

/** Recomputes the token ranking from the rollups and replaces the stored one in one transaction. */
export async function computeTokenRankings(sql: Sql, chainId: number, now: number): Promise<number> {
  const since = hourBucket(now) - 24 * HOUR;
  return sql.begin(async (tx) => {
    await deleteRankings(tx, 'tokens_by_volume_24h');
    return insertTokenVolumeRanking(tx, chainId, since);
  }) as Promise<number>;
}

export async function computeCredentialRankings(sql: Sql): Promise<number> {
  return sql.begin(async (tx) => {
    await deleteRankings(tx, 'credentials_by_tokens_generated');
    return insertCredentialRanking(tx);
  }) as Promise<number>;
}

export async function getRankings(sql: Sql, kind: RankingKind, limit: number): Promise<RankingRow[]> {
  return rankings(sql, kind, limit);
}

/** The same token ranking computed from raw transactions (no rollups): the benchmark's peer. */
export async function tokenRankingFromTransactions(
  sql: Sql,
  chainId: number,
  now: number,
  limit: number,
): Promise<{ subject: string; score: string }[]> {
  return tokenRankingFromSwaps(sql, chainId, hourBucket(now) - 24 * HOUR, limit);
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
  const row = await overviewTotals(sql, chainId, hourBucket(now) - 24 * HOUR);
  return {
    asOf: now,
    tokens: Number(row?.tokens ?? 0n),
    pools: Number(row?.pools ?? 0n),
    volume24hQuote: row?.volume ?? '0',
    trades24h: Number(row?.trades ?? 0n),
    tvlQuote: row?.tvl ?? '0',
    topToken:
      row?.topAddress === null || row?.topAddress === undefined
        ? null
        : { address: row.topAddress, symbol: row.topSymbol, volume24hQuote: row.topVolume ?? '0' },
  };
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
  const series = await tokenVolumeBuckets(sql, chainId, token.toLowerCase(), since);
  return { token: token.toLowerCase(), hours, ...volumeTotals(series), series };
}
