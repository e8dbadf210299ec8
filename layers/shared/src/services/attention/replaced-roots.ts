/**
 * What goes back to carried balances when a root stops being claimable (DESIGN.md section 5,
 * "No stranded amount"), exactly once per leaf and never a leaf that was claimed.
 *
 * A root overwritten in its ring slot: only after the overwriting transaction is confirmed,
 * every leaf that no claim reached before it executed. The claimed set is the bitmap the
 * publisher read before signing the overwrite (recorded with its signature), plus every
 * successful `claim_channel_open` of the old epoch on that channel_state account between that
 * read and the overwrite, found in the account's transaction history (getSignaturesForAddress
 * from the overwrite back to the read's slot, then getTransaction). When the history cannot
 * prove it (the cluster no longer has a transaction, or a root nobody recorded took the slot in
 * between), nothing returns, and the ReturnUndecided alarm asks an operator to settle it again
 * from an RPC that has the history (settleRecordedOverwrite, `oracle publication return`).
 *
 * A root that never landed and can no longer land: all its leaves, the same way.
 *
 * Each leaf returns under its own ledger key, `return:<epoch>:<channel>:<index>`, so a return
 * made again (a redelivered message, a retried transaction) credits nothing twice, and one
 * leaf's return never stands in for another's. Returns made before these keys existed were keyed
 * `return:<epoch>:<channel>`; a viewer already credited under that key is not credited again.
 */

import { channelStateCalls } from '../../core/solana/channel-history.ts';
import { channelSlotIndex, isClaimed } from '../../core/solana/channel-state.ts';
import { type EpochUnit, toOnChainEpoch } from '../../core/solana/onchain-epoch.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import { METRIC } from '../../metric-names.ts';
import { logger, MetricUnit, metrics } from '../../observability.ts';
import type { AttentionProgram, SolanaClient } from '../../ports/solana.ts';
import type { Sql } from '../../ports/sql.ts';
import { creditCarriedFrom } from './carry.ts';

/** The root a publication overwrites, as the publisher read it before signing. */
export interface ReplacedRoot {
  /** Epoch id (unix seconds of the hour) of the replaced root. */
  readonly epoch: number;
  readonly onChainEpoch: bigint;
  readonly claimedBitmap: Uint8Array;
  /** The slot the bitmap was read at: every claim of an earlier slot is in it. */
  readonly readSlot: bigint;
}

export interface OverwriteRef {
  readonly mint: string;
  readonly channel: string;
  /** The new root's epoch id. */
  readonly epoch: number;
  /** The confirmed transaction that set the new root. */
  readonly signature: string;
  /** The new root's on-chain epoch. */
  readonly onChainEpoch: bigint;
}

export type ClaimedSet =
  | { readonly decided: true; readonly claimed: ReadonlySet<number>; readonly transactionsRead: number }
  | { readonly decided: false; readonly reason: string };

const HISTORY_PAGE = 1000;

/**
 * The replaced root's leaves claimed before the overwrite executed: its bitmap as read, plus the
 * claims found in the channel's history between that read and the overwrite.
 */
