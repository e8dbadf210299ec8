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
 */
import type { Sql } from '../adapters/db/client.ts';
import { parsePublishMessage } from '../core/attention/publish-message.ts';
import {
  type ChannelState,
  channelSlotStanding,
  decodeChannelState,
  emptyChannelState,
  unclaimedIndexes,
} from '../core/solana/channel-state.ts';
import {
  assertEpochUnitFits,
  type EpochUnit,
  fromOnChainEpoch,
  toOnChainEpoch,
} from '../core/solana/onchain-epoch.ts';
import { MEMO_PROGRAM_ID } from '../core/solana/program-ids.ts';
import { buildRootMemo, parseRootMemo, rootMemoInstruction } from '../core/solana/root-memo.ts';
import { ChainError, ConfigError, NotFoundError } from '../errors.ts';
import { METRIC } from '../metric-names.ts';
import { logger, MetricUnit, metrics } from '../observability.ts';
import type { EventBus } from '../ports/event-bus.ts';
import type {
  AttentionProgram,
  BlockhashLifetime,
  SignedTransaction,
  SolanaClient,
  SolanaSigner,
} from '../ports/solana.ts';
import type { WorkQueue } from '../ports/work-queue.ts';
import { creditCarried } from './carry.ts';

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
    select epoch::float8 as epoch, channel, token_group, mint, mode, root, status, signature,
      last_valid_block_height::float8 as last_valid_block_height, signed_transaction, recent_blockhash, queued_at::text
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
      await expirePublication(deps, row, 'backlog beyond the ring of 10 epochs');
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
  const state = await readChannelState(deps, config.mint, row.channel);
  assertEpochUnitFits(state, config.epochUnit, row.channel);
  const standing = channelSlotStanding(state, onChainEpoch);
  const rootHex = row.root.replace(/^0x/, '');
  if (standing.kind === 'present') {
    if (Buffer.from(standing.slot.root).toString('hex') === rootHex) {
      await markPublished(deps, row, row.signature, null, null);
      return { outcome: 'already-published' };
    }
    await expirePublication(deps, row, `the ring slot holds a different root for epoch ${onChainEpoch}`);
    return { outcome: 'expired', reason: 'different root on chain' };
  }
  if (standing.kind === 'superseded') {
    await expirePublication(deps, row, `ring slot holds the newer epoch ${standing.slot.epoch}`);
    return { outcome: 'expired', reason: `slot holds newer epoch ${standing.slot.epoch}` };
  }
  if (standing.slot.epoch > 0n) {
    // The slot is about to be overwritten: what its root left unclaimed goes back to its owners.
    const previousEpoch = fromOnChainEpoch(standing.slot.epoch, config.epochUnit);
    await returnTreeAmounts(
      deps.sql,
      previousEpoch,
      row.channel,
      standing.slot.claimedBitmap,
      'ring slot reused',
    );
  }
  return sendExactlyOnce(deps, row, () => [
    deps.program.setChannelMerkleRoot({
      payer: deps.signer.address,
      mint: config.mint,
      channel: row.channel,
      epoch: onChainEpoch,
      root: Buffer.from(rootHex, 'hex'),
    }),
  ]);
}

async function sendExactlyOnce(
  deps: PublisherDeps,
  row: PublicationRow,
  instructions: () => ReturnType<AttentionProgram['setChannelMerkleRoot']>[],
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
      // Recorded before it is sent: after a crash the signature is asked about, never guessed.
      await deps.sql`update attention.publications set status = 'sent', signature = ${current.signature},
          last_valid_block_height = ${current.lifetime.lastValidBlockHeight.toString()},
          signed_transaction = ${Buffer.from(current.wireTransaction).toString('base64')},
          recent_blockhash = ${current.lifetime.blockhash}, updated_at = now()
        where epoch = ${row.epoch} and channel = ${row.channel}`;
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
  await markPublished(deps, row, signature, slot, record?.fee ?? null);
  metrics.addMetric('RootsPublished', MetricUnit.Count, 1);
  return { outcome: 'published', signature, slot: Number(slot) };
}

async function markPublished(
  deps: PublisherDeps,
  row: PublicationRow,
  signature: string | null,
  slot: bigint | null,
  fee: bigint | null,
): Promise<void> {
  await deps.sql`update attention.publications set status = 'published', signature = coalesce(${signature}, signature),
      slot = coalesce(${slot === null ? null : slot.toString()}::bigint, slot),
      fee_lamports = coalesce(${fee === null ? null : fee.toString()}::bigint, fee_lamports),
      error = null, published_at = coalesce(published_at, ${now(deps).toISOString()}::timestamptz), updated_at = now()
    where epoch = ${row.epoch} and channel = ${row.channel}`;
}

async function expirePublication(deps: SchedulerDeps, row: PublicationRow, reason: string): Promise<void> {
  logger.warn('root expired', { epoch: row.epoch, channel: row.channel, reason });
  metrics.addMetric(METRIC.rootExpired, MetricUnit.Count, 1);
  await deps.sql.begin(async (tx) => {
    const updated =
      await tx`update attention.publications set status = 'expired', error = ${reason}, updated_at = now()
      where epoch = ${row.epoch} and channel = ${row.channel} and status <> 'published' returning 1`;
    if (updated.length > 0)
      await returnTreeAmounts(tx as unknown as Sql, row.epoch, row.channel, undefined, 'root expired');
  });
}

/**
 * Every leaf of the tree whose bit is clear in `claimedBitmap` (all leaves when there is no
 * bitmap: the root never landed) goes back to its owner's carried balance, once.
 */
export async function returnTreeAmounts(
  sql: Sql,
  epoch: number,
  channel: string,
  claimedBitmap: Uint8Array | undefined,
  reason: string,
): Promise<bigint> {
  const [tree] = await sql<
    { token_group: string; dump: { claims: { index: number; amount: string; id: string }[] } }[]
  >`
    select token_group, dump from attention.merkle_trees where epoch = ${epoch} and channel = ${channel}`;
  if (tree === undefined) return 0n;
  const claims = tree.dump.claims;
  const open = new Set(
    claimedBitmap === undefined
      ? claims.map((c) => c.index)
      : unclaimedIndexes(claimedBitmap, Math.max(0, ...claims.map((c) => c.index + 1))),
  );
  const credited = await creditCarried(
    sql,
    claims
      .filter((c) => open.has(c.index))
      .map((c) => ({ userHash: c.id, tokenGroup: tree.token_group, amount: BigInt(c.amount) })),
    `return:${epoch}:${channel}`,
    reason,
  );
  await sql`update attention.publications set returned_at = coalesce(returned_at, now()) where epoch = ${epoch} and channel = ${channel}`;
  metrics.addMetric(METRIC.carriedBalance, MetricUnit.Count, Number(credited));
  return credited;
}

async function readChannelState(deps: VerifierDeps, mint: string, channel: string): Promise<ChannelState> {
  const address = deps.program.channelStateAddress(mint, channel);
  const account = await deps.solana.getAccount(address);
  // No account yet: the program creates it on the first root, with every slot empty.
  if (account === null) return emptyChannelState({ mint: new Uint8Array(32), streamer: new Uint8Array(32) });
  return decodeChannelState(account.data);
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
  const columns = sql`epoch::float8 as epoch, channel, token_group, mint, mode, root, status, signature,
    last_valid_block_height::float8 as last_valid_block_height, signed_transaction, recent_blockhash, queued_at::text`;
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
    const state = await readChannelState(deps, config.mint, channel);
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
