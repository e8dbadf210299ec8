/**
 * Per creator, what the oracle last enqueued (pending) and what is confirmed on-chain
 * (`creator.creator_chain_state`), with `diverged_since`: since when the database's metrics differ
 * from the confirmed ones, which the staleness alarm reads.
 */
import type { creatorChainState } from '../../../../../../drizzle/schema/creator.ts';
import type { Queryable } from '../../../ports/sql.ts';

type ChainState = typeof creatorChainState.$inferSelect;

export type SentState = Pick<
  ChainState,
  'creatorId' | 'pendingFingerprint' | 'confirmedFingerprint' | 'generation'
>;

/** Every creator's last sent metrics, by creator id. */
export async function sentStates(q: Queryable): Promise<Map<string, SentState>> {
  const rows = await q<
    {
      creator_id: string;
      pending_fingerprint: string | null;
      confirmed_fingerprint: string | null;
      generation: number;
    }[]
  >`select creator_id, pending_fingerprint, confirmed_fingerprint, generation from creator.creator_chain_state`;
  return new Map(
    rows.map((row) => [
      row.creator_id,
      {
        creatorId: row.creator_id,
        pendingFingerprint: row.pending_fingerprint,
        confirmedFingerprint: row.confirmed_fingerprint,
        generation: row.generation,
      },
    ]),
  );
}

export async function pendingRequestIds(q: Queryable): Promise<string[]> {
  const rows = await q<{ pending_request_id: string }[]>`
    select pending_request_id from creator.creator_chain_state where pending_request_id is not null`;
  return rows.map((row) => row.pending_request_id);
}

export interface ConfirmedCall {
  readonly requestId: string;
  readonly transactionHash: string | null;
  readonly completedAt: Date | null;
}

/** The pending metrics of these succeeded calls become the confirmed ones. */
export async function confirmPending(q: Queryable, calls: readonly ConfirmedCall[]): Promise<void> {
  await q`
    update creator.creator_chain_state s set
      confirmed_fingerprint = s.pending_fingerprint,
      confirmed_total_plays = s.pending_total_plays,
      confirmed_followers = s.pending_followers,
      confirmed_score_x100 = s.pending_score_x100,
      confirmed_revenue_atto_fil = s.pending_revenue_atto_fil,
      confirmed_at = coalesce(o.completed_at, now()),
      confirmed_tx_hash = o.tx_hash,
      pending_fingerprint = null, pending_request_id = null, pending_enqueued_at = null,
      pending_total_plays = null, pending_followers = null, pending_score_x100 = null,
      pending_revenue_atto_fil = null, updated_at = now()
    from unnest(
      ${q.array(calls.map((o) => o.requestId))}::text[],
      ${q.array(calls.map((o) => o.transactionHash ?? ''))}::text[],
      ${q.array(calls.map((o) => (o.completedAt ?? new Date()).toISOString()))}::timestamptz[]
    ) as o(request_id, tx_hash, completed_at)
    where s.pending_request_id = o.request_id`;
}

/**
 * Clears the pending metrics of calls that ended without success. Those in `failed` also raise
 * the creator's generation, so the same metrics go out again under a new request id.
 */
export async function dropPending(
  q: Queryable,
  dropped: readonly string[],
  failed: readonly string[],
): Promise<void> {
  await q`
    update creator.creator_chain_state set
      generation = generation + case when ${q.array([...failed])}::text[] @> array[pending_request_id] then 1 else 0 end,
      pending_fingerprint = null, pending_request_id = null, pending_enqueued_at = null,
      pending_total_plays = null, pending_followers = null, pending_score_x100 = null,
      pending_revenue_atto_fil = null, updated_at = now()
    where pending_request_id = any(${q.array([...dropped])}::text[])`;
}

/** Metrics just enqueued for a creator under `requestId`. */
export interface PendingMetrics {
  readonly creatorId: string;
  readonly fingerprint: string;
  readonly requestId: string;
  readonly totalPlays: number;
  readonly followers: number;
  readonly engagementScoreX100: number;
  readonly monthlyRevenueAttoFil: bigint;
}

/** Records enqueued metrics as pending; a re-enqueued request keeps its first enqueue time. */
export async function markPending(q: Queryable, at: Date, pending: readonly PendingMetrics[]): Promise<void> {
  await q`
    insert into creator.creator_chain_state as s
      (creator_id, pending_fingerprint, pending_request_id, pending_enqueued_at, pending_total_plays,
       pending_followers, pending_score_x100, pending_revenue_atto_fil, updated_at)
    select d.creator_id, d.fingerprint, d.request_id, ${at.toISOString()}::timestamptz, d.plays, d.followers, d.score, d.revenue, now()
    from unnest(
      ${q.array(pending.map((m) => m.creatorId))}::uuid[],
      ${q.array(pending.map((m) => m.fingerprint))}::text[],
      ${q.array(pending.map((m) => m.requestId))}::text[],
      ${q.array(pending.map((m) => m.totalPlays))}::bigint[],
      ${q.array(pending.map((m) => m.followers))}::bigint[],
      ${q.array(pending.map((m) => m.engagementScoreX100))}::int[],
      ${q.array(pending.map((m) => m.monthlyRevenueAttoFil.toString()))}::numeric[]
    ) as d(creator_id, fingerprint, request_id, plays, followers, score, revenue)
    on conflict (creator_id) do update set
      pending_fingerprint = excluded.pending_fingerprint,
      pending_request_id = excluded.pending_request_id,
      pending_enqueued_at = coalesce(
        case when s.pending_request_id = excluded.pending_request_id then s.pending_enqueued_at end,
        excluded.pending_enqueued_at),
      pending_total_plays = excluded.pending_total_plays,
      pending_followers = excluded.pending_followers,
      pending_score_x100 = excluded.pending_score_x100,
      pending_revenue_atto_fil = excluded.pending_revenue_atto_fil,
      updated_at = now()`;
}

/**
 * Sets `diverged_since` (to `at`, unless already set) where the database's fingerprint differs
 * from the confirmed one, and clears it where they match again.
 */
export async function updateDivergence(
  q: Queryable,
  at: Date,
  current: readonly { readonly creatorId: string; readonly fingerprint: string }[],
): Promise<void> {
  await q`
    update creator.creator_chain_state s set
      diverged_since = case when s.confirmed_fingerprint is distinct from d.fingerprint
                            then coalesce(s.diverged_since, ${at.toISOString()}::timestamptz) end
    from unnest(
      ${q.array(current.map((m) => m.creatorId))}::uuid[],
      ${q.array(current.map((m) => m.fingerprint))}::text[]
    ) as d(creator_id, fingerprint)
    where s.creator_id = d.creator_id
      and (s.diverged_since is null) = (s.confirmed_fingerprint is distinct from d.fingerprint)`;
}

/** The oldest divergence among live creators, and how many have diverged for over two hours. */
export async function divergenceSummary(q: Queryable, at: Date) {
  const [row] = await q<{ oldest: string | null; over_limit: number }[]>`
    select min(s.diverged_since) as oldest,
           count(*) filter (where s.diverged_since < ${at.toISOString()}::timestamptz - interval '2 hours')::int as over_limit
    from creator.creator_chain_state s join creator.creators c on c.id = s.creator_id and c.deleted_at is null
    where s.diverged_since is not null`;
  return {
    oldest: row?.oldest == null ? undefined : new Date(row.oldest),
    overLimit: row?.over_limit ?? 0,
  };
}
