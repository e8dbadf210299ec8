/**
 * The latest ranking of each kind (`market.rankings`), computed in the database from the hourly
 * rollups or the balances; a service replaces one kind in one transaction (delete, then insert).
 */
import type { marketRankings } from '../../../../../../drizzle/schema/market.ts';
import type { Queryable } from '../../../ports/sql.ts';

export type RankingKind = 'tokens_by_volume_24h' | 'credentials_by_tokens_generated';

/** A stored ranking row with the symbol of the token it ranks (null for anything else). */
export type RankingRow = Pick<
  typeof marketRankings.$inferSelect,
  'rank' | 'subject' | 'score' | 'computedAt'
> & {
  readonly symbol: string | null;
  readonly details: Record<string, unknown>;
};

export async function deleteRankings(q: Queryable, kind: RankingKind): Promise<void> {
  await q`delete from market.rankings where kind = ${kind}`;
}

/**
 * Ranks tokens by the quote volume of their pools' buckets from `since` (unix seconds) onward;
 * returns how many rows it wrote.
 */
export async function insertTokenVolumeRanking(
  q: Queryable,
  chainId: number,
  since: number,
): Promise<number> {
  const inserted = await q`
    insert into market.rankings (kind, rank, subject, score, details)
    select 'tokens_by_volume_24h', row_number() over (order by sum(quote_volume) desc, base_token),
           base_token, sum(quote_volume),
           jsonb_build_object('trades', sum(trades), 'baseVolume', sum(base_volume)::text, 'since', ${since}::bigint)
    from market.volume_metrics
    where chain_id = ${chainId} and bucket_start >= ${since}
    group by base_token`;
  return inserted.count;
}

/** Ranks credentials by the tokens they accrued; returns how many rows it wrote. */
export async function insertCredentialRanking(q: Queryable): Promise<number> {
  const inserted = await q`
    insert into market.rankings (kind, rank, subject, score, details)
    select 'credentials_by_tokens_generated', row_number() over (order by accrued desc, credential_id),
           credential_id, accrued, jsonb_build_object('holder', holder, 'claimed', claimed::text)
    from market.claimable_balances`;
  return inserted.count;
}

/** The first `limit` rows of a ranking, by rank. */
export async function rankings(q: Queryable, kind: RankingKind, limit: number): Promise<RankingRow[]> {
  const rows = await q<
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

/** The token ranking computed from raw swaps (no rollups): the benchmark's peer of the stored one. */
export async function tokenRankingFromSwaps(
  q: Queryable,
  chainId: number,
  since: number,
  limit: number,
): Promise<{ subject: string; score: string }[]> {
  return q<{ subject: string; score: string }[]>`
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
