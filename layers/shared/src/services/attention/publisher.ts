/**
 * Root publishing to Solana, exactly once per root (DESIGN.md section 5, "Publishing").
 *
 * The scheduler picks at most 50 roots a tick, per channel strictly in epoch order, and puts
 * one message per root on the `publish` FIFO queue (group = mint:channel). The consumer checks
 * the chain first (program mode: the channel's ring slot; memo mode: the recorded signature),
 * signs, records the signature, its blockhash lifetime and the signed bytes, and only then
 * sends. After a crash anywhere, the next attempt finds the recorded signature and asks the
 * chain about it: it resends the same bytes while the blockhash is valid and re-signs only once
 * the blockhash has expired unseen. A root is never on chain twice.
 *
 * Program mode, the ring slot: the root a publication overwrites is read with the slot it was
 * read at and recorded with the signature; its unclaimed leaves go back to carried balances in
 * the same database transaction that marks the new root published, once the overwrite is
 * confirmed (replaced-roots.ts). A crash after confirmation leaves the row `sent`, so the next
 * attempt finds the landed signature and settles then. A root that can no longer land expires and
 * returns all its leaves; one that did land, then was overwritten, is published, and the root
 * that overwrote it returns what was left of it.
 *
 * Memo mode has no ring and no bitmap: nothing in a memo root is claimable on chain, nothing is
 * overwritten, and nothing of a published memo root ever returns; its leaves stay the record of
 * what each viewer earned. A memo root whose backlog expired before it went out returns all its
 * amounts, as in program mode.
 */

import {
  countAttempt,
  findPublication,
  isRecordedAsReplaced,
  markPublished,
  type Publication,
  recordPublishError,
} from '../../adapters/db/attention/publication-store.ts';
import { parsePublishMessage } from '../../core/attention/publish-message.ts';
import {
  type ChannelState,
  channelSlotStanding,
  decodeChannelState,
  emptyChannelState,
} from '../../core/solana/channel-state.ts';
import {
  assertEpochUnitFits,
  type EpochUnit,
  fromOnChainEpoch,
  toOnChainEpoch,
} from '../../core/solana/onchain-epoch.ts';
import { buildRootMemo, rootMemoInstruction } from '../../core/solana/root-memo.ts';
import { ConfigError, NotFoundError } from '../../errors.ts';
import type { EventBus } from '../../ports/event-bus.ts';
import type { AttentionProgram, SolanaClient, SolanaInstruction, SolanaSigner } from '../../ports/solana.ts';
import type { Sql } from '../../ports/sql.ts';
import type { Telemetry } from '../../ports/telemetry.ts';
import type { WorkQueue } from '../../ports/work-queue.ts';
import { announcePublications, expirePublication, now } from './publication-scheduler.ts';
import {
  claimedBeforeOverwrite,
  type ReplacedRoot,
  recordedReplacedRoot,
  settleReplacedRoot,
} from './replaced-roots.ts';
import { sendExactlyOnce } from './root-sender.ts';

export interface MintConfig {
  readonly mint: string;
  readonly epochUnit: EpochUnit;
}

export interface PublisherDeps {
  readonly sql: Sql;
  readonly solana: SolanaClient;
  readonly signer: SolanaSigner;
  readonly program: AttentionProgram;
  readonly queue: WorkQueue;
  readonly mode: 'memo' | 'program';
  /** Token group → mint; a group without a mint is sealed and served but not published. */
  readonly mints: Readonly<Record<string, MintConfig>>;
  readonly priorityFeeMicroLamports?: bigint;
  readonly now?: () => Date;
  /** Where RootPublished goes once a root is on chain; nothing is announced without one. */
  readonly events?: EventBus;
  /** Where each root's outcome, failures and the RootsPublished and RootExpired counts go. */
  readonly telemetry: Telemetry;
}

export interface PublishMessage {
  readonly epoch: number;
  readonly channel: string;
}

/** What reading a root's ring slot on chain needs. */
export type ChannelStateReader = Pick<PublisherDeps, 'solana' | 'program'>;

export type PublishOutcome =
  | { readonly outcome: 'published'; readonly signature: string; readonly slot: number }
  | { readonly outcome: 'already-published' }
  | { readonly outcome: 'expired'; readonly reason: string };

export async function publishRoot(deps: PublisherDeps, message: PublishMessage): Promise<PublishOutcome> {
  const row = await countAttempt(deps.sql, message);
  if (row === undefined)
    throw new NotFoundError(`no publication for ${message.channel} epoch ${message.epoch}`);
  if (row.status === 'published') return { outcome: 'already-published' };
  if (row.status === 'expired') return { outcome: 'expired', reason: 'already expired' };
  try {
    return row.mode === 'program' ? await publishWithProgram(deps, row) : await publishWithMemo(deps, row);
  } catch (error) {
    await recordPublishError(deps.sql, row, String((error as Error).message));
    throw error;
  }
}