export async function claimedBeforeOverwrite(
  deps: { readonly solana: SolanaClient; readonly program: AttentionProgram },
  overwrite: OverwriteRef,
  replaced: ReplacedRoot,
): Promise<ClaimedSet> {
  const claimed = new Set<number>();
  for (let index = 0; index < replaced.claimedBitmap.length * 8; index++) {
    if (isClaimed(replaced.claimedBitmap, index)) claimed.add(index);
  }
  const channelState = deps.program.channelStateAddress(overwrite.mint, overwrite.channel);
  const calls = { programAddress: deps.program.programAddress, channelState };
  const slotIndex = channelSlotIndex(replaced.onChainEpoch);
  let before = overwrite.signature;
  let transactionsRead = 0;
  for (;;) {
    const page = await deps.solana.getSignaturesForAddress(channelState, { before, limit: HISTORY_PAGE });
    for (const entry of page) {
      // Everything of an earlier slot than the read is in the bitmap already.
      if (entry.slot < replaced.readSlot) return { decided: true, claimed, transactionsRead };
      if (entry.err !== null) continue;
      const record = await deps.solana.getTransaction(entry.signature);
      transactionsRead += 1;
      if (record === null) {
        return { decided: false, reason: `the cluster no longer has transaction ${entry.signature}` };
      }
      const found = channelStateCalls([...record.instructions, ...record.innerInstructions], calls);
      for (const claim of found.claims) {
        if (claim.epoch === replaced.onChainEpoch) claimed.add(claim.index);
      }
      // The replaced root's own publication: no claim of it can be older.
      if (found.rootsSet.includes(replaced.onChainEpoch)) return { decided: true, claimed, transactionsRead };
      const intruder = found.rootsSet.find(
        (epoch) => epoch !== overwrite.onChainEpoch && channelSlotIndex(epoch) === slotIndex,
      );
      if (intruder !== undefined) {
        return {
          decided: false,
          reason: `transaction ${entry.signature} set epoch ${intruder} in the same ring slot after the bitmap was read`,
        };
      }
    }
    const last = page.at(-1);
    if (page.length < HISTORY_PAGE || last === undefined) break;
    before = last.signature;
  }
  return {
    decided: false,
    reason: `the history of ${channelState} ends before slot ${replaced.readSlot}, where the bitmap was read`,
  };
}

/**
 * Credits the leaves of the (epoch, channel) tree that are not in `claimed` to their owners'
 * carried balances, each once; returns how much was newly credited.
 */
export async function returnLeaves(
  sql: Sql,
  tree: { readonly epoch: number; readonly channel: string },
  claimed: ReadonlySet<number>,
  reason: string,
): Promise<bigint> {
  const [stored] = await sql<
    { token_group: string; dump: { claims: { index: number; amount: string; id: string }[] } }[]
  >`select token_group, dump from attention.merkle_trees where epoch = ${tree.epoch} and channel = ${tree.channel}`;
  if (stored === undefined) return 0n;
  const legacyKey = `return:${tree.epoch}:${tree.channel}`;
  const legacy = new Set(
    (
      await sql<{ user_hash: string }[]>`
        select user_hash from attention.carry_ledger where source_key = ${legacyKey} and token_group = ${stored.token_group}`
    ).map((row) => row.user_hash),
  );
  const credited = await creditCarriedFrom(
    sql,
    stored.dump.claims
      .filter((leaf) => !claimed.has(leaf.index) && !legacy.has(leaf.id))
      .map((leaf) => ({
        userHash: leaf.id,
        tokenGroup: stored.token_group,
        amount: BigInt(leaf.amount),
        sourceKey: `${legacyKey}:${leaf.index}`,
        reason,
      })),
  );
  await sql`update attention.publications set returned_at = coalesce(returned_at, now())
    where epoch = ${tree.epoch} and channel = ${tree.channel}`;
  metrics.addMetric(METRIC.carriedBalance, MetricUnit.Count, Number(credited));
  return credited;
}

/** The root a publication recorded it replaces (with its signature, before sending). */
export async function recordedReplacedRoot(
  sql: Sql,
  publication: { readonly epoch: number; readonly channel: string },
  epochUnit: EpochUnit,
): Promise<ReplacedRoot | undefined> {
  const [recorded] = await sql<
    { epoch: number | null; bitmap: string | null; read_slot: string | null }[]
  >`select replaces_epoch::float8 as epoch, replaces_bitmap as bitmap, replaces_read_slot::text as read_slot
    from attention.publications where epoch = ${publication.epoch} and channel = ${publication.channel}`;
  if (recorded?.epoch == null || recorded.bitmap === null || recorded.read_slot === null) return undefined;
  return {
    epoch: recorded.epoch,
    onChainEpoch: toOnChainEpoch(recorded.epoch, epochUnit),
    claimedBitmap: new Uint8Array(Buffer.from(recorded.bitmap, 'hex')),
    readSlot: BigInt(recorded.read_slot),
  };
}

/**
 * In the transaction that marks the overwriting root published: the replaced root's unclaimed
 * leaves return, or, when the history could not prove them, nothing does and the operator is
 * told (ReturnUndecided, and the replaced root's publication row says why).
 */
