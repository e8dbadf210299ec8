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

import { creditCarriedFrom, listCreditedUsers } from '../../adapters/db/attention/carry-store.ts';
import { findTreeLeaves } from '../../adapters/db/attention/claims-store.ts';
import {
  findPublication,
  findRecordedOverwrite,
  markReturned,
  setPublicationError,
} from '../../adapters/db/attention/publication-store.ts';
import { channelStateCalls } from '../../core/solana/channel-history.ts';
import { channelSlotIndex, isClaimed } from '../../core/solana/channel-state.ts';
import { type EpochUnit, toOnChainEpoch } from '../../core/solana/onchain-epoch.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import { METRIC } from '../../metric-names.ts';
import type { AttentionProgram, SolanaClient } from '../../ports/solana.ts';
import type { Sql } from '../../ports/sql.ts';
import type { Telemetry } from '../../ports/telemetry.ts';

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
  telemetry: Telemetry,
  tree: { readonly epoch: number; readonly channel: string },
  claimed: ReadonlySet<number>,
  reason: string,
): Promise<bigint> {
  const stored = await findTreeLeaves(sql, tree.epoch, tree.channel);
  if (stored === undefined) return 0n;
  const legacyKey = `return:${tree.epoch}:${tree.channel}`;
  const legacy = await listCreditedUsers(sql, legacyKey, stored.tokenGroup);
  const credited = await creditCarriedFrom(
    sql,
    stored.claims
      .filter((leaf) => !claimed.has(leaf.index) && !legacy.has(leaf.id))
      .map((leaf) => ({
        userHash: leaf.id,
        tokenGroup: stored.tokenGroup,
        amount: BigInt(leaf.amount),
        sourceKey: `${legacyKey}:${leaf.index}`,
        reason,
      })),
  );
  await markReturned(sql, tree);
  telemetry.metric(METRIC.carriedBalance, 'Count', Number(credited));
  return credited;
}

/** The root a publication recorded it replaces (with its signature, before sending). */
export async function recordedReplacedRoot(
  sql: Sql,
  publication: { readonly epoch: number; readonly channel: string },
  epochUnit: EpochUnit,
): Promise<ReplacedRoot | undefined> {
  const recorded = await findRecordedOverwrite(sql, publication);
  if (recorded === undefined) return undefined;
  return {
    epoch: recorded.epoch,
    onChainEpoch: toOnChainEpoch(recorded.epoch, epochUnit),
    claimedBitmap: new Uint8Array(Buffer.from(recorded.bitmap, 'hex')),
    readSlot: recorded.readSlot,
  };
}

/**
 * In the transaction that marks the overwriting root published: the replaced root's unclaimed
 * leaves return, or, when the history could not prove them, nothing does and the operator is
 * told (ReturnUndecided, and the replaced root's publication row says why).
 */
export async function settleReplacedRoot(
  sql: Sql,
  telemetry: Telemetry,
  overwrite: { readonly channel: string; readonly epoch: number; readonly signature: string },
  replaced: ReplacedRoot,
  claimed: ClaimedSet,
): Promise<void> {
  const tree = { epoch: replaced.epoch, channel: overwrite.channel };
  if (claimed.decided) {
    const credited = await returnLeaves(sql, telemetry, tree, claimed.claimed, 'ring slot reused');
    telemetry.info('overwritten root settled', {
      ...tree,
      overwrittenBy: overwrite.epoch,
      claimed: claimed.claimed.size,
      returned: credited.toString(),
      historyTransactionsRead: claimed.transactionsRead,
    });
    return;
  }
  telemetry.error('overwritten root: its unclaimed leaves could not be proven, nothing returned', {
    ...tree,
    overwrittenBy: overwrite.epoch,
    signature: overwrite.signature,
    reason: claimed.reason,
  });
  telemetry.metric(METRIC.returnUndecided, 'Count', 1);
  await setPublicationError(
    sql,
    tree,
    `overwritten by epoch ${overwrite.epoch}; nothing returned: ${claimed.reason}`,
  );
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
    readonly telemetry: Telemetry;
  },
  publication: { readonly epoch: number; readonly channel: string },
): Promise<RecordedOverwriteSettlement> {
  const row = await findPublication(deps.sql, publication);
  if (row === undefined) {
    throw new NotFoundError(`no publication for ${publication.channel} epoch ${publication.epoch}`);
  }
  const mint = deps.mints[row.tokenGroup];
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
      deps.telemetry,
      { epoch: replaced.epoch, channel: publication.channel },
      claimed.claimed,
      'ring slot reused',
    );
    await setPublicationError(sql, { epoch: replaced.epoch, channel: publication.channel }, null);
    return returned;
  });
  deps.telemetry.info('overwritten root settled by an operator', {
    epoch: replaced.epoch,
    channel: publication.channel,
    overwrittenBy: publication.epoch,
    claimed: claimed.claimed.size,
    returned: credited.toString(),
  });
  return { outcome: 'returned', epoch: replaced.epoch, claimed: claimed.claimed.size, credited };
}