async function publishWithMemo(deps: PublisherDeps, row: Publication): Promise<PublishOutcome> {
  // The memo carries the epoch id as the API knows it (unix seconds of the hour): there is no
  // ring to index in memo mode.
  const memo = buildRootMemo({ channel: row.channel, epoch: row.epoch, root: row.root.replace(/^0x/, '') });
  return publishOnce(deps, row, () => [rootMemoInstruction(memo)]);
}

async function publishWithProgram(deps: PublisherDeps, row: Publication): Promise<PublishOutcome> {
  const config = mintFor(deps, row);
  const onChainEpoch = toOnChainEpoch(row.epoch, config.epochUnit);
  const read = await readChannelState(deps, config.mint, row.channel);
  assertEpochUnitFits(read.state, config.epochUnit, row.channel);
  const standing = channelSlotStanding(read.state, onChainEpoch);
  const rootHex = row.root.replace(/^0x/, '');
  if (standing.kind === 'present') {
    if (Buffer.from(standing.slot.root).toString('hex') !== rootHex) {
      // The program takes an epoch once per slot: ours can never land.
      await expirePublication(deps, row, `the ring slot holds a different root for epoch ${onChainEpoch}`);
      return { outcome: 'expired', reason: 'different root on chain' };
    }
    return settleRootFoundOnChain(deps, row);
  }
  if (standing.kind === 'superseded') {
    const landed = await landedSlot(deps, row);
    if (landed !== undefined && row.signature !== null) {
      // It landed, then a newer root took the slot: that root returns what was left of this one.
      return finish(deps, row, row.signature, landed);
    }
    await expirePublication(deps, row, `ring slot holds the newer epoch ${standing.slot.epoch}`);
    return { outcome: 'expired', reason: `slot holds newer epoch ${standing.slot.epoch}` };
  }
  const replaced: ReplacedRoot | undefined =
    standing.slot.epoch === 0n
      ? undefined
      : {
          epoch: fromOnChainEpoch(standing.slot.epoch, config.epochUnit),
          onChainEpoch: standing.slot.epoch,
          claimedBitmap: standing.slot.claimedBitmap,
          readSlot: read.slot,
        };
  const setRoot = {
    payer: deps.signer.address,
    mint: config.mint,
    channel: row.channel,
    epoch: onChainEpoch,
    root: Buffer.from(rootHex, 'hex'),
  };
  return publishOnce(deps, row, () => [deps.program.setChannelMerkleRoot(setRoot)], replaced);
}

async function publishOnce(
  deps: PublisherDeps,
  row: Publication,
  instructions: () => SolanaInstruction[],
  replaced?: ReplacedRoot,
): Promise<PublishOutcome> {
  const sent = await sendExactlyOnce(deps, row, instructions, replaced);
  // The scheduler expired it meanwhile and returned its amounts: it must not go out now.
  if (sent === undefined) return { outcome: 'expired', reason: 'expired before it was sent' };
  return finish(deps, row, sent.signature, sent.slot);
}

/** Our root is in its ring slot: the transaction we recorded landed (and a crash came before we knew). */
async function settleRootFoundOnChain(deps: PublisherDeps, row: Publication): Promise<PublishOutcome> {
  const landed = await landedSlot(deps, row);
  if (landed !== undefined && row.signature !== null) return finish(deps, row, row.signature, landed);
  const replaced = await replacedRootOf(deps, row);
  await deps.sql.begin(async (tx) => {
    await markPublished(tx, row, { signature: row.signature, slot: null, feeLamports: null, at: now(deps) });
    if (replaced !== undefined) {
      const reason = 'the root is on chain, but the cluster does not know the transaction recorded for it';
      const overwrite = { channel: row.channel, epoch: row.epoch, signature: row.signature ?? 'unknown' };
      await settleReplacedRoot(tx as unknown as Sql, deps.telemetry, overwrite, replaced.root, {
        decided: false,
        reason,
      });
    }
  });
  return { outcome: 'already-published' };
}

/** The root this publication overwrote, as recorded with its signature, and where it lives. */
async function replacedRootOf(deps: PublisherDeps, row: Publication) {
  const config = mintFor(deps, row);
  const root = await recordedReplacedRoot(deps.sql, row, config.epochUnit);
  return root === undefined
    ? undefined
    : { root, mint: config.mint, overwriteEpoch: toOnChainEpoch(row.epoch, config.epochUnit) };
}

/**
 * The slot our recorded transaction landed in, if it did. A cluster that has forgotten it
 * still told us by the root that overwrote it: that publication recorded this epoch as the one
 * it replaced, which it read on chain.
 */