export async function settleReplacedRoot(
  sql: Sql,
  overwrite: { readonly channel: string; readonly epoch: number; readonly signature: string },
  replaced: ReplacedRoot,
  claimed: ClaimedSet,
): Promise<void> {
  const tree = { epoch: replaced.epoch, channel: overwrite.channel };
  if (claimed.decided) {
    const credited = await returnLeaves(sql, tree, claimed.claimed, 'ring slot reused');
    logger.info('overwritten root settled', {
      ...tree,
      overwrittenBy: overwrite.epoch,
      claimed: claimed.claimed.size,
      returned: credited.toString(),
      historyTransactionsRead: claimed.transactionsRead,
    });
    return;
  }
  logger.error('overwritten root: its unclaimed leaves could not be proven, nothing returned', {
    ...tree,
    overwrittenBy: overwrite.epoch,
    signature: overwrite.signature,
    reason: claimed.reason,
  });
  metrics.addMetric(METRIC.returnUndecided, MetricUnit.Count, 1);
  await sql`update attention.publications
    set error = ${`overwritten by epoch ${overwrite.epoch}; nothing returned: ${claimed.reason}`.slice(0, 500)}
    where epoch = ${tree.epoch} and channel = ${tree.channel}`;
}

export type RecordedOverwriteSettlement =
  | {
      readonly outcome: 'returned';
      readonly epoch: number;
      readonly claimed: number;
      readonly credited: bigint;
    }
  | { readonly outcome: 'undecided'; readonly epoch: number; readonly reason: string }
  | { readonly outcome: 'nothing-replaced' };

/**
 * Settles, again, the root a published overwrite replaced: for an operator answering
 * ReturnUndecided with an RPC that has the history (`oracle publication return`). Leaves
 * returned before are not credited twice.
 */
export async function settleRecordedOverwrite(
  deps: {
    readonly sql: Sql;
    readonly solana: SolanaClient;
    readonly program: AttentionProgram;
    readonly mints: Readonly<Record<string, { readonly mint: string; readonly epochUnit: EpochUnit }>>;
  },
  publication: { readonly epoch: number; readonly channel: string },
): Promise<RecordedOverwriteSettlement> {
  const [row] = await deps.sql<
    { status: string; mode: string; token_group: string; signature: string | null }[]
  >`
    select status, mode, token_group, signature from attention.publications
    where epoch = ${publication.epoch} and channel = ${publication.channel}`;
  if (row === undefined) {
    throw new NotFoundError(`no publication for ${publication.channel} epoch ${publication.epoch}`);
  }
  const mint = deps.mints[row.token_group];
  if (row.status !== 'published' || row.mode !== 'program' || row.signature === null || mint === undefined) {
    throw new ConflictError(
      `${publication.channel} epoch ${publication.epoch} is not a published program-mode root (status ${row.status}, mode ${row.mode})`,
    );
  }
  const replaced = await recordedReplacedRoot(deps.sql, publication, mint.epochUnit);
  if (replaced === undefined) return { outcome: 'nothing-replaced' };
  const claimed = await claimedBeforeOverwrite(
    deps,
    {
      mint: mint.mint,
      channel: publication.channel,
      epoch: publication.epoch,
      signature: row.signature,
      onChainEpoch: toOnChainEpoch(publication.epoch, mint.epochUnit),
    },
    replaced,
  );
  if (!claimed.decided) return { outcome: 'undecided', epoch: replaced.epoch, reason: claimed.reason };
  const credited = await deps.sql.begin(async (tx) => {
    const sql = tx as unknown as Sql;
    const returned = await returnLeaves(
      sql,
      { epoch: replaced.epoch, channel: publication.channel },
      claimed.claimed,
      'ring slot reused',
    );
    await sql`update attention.publications set error = null
      where epoch = ${replaced.epoch} and channel = ${publication.channel}`;
    return returned;
  });
  logger.info('overwritten root settled by an operator', {
    epoch: replaced.epoch,
    channel: publication.channel,
    overwrittenBy: publication.epoch,
    claimed: claimed.claimed.size,
    returned: credited.toString(),
  });
  return { outcome: 'returned', epoch: replaced.epoch, claimed: claimed.claimed.size, credited };
}
