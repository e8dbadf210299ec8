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
import { MEMO_PROGRAM_ID } from '../../core/solana/program-ids.ts';
import { buildRootMemo, parseRootMemo, rootMemoInstruction } from '../../core/solana/root-memo.ts';
import { ChainError, ConfigError, NotFoundError } from '../../errors.ts';
import { METRIC } from '../../metric-names.ts';
import { logger, MetricUnit, metrics } from '../../observability.ts';
import type { EventBus } from '../../ports/event-bus.ts';
import type {
  AttentionProgram,
  BlockhashLifetime,
  SignedTransaction,
  SolanaClient,
  SolanaSigner,
} from '../../ports/solana.ts';
import type { Sql } from '../../ports/sql.ts';
import type { WorkQueue } from '../../ports/work-queue.ts';
import {
  claimedBeforeOverwrite,
  type ReplacedRoot,
  recordedReplacedRoot,
  returnLeaves,
  settleReplacedRoot,
} from './replaced-roots.ts';

/** How many epochs a channel's ring holds: a root older than that can no longer be claimed. */
export const RING_SIZE = 10;
export const MAX_ROOTS_PER_TICK = 50;
/** A queued root whose message has not been handled for this long is queued again (FIFO dedup covers 5 minutes). */
const REQUEUE_AFTER_MS = 10 * 60 * 1000;
const MAX_SIGNINGS_PER_ATTEMPT = 3;

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
}

export interface PublishMessage {
  readonly epoch: number;
  readonly channel: string;
}

interface PublicationRow {
  epoch: number;
  channel: string;
  token_group: string;
  mint: string | null;
  mode: string;
  root: string;
  status: string;
  signature: string | null;
  last_valid_block_height: number | null;
  signed_transaction: string | null;
  recent_blockhash: string | null;
  queued_at: string | null;
}

const now = (deps: Pick<PublisherDeps, 'now'>) => (deps.now ?? (() => new Date()))();

const PUBLICATION_COLUMNS = (sql: Sql) => sql`epoch::float8 as epoch, channel, token_group, mint, mode, root,
  status, signature, last_valid_block_height::float8 as last_valid_block_height, signed_transaction,
  recent_blockhash, queued_at::text`;

// ---------------------------------------------------------------------------------------------
// Scheduling

export interface ScheduleResult {
  readonly queued: PublishMessage[];
  readonly expired: PublishMessage[];
  /** Published roots whose RootPublished went out on this tick (ones the consumer could not announce). */
  readonly announced: number;
}

/** What the every-minute scheduler needs: no chain, no signing key. */
export type SchedulerDeps = Pick<PublisherDeps, 'sql' | 'queue' | 'now' | 'events'>;