async function landedSlot(deps: PublisherDeps, row: Publication): Promise<bigint | undefined> {
  if (row.signature === null) return undefined;
  const status = await deps.solana.getSignatureStatus(row.signature);
  if (status !== null && status.err === null) return status.slot;
  return (await isRecordedAsReplaced(deps.sql, row)) ? 0n : undefined;
}

async function finish(
  deps: PublisherDeps,
  row: Publication,
  signature: string,
  slot: bigint,
): Promise<PublishOutcome> {
  const record = await deps.solana.getTransaction(signature).catch(() => null);
  const replaced = row.mode === 'program' ? await replacedRootOf(deps, row) : undefined;
  const overwrite = { channel: row.channel, epoch: row.epoch, signature };
  // Read from the chain before the transaction below, which then only writes.
  const claimed =
    replaced === undefined
      ? undefined
      : await claimedBeforeOverwrite(
          deps,
          { ...overwrite, mint: replaced.mint, onChainEpoch: replaced.overwriteEpoch },
          replaced.root,
        );
  await deps.sql.begin(async (tx) => {
    const landed = {
      signature,
      slot: slot === 0n ? null : slot,
      feeLamports: record?.fee ?? null,
      at: now(deps),
    };
    await markPublished(tx, row, landed);
    if (replaced !== undefined && claimed !== undefined) {
      await settleReplacedRoot(tx as unknown as Sql, deps.telemetry, overwrite, replaced.root, claimed);
    }
  });
  deps.telemetry.metric('RootsPublished', 'Count', 1);
  return { outcome: 'published', signature, slot: Number(slot) };
}

/** The channel's ring as the chain holds it, and the slot it was read at. */
export async function readChannelState(
  deps: ChannelStateReader,
  mint: string,
  channel: string,
): Promise<{ state: ChannelState; slot: bigint }> {
  const { account, slot } = await deps.solana.getAccountAtSlot(
    deps.program.channelStateAddress(mint, channel),
  );
  // No account yet: the program creates it on the first root, with every slot empty.
  if (account === null)
    return { state: emptyChannelState({ mint: new Uint8Array(32), streamer: new Uint8Array(32) }), slot };
  return { state: decodeChannelState(account.data), slot };
}

export function mintFor(
  deps: Pick<PublisherDeps, 'mints'>,
  row: Pick<Publication, 'tokenGroup' | 'mint' | 'channel'>,
): MintConfig {
  const config = deps.mints[row.tokenGroup];
  if (config === undefined || (row.mint !== null && config.mint !== row.mint)) {
    throw new ConfigError(
      `token group ${row.tokenGroup} has no mint configured (TOKEN_GROUP_MINTS) for ${row.channel}`,
    );
  }
  return config;
}

/** The publication of (epoch, channel); NotFoundError when there is none. */
export async function loadPublication(sql: Sql, key: PublishMessage): Promise<Publication> {
  const row = await findPublication(sql, key);
  if (row === undefined) throw new NotFoundError(`no publication for ${key.channel} epoch ${key.epoch}`);
  return row;
}

export interface PublishRecord {
  readonly messageId: string;
  readonly groupId: string;
  readonly body: string;
}

/**
 * Handles a batch from the publish FIFO queue: message groups (one per mint:channel) run side
 * by side, each group's messages one after the other in queue order. Once a message fails, the
 * rest of its group is failed too, so a channel's roots never land out of epoch order.
 * Returns the ids of the messages to retry.
 */
export async function publishBatch(
  deps: PublisherDeps,
  records: readonly PublishRecord[],
): Promise<string[]> {
  const groups = new Map<string, PublishRecord[]>();
  for (const record of records) {
    const list = groups.get(record.groupId) ?? [];
    list.push(record);
    groups.set(record.groupId, list);
  }
  const failed: string[] = [];
  await Promise.all(
    [...groups.values()].map(async (list) => {
      for (let i = 0; i < list.length; i++) {
        const record = list[i] as PublishRecord;
        try {
          const message = parsePublishMessage(record.body);
          const outcome = await publishRoot(deps, message);
          deps.telemetry.info('root handled', { ...message, ...outcome });
          if (outcome.outcome !== 'expired') {
            // Best effort here: the scheduler's next tick announces whatever this missed.
            await announcePublications(deps, message).catch((error: unknown) =>
              deps.telemetry.warn('announcing the root failed; the scheduler retries', {
                ...message,
                error: error as Error,
              }),
            );
          }
        } catch (error) {
          deps.telemetry.error('publishing failed; the message will be retried', {
            messageId: record.messageId,
            error: error as Error,
          });
          for (const rest of list.slice(i)) failed.push(rest.messageId);
          return;
        }
      }
    }),
  );
  return failed;
}
