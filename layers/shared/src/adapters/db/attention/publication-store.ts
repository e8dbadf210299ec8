/**
 * The named queries of attention.publications: one row per root to publish, moved through
 * pending → queued → sent → published | expired by the publisher (services/attention/publisher.ts).
 * Every function takes the client or the open transaction it must run in.
 */

import type { publications } from '../../../../../../drizzle/schema/attention.ts';
import type { Queryable } from '../../../ports/sql.ts';

type PublicationColumns = typeof publications.$inferSelect;

/** A publication as the publisher works with it. */
export type Publication = Pick<
  PublicationColumns,
  | 'epoch'
  | 'channel'
  | 'tokenGroup'
  | 'mint'
  | 'mode'
  | 'root'
  | 'status'
  | 'signature'
  | 'lastValidBlockHeight'
  | 'signedTransaction'
  | 'recentBlockhash'
  | 'queuedAt'
>;

/** A published root RootPublished has not announced yet. */
export type UnannouncedPublication = Pick<
  PublicationColumns,
  'epoch' | 'channel' | 'root' | 'signature' | 'slot'
>;

export interface PublicationKey {
  readonly epoch: number;
  readonly channel: string;
}

/** What is recorded with a signature before the transaction goes out. */
export interface SignedPublication {
  readonly signature: string;
  readonly lastValidBlockHeight: bigint;
  /** The signed transaction, base64. */
  readonly signedTransaction: string;
  readonly recentBlockhash: string;
  /** The root the transaction overwrites in its ring slot (program mode), as read before signing. */
  readonly replaces: {
    readonly epoch: number;
    /** Its claimed bitmap, hex. */
    readonly bitmap: string;
    readonly readSlot: bigint;
  } | null;
}

// bigint columns are read as float8 and timestamps as text, whichever parsers the client was
// opened with; toPublication makes the text a Date.
const columns = (q: Queryable) => q`epoch::float8 as epoch, channel, token_group as "tokenGroup", mint, mode,
  root, status, signature, last_valid_block_height::float8 as "lastValidBlockHeight",
  signed_transaction as "signedTransaction", recent_blockhash as "recentBlockhash", queued_at::text as "queuedAt"`;

type PublicationText = Omit<Publication, 'queuedAt'> & { readonly queuedAt: string | null };

const toPublication = (row: PublicationText): Publication => ({
  ...row,
  queuedAt: row.queuedAt === null ? null : new Date(row.queuedAt),
});

/** Roots not published or expired yet, by channel then epoch. */
export async function listUnpublished(q: Queryable): Promise<Publication[]> {
  const rows = await q<PublicationText[]>`
    select ${columns(q)}
    from attention.publications
    where status in ('pending', 'queued', 'sent')
    order by channel, epoch`;
  return rows.map(toPublication);
}

/** Marks roots whose message went on the queue at `at` (a `sent` root stays `sent`). */
export async function markQueued(q: Queryable, keys: readonly PublicationKey[], at: Date): Promise<void> {
  await q`
    update attention.publications p set status = case when p.status = 'sent' then 'sent' else 'queued' end,
      queued_at = ${at.toISOString()}, updated_at = now()
    from unnest(${keys.map((k) => k.epoch)}::bigint[], ${keys.map((k) => k.channel)}::text[]) as t(epoch, channel)
    where p.epoch = t.epoch and p.channel = t.channel`;
}

/** Published roots not announced yet (all of them, or the one named), oldest publication first. */
export async function listUnannounced(
  q: Queryable,
  limit: number,
  only?: PublicationKey,
): Promise<UnannouncedPublication[]> {
  return q<UnannouncedPublication[]>`
    select epoch::float8 as epoch, channel, root, signature, slot::float8 as slot
    from attention.publications
    where status = 'published' and announced_at is null
      ${only === undefined ? q`` : q`and epoch = ${only.epoch} and channel = ${only.channel}`}
    order by published_at, epoch, channel
    limit ${limit}`;
}