export async function schedulePublications(deps: SchedulerDeps): Promise<ScheduleResult> {
  const at = now(deps);
  const rows = await deps.sql<PublicationRow[]>`
    select ${PUBLICATION_COLUMNS(deps.sql)}
    from attention.publications
    where status in ('pending', 'queued', 'sent')
    order by channel, epoch`;
  const byChannel = new Map<string, PublicationRow[]>();
  for (const row of rows) {
    const list = byChannel.get(row.channel) ?? [];
    list.push(row);
    byChannel.set(row.channel, list);
  }
  const expired: PublishMessage[] = [];
  const candidates: PublicationRow[] = [];
  for (const list of byChannel.values()) {
    // A backlog longer than the ring: only the newest RING_SIZE can still be claimed once
    // published, so the older ones expire now and their amounts go back to carried balances.
    const cut = Math.max(0, list.length - RING_SIZE);
    for (const row of list.slice(0, cut)) {
      if (row.status === 'sent') continue; // possibly on chain: the consumer settles it
      // Never signed, so never on chain; unless the consumer signed it meanwhile (then it stays).
      if (await expirePublication(deps, row, 'backlog beyond the ring of 10 epochs', ['pending', 'queued']))
        expired.push({ epoch: row.epoch, channel: row.channel });
    }
    for (const row of list.slice(cut)) {
      const stale =
        row.queued_at !== null && at.getTime() - new Date(row.queued_at).getTime() > REQUEUE_AFTER_MS;
      // The FIFO group (mint:channel) keeps a channel's roots in epoch order on the queue.
      if (row.status === 'pending' || stale) candidates.push(row);
    }
  }
  candidates.sort((a, b) => a.epoch - b.epoch || a.channel.localeCompare(b.channel));
  const picked = candidates.slice(0, MAX_ROOTS_PER_TICK);
  if (picked.length > 0) {
    await deps.queue.sendBatch(
      picked.map((row) => ({
        body: { epoch: row.epoch, channel: row.channel } satisfies PublishMessage,
        groupId: `${row.mint ?? 'memo'}:${row.channel}`.slice(0, 128),
        deduplicationId: `${row.channel}:${row.epoch}:${row.root.slice(0, 16)}`
          .replace(/[^A-Za-z0-9!-/:-@[-`{-~]/g, '_')
          .slice(0, 128),
      })),
    );
    await deps.sql`
      update attention.publications p set status = case when p.status = 'sent' then 'sent' else 'queued' end,
        queued_at = ${at.toISOString()}, updated_at = now()
      from unnest(${picked.map((r) => r.epoch)}::bigint[], ${picked.map((r) => r.channel)}::text[]) as t(epoch, channel)
      where p.epoch = t.epoch and p.channel = t.channel`;
  }
  const announced = await announcePublications(deps).catch((error: unknown) => {
    logger.warn('announcing published roots failed; the next tick tries again', { error: error as Error });
    return 0;
  });
  return { queued: picked.map((r) => ({ epoch: r.epoch, channel: r.channel })), expired, announced };
}

const ANNOUNCE_BATCH = 200;

/**
 * Puts RootPublished on the event bus for published roots not announced yet (all of them, or
 * the one named), marking each once the bus took it: `announced_at` is the outbox. A crash
 * between the two announces the root again; its notification id is the same, so nobody is
 * notified twice.
 */
export async function announcePublications(
  deps: Pick<PublisherDeps, 'sql' | 'events' | 'now'>,
  only?: PublishMessage,
): Promise<number> {
  const events = deps.events;
  if (events === undefined) return 0;
  const rows = await deps.sql<
    { epoch: number; channel: string; root: string; signature: string | null; slot: number | null }[]
  >`
    select epoch::float8 as epoch, channel, root, signature, slot::float8 as slot
    from attention.publications
    where status = 'published' and announced_at is null
      ${only === undefined ? deps.sql`` : deps.sql`and epoch = ${only.epoch} and channel = ${only.channel}`}
    order by published_at, epoch, channel
    limit ${ANNOUNCE_BATCH}`;
  for (const row of rows) {
    await events.publish({
      type: 'RootPublished',
      epoch: row.epoch,
      channel: row.channel,
      root: `0x${row.root.replace(/^0x/, '').toLowerCase()}`,
      signature: row.signature,
      slot: row.slot,
      timestamp: Math.floor(now(deps).getTime() / 1000),
    });
    await deps.sql`
      update attention.publications set announced_at = ${now(deps).toISOString()}::timestamptz
      where epoch = ${row.epoch} and channel = ${row.channel} and announced_at is null`;
  }
  return rows.length;
}

// ---------------------------------------------------------------------------------------------
// Publishing one root

export type PublishOutcome =
  | { readonly outcome: 'published'; readonly signature: string; readonly slot: number }
  | { readonly outcome: 'already-published' }
  | { readonly outcome: 'expired'; readonly reason: string };

export async function publishRoot(deps: PublisherDeps, message: PublishMessage): Promise<PublishOutcome> {
  const row = await loadPublication(deps.sql, message, { countAttempt: true });
  if (row.status === 'published') return { outcome: 'already-published' };
  if (row.status === 'expired') return { outcome: 'expired', reason: 'already expired' };
  try {
    return row.mode === 'program' ? await publishWithProgram(deps, row) : await publishWithMemo(deps, row);
  } catch (error) {
    await deps.sql`update attention.publications set error = ${String((error as Error).message).slice(0, 500)}, updated_at = now()
      where epoch = ${row.epoch} and channel = ${row.channel}`;
    throw error;
  }
}

async function publishWithMemo(deps: PublisherDeps, row: PublicationRow): Promise<PublishOutcome> {
  // The memo carries the epoch id as the API knows it (unix seconds of the hour): there is no
  // ring to index in memo mode.
  const memo = buildRootMemo({ channel: row.channel, epoch: row.epoch, root: row.root.replace(/^0x/, '') });
  return sendExactlyOnce(deps, row, () => [rootMemoInstruction(memo)]);
}

async function publishWithProgram(deps: PublisherDeps, row: PublicationRow): Promise<PublishOutcome> {
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
    // Our root is there: the transaction we recorded landed (and a crash came before we knew).
    const landed = await landedSlot(deps, row);
    if (landed !== undefined && row.signature !== null) return finish(deps, row, row.signature, landed);
    const replaced = await replacedRootOf(deps, row);
    await deps.sql.begin(async (tx) => {
      const sql = tx as unknown as Sql;
      await markPublished(sql, deps, row, row.signature, null, null);
      if (replaced !== undefined) {
        const reason = 'the root is on chain, but the cluster does not know the transaction recorded for it';
        const overwrite = { channel: row.channel, epoch: row.epoch, signature: row.signature ?? 'unknown' };
        await settleReplacedRoot(sql, overwrite, replaced.root, { decided: false, reason });
      }
    });
    return { outcome: 'already-published' };
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
  return sendExactlyOnce(
    deps,
    row,
    () => [
      deps.program.setChannelMerkleRoot({
        payer: deps.signer.address,
        mint: config.mint,
        channel: row.channel,
        epoch: onChainEpoch,
        root: Buffer.from(rootHex, 'hex'),
      }),
    ],
    replaced,
  );
}

/** The root this publication overwrote, as recorded with its signature, and where it lives. */
async function replacedRootOf(deps: PublisherDeps, row: PublicationRow) {
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
async function landedSlot(deps: PublisherDeps, row: PublicationRow): Promise<bigint | undefined> {
  if (row.signature === null) return undefined;
  const status = await deps.solana.getSignatureStatus(row.signature);
  if (status !== null && status.err === null) return status.slot;
  const [seen] = await deps.sql<{ seen: number }[]>`
    select 1 as seen from attention.publications
    where channel = ${row.channel} and epoch > ${row.epoch} and replaces_epoch = ${row.epoch} limit 1`;
  return seen === undefined ? undefined : 0n;
}

async function sendExactlyOnce(
  deps: PublisherDeps,
  row: PublicationRow,
  instructions: () => ReturnType<AttentionProgram['setChannelMerkleRoot']>[],
  replaced?: ReplacedRoot,
): Promise<PublishOutcome> {
  let current: SignedTransaction | undefined;
  if (row.signature !== null && row.last_valid_block_height !== null && row.signed_transaction !== null) {
    const status = await deps.solana.getSignatureStatus(row.signature);
    if (status !== null && status.err === null && status.confirmationStatus !== null) {
      return finish(deps, row, row.signature, status.slot);
    }
    const height = await deps.solana.getBlockHeight();
    // The cluster has moved past a blockhash we may have cached: ask for a fresh one.
    if (height > BigInt(row.last_valid_block_height)) blockhashCache.delete(deps.solana);
    if (status === null && height <= BigInt(row.last_valid_block_height)) {
      // Maybe sent, maybe not: the same bytes again are safe (the chain takes one signature once).
      current = {
        signature: row.signature,
        wireTransaction: Buffer.from(row.signed_transaction, 'base64'),
        lifetime: {
          blockhash: row.recent_blockhash ?? '',
          lastValidBlockHeight: BigInt(row.last_valid_block_height),
        },
      };
    }
  }
  for (let signing = 0; signing < MAX_SIGNINGS_PER_ATTEMPT; signing++) {
    if (current === undefined) {
      const lifetime = await recentBlockhash(deps.solana);
      current = await deps.solana.signTransaction(instructions(), deps.signer, lifetime, {
        ...(deps.priorityFeeMicroLamports === undefined || deps.priorityFeeMicroLamports === 0n
          ? {}
          : { computeUnitPriceMicroLamports: deps.priorityFeeMicroLamports }),
      });
      // Recorded before it is sent, with the root it replaces: after a crash the signature is
      // asked about, never guessed, and the replaced root's claimed bitmap is the one read here.
      const recorded =
        await deps.sql`update attention.publications set status = 'sent', signature = ${current.signature},
          last_valid_block_height = ${current.lifetime.lastValidBlockHeight.toString()},
          signed_transaction = ${Buffer.from(current.wireTransaction).toString('base64')},
          recent_blockhash = ${current.lifetime.blockhash},
          replaces_epoch = ${replaced?.epoch ?? null},
          replaces_bitmap = ${replaced === undefined ? null : Buffer.from(replaced.claimedBitmap).toString('hex')},
          replaces_read_slot = ${replaced?.readSlot.toString() ?? null}, updated_at = now()
        where epoch = ${row.epoch} and channel = ${row.channel} and status in ('pending', 'queued', 'sent')
        returning 1`;
      if (recorded.length === 0) {
        // The scheduler expired it meanwhile and returned its amounts: it must not go out now.
        return { outcome: 'expired', reason: 'expired before it was sent' };
      }
    }
    try {
      await deps.solana.sendTransaction(current);
      const confirmed = await deps.solana.confirmTransaction(
        current.signature,
        current.lifetime.lastValidBlockHeight,
      );
      return finish(deps, row, current.signature, confirmed.slot);
    } catch (error) {
      if (!(error instanceof ChainError && error.kind === 'blockhash')) throw error;
      // A new signature only once the old one can no longer land: landed → done; still valid →
      // the same bytes again later; expired unseen → sign again.
      const status = await deps.solana.getSignatureStatus(current.signature);
      if (status !== null && status.err === null && status.confirmationStatus !== null) {
        return finish(deps, row, current.signature, status.slot);
      }
      if ((await deps.solana.getBlockHeight()) > current.lifetime.lastValidBlockHeight) {
        logger.info('blockhash expired before the root landed; signing again', {
          epoch: row.epoch,
          channel: row.channel,
        });
        blockhashCache.delete(deps.solana);
        current = undefined;
      }
    }
  }
  throw new ChainError(
    `root for ${row.channel} epoch ${row.epoch} did not land after ${MAX_SIGNINGS_PER_ATTEMPT} signings`,
    'blockhash',
  );
}

/**
 * A blockhash is good for about 150 blocks (a minute or more); roots signed within a couple of
 * seconds share one instead of asking the cluster each time.
 */
const BLOCKHASH_REUSE_MS = 2000;
const blockhashCache = new WeakMap<SolanaClient, { at: number; lifetime: Promise<BlockhashLifetime> }>();

function recentBlockhash(solana: SolanaClient): Promise<BlockhashLifetime> {
  const cached = blockhashCache.get(solana);
  if (cached !== undefined && Date.now() - cached.at < BLOCKHASH_REUSE_MS) return cached.lifetime;
  const lifetime = solana.getLatestBlockhash();
  blockhashCache.set(solana, { at: Date.now(), lifetime });
  lifetime.catch(() => blockhashCache.delete(solana));
  return lifetime;
}

async function finish(
  deps: PublisherDeps,
  row: PublicationRow,
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
    const sql = tx as unknown as Sql;
    await markPublished(sql, deps, row, signature, slot === 0n ? null : slot, record?.fee ?? null);
    if (replaced !== undefined && claimed !== undefined) {
      await settleReplacedRoot(sql, overwrite, replaced.root, claimed);
    }
  });
  metrics.addMetric('RootsPublished', MetricUnit.Count, 1);
  return { outcome: 'published', signature, slot: Number(slot) };
}

async function markPublished(
  sql: Sql,
  deps: Pick<PublisherDeps, 'now'>,
  row: PublicationRow,
  signature: string | null,
  slot: bigint | null,
  fee: bigint | null,
): Promise<void> {
  await sql`update attention.publications set status = 'published', signature = coalesce(${signature}, signature),
      slot = coalesce(${slot === null ? null : slot.toString()}::bigint, slot),
      fee_lamports = coalesce(${fee === null ? null : fee.toString()}::bigint, fee_lamports),
      error = null, published_at = coalesce(published_at, ${now(deps).toISOString()}::timestamptz), updated_at = now()
    where epoch = ${row.epoch} and channel = ${row.channel}`;
}

/** Expires a root that never landed and can no longer land; all its leaves return, each once. */
async function expirePublication(
  deps: SchedulerDeps,
  row: PublicationRow,
  reason: string,
  fromStatuses: readonly string[] = ['pending', 'queued', 'sent'],
): Promise<boolean> {
  const expired = await deps.sql.begin(async (tx) => {
    const updated =
      await tx`update attention.publications set status = 'expired', error = ${reason}, updated_at = now()
      where epoch = ${row.epoch} and channel = ${row.channel} and status = any(${[...fromStatuses]}::text[]) returning 1`;
    if (updated.length > 0)
      await returnLeaves(
        tx as unknown as Sql,
        { epoch: row.epoch, channel: row.channel },
        new Set(),
        'root expired',
      );
    return updated.length > 0;
  });
  if (expired) {
    logger.warn('root expired', { epoch: row.epoch, channel: row.channel, reason });
    metrics.addMetric(METRIC.rootExpired, MetricUnit.Count, 1);
  }
  return expired;
}

async function readChannelState(
  deps: VerifierDeps,
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

function mintFor(deps: Pick<PublisherDeps, 'mints'>, row: PublicationRow): MintConfig {
  const config = deps.mints[row.token_group];
  if (config === undefined || (row.mint !== null && config.mint !== row.mint)) {
    throw new ConfigError(
      `token group ${row.token_group} has no mint configured (TOKEN_GROUP_MINTS) for ${row.channel}`,
    );
  }
  return config;
}

async function loadPublication(
  sql: Sql,
  message: PublishMessage,
  options: { countAttempt?: boolean } = {},
): Promise<PublicationRow> {
  const columns = PUBLICATION_COLUMNS(sql);
  const [row] = options.countAttempt
    ? await sql<PublicationRow[]>`
        update attention.publications set attempts = attempts + 1, updated_at = now()
        where epoch = ${message.epoch} and channel = ${message.channel}
        returning ${columns}`
    : await sql<PublicationRow[]>`
        select ${columns} from attention.publications where epoch = ${message.epoch} and channel = ${message.channel}`;
  if (row === undefined)
    throw new NotFoundError(`no publication for ${message.channel} epoch ${message.epoch}`);
  return row;
}

// ---------------------------------------------------------------------------------------------
// Verification

export interface PublicationCheck {
  readonly epoch: number;
  readonly channel: string;
  readonly ok: boolean;
  readonly status: string;
  readonly root: string;
  readonly signature: string | null;
  readonly onChain: { readonly root: string | null; readonly slot: number | null } | null;
  readonly problem?: string;
}

/** Reads the chain and compares it with the database (`oracle publication verify`). */
export type VerifierDeps = Pick<PublisherDeps, 'sql' | 'solana' | 'program' | 'mints'>;

export async function verifyPublication(
  deps: VerifierDeps,
  epoch: number,
  channel: string,
): Promise<PublicationCheck> {
  const row = await loadPublication(deps.sql, { epoch, channel });
  const base = { epoch, channel, status: row.status, root: row.root, signature: row.signature };
  if (row.mode === 'program') {
    const config = mintFor(deps, row);
    const { state } = await readChannelState(deps, config.mint, channel);
    const standing = channelSlotStanding(state, toOnChainEpoch(epoch, config.epochUnit));
    const onChainRoot = standing.kind === 'present' ? Buffer.from(standing.slot.root).toString('hex') : null;
    const ok =
      row.status === 'published' ? onChainRoot === row.root.replace(/^0x/, '') : row.status !== 'published';
    return {
      ...base,
      ok,
      onChain: { root: onChainRoot, slot: null },
      ...(ok ? {} : { problem: 'ring slot does not hold the root' }),
    };
  }
  if (row.signature === null) {
    return {
      ...base,
      ok: row.status !== 'published',
      onChain: null,
      ...(row.status === 'published' ? { problem: 'published without a signature' } : {}),
    };
  }
  const record = await deps.solana.getTransaction(row.signature);
  if (record === null) {
    const ok = row.status !== 'published';
    return {
      ...base,
      ok,
      onChain: null,
      ...(ok ? {} : { problem: 'the chain does not know the recorded signature' }),
    };
  }
  const memo = record.instructions
    .filter((ix) => ix.programAddress === MEMO_PROGRAM_ID)
    .map((ix) => parseRootMemo(new TextDecoder().decode(ix.data)))
    .find((m) => m !== undefined);
  const matches =
    memo !== undefined &&
    memo.channel === channel &&
    memo.epoch === BigInt(epoch) &&
    memo.root === row.root.replace(/^0x/, '');
  const ok = record.err === null && matches && row.status === 'published';
  return {
    ...base,
    ok,
    onChain: { root: memo?.root ?? null, slot: Number(record.slot) },
    ...(ok
      ? {}
      : {
          problem: record.err !== null ? 'transaction failed on chain' : 'memo does not match the database',
        }),
  };
}

// ---------------------------------------------------------------------------------------------
// A batch of queue messages

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
          logger.info('root handled', { ...message, ...outcome });
          if (outcome.outcome !== 'expired') {
            // Best effort here: the scheduler's next tick announces whatever this missed.
            await announcePublications(deps, message).catch((error: unknown) =>
              logger.warn('announcing the root failed; the scheduler retries', {
                ...message,
                error: error as Error,
              }),
            );
          }
        } catch (error) {
          logger.error('publishing failed; the message will be retried', {
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