export async function markAnnounced(q: Queryable, key: PublicationKey, at: Date): Promise<void> {
  await q`
    update attention.publications set announced_at = ${at.toISOString()}::timestamptz
    where epoch = ${key.epoch} and channel = ${key.channel} and announced_at is null`;
}

/** The publication, counting an attempt at it; undefined when there is none. */
export async function countAttempt(q: Queryable, key: PublicationKey): Promise<Publication | undefined> {
  const [row] = await q<PublicationText[]>`
    update attention.publications set attempts = attempts + 1, updated_at = now()
    where epoch = ${key.epoch} and channel = ${key.channel}
    returning ${columns(q)}`;
  return row === undefined ? undefined : toPublication(row);
}

export async function findPublication(q: Queryable, key: PublicationKey): Promise<Publication | undefined> {
  const [row] = await q<PublicationText[]>`
    select ${columns(q)} from attention.publications where epoch = ${key.epoch} and channel = ${key.channel}`;
  return row === undefined ? undefined : toPublication(row);
}

/** Records why the last attempt failed (at most 500 characters). */
export async function recordPublishError(q: Queryable, key: PublicationKey, message: string): Promise<void> {
  await q`update attention.publications set error = ${message.slice(0, 500)}, updated_at = now()
    where epoch = ${key.epoch} and channel = ${key.channel}`;
}

/**
 * Records a signed transaction before it is sent; false when the root is no longer publishable
 * (the scheduler expired it meanwhile).
 */
export async function recordSigned(
  q: Queryable,
  key: PublicationKey,
  signed: SignedPublication,
): Promise<boolean> {
  const { replaces } = signed;
  const recorded = await q`update attention.publications set status = 'sent', signature = ${signed.signature},
      last_valid_block_height = ${signed.lastValidBlockHeight.toString()},
      signed_transaction = ${signed.signedTransaction},
      recent_blockhash = ${signed.recentBlockhash},
      replaces_epoch = ${replaces?.epoch ?? null},
      replaces_bitmap = ${replaces?.bitmap ?? null},
      replaces_read_slot = ${replaces?.readSlot.toString() ?? null}, updated_at = now()
    where epoch = ${key.epoch} and channel = ${key.channel} and status in ('pending', 'queued', 'sent')
    returning 1`;
  return recorded.length > 0;
}

/** Marks the root published; what is null here keeps what was recorded before. */
export async function markPublished(
  q: Queryable,
  key: PublicationKey,
  landed: {
    readonly signature: string | null;
    readonly slot: bigint | null;
    readonly feeLamports: bigint | null;
    readonly at: Date;
  },
): Promise<void> {
  const { signature, slot, feeLamports } = landed;
  await q`update attention.publications set status = 'published', signature = coalesce(${signature}, signature),
      slot = coalesce(${slot === null ? null : slot.toString()}::bigint, slot),
      fee_lamports = coalesce(${feeLamports === null ? null : feeLamports.toString()}::bigint, fee_lamports),
      error = null, published_at = coalesce(published_at, ${landed.at.toISOString()}::timestamptz), updated_at = now()
    where epoch = ${key.epoch} and channel = ${key.channel}`;
}

/** Expires the root if its status is one of `fromStatuses`; false when it was not. */
export async function markExpired(
  q: Queryable,
  key: PublicationKey,
  reason: string,
  fromStatuses: readonly string[],
): Promise<boolean> {
  const updated =
    await q`update attention.publications set status = 'expired', error = ${reason}, updated_at = now()
    where epoch = ${key.epoch} and channel = ${key.channel} and status = any(${[...fromStatuses]}::text[])
    returning 1`;
  return updated.length > 0;
}

/** Whether a newer root of the channel recorded this epoch as the one it overwrote in its ring slot. */
export async function isRecordedAsReplaced(q: Queryable, key: PublicationKey): Promise<boolean> {
  const [seen] = await q`
    select 1 as seen from attention.publications
    where channel = ${key.channel} and epoch > ${key.epoch} and replaces_epoch = ${key.epoch} limit 1`;
  return seen !== undefined;
}
