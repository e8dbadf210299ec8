/**
 * Channel trees (DESIGN.md section 5, "Trees" and "Shards"): of the first `shards × capacity`
 * participants in sealing order (shards: the token group's cap), bound viewers (a wallet bound
 * at or before the build) fill trees of `capacity` leaves, `<channel>`, `<channel>~2`, …, each
 * indexed 0.. in that order; unbound viewers' amounts become carried balances (ledger source
 * `seal:<epoch>:<channel>`); the rest overflow. They hold what the sealer checked, so no amount
 * past MAX_AMOUNT reaches them.
 *
 * Built `CHANNEL_TREES_PER_TRANSACTION` at a time: one lock statement, one read of their
 * participants and one batch of writes per transaction instead of a round of each per tree; the
 * bound wallets of the epoch's viewers are read once for all of them.
 */
import {
  boundWalletsOfViewers,
  type ParticipantLists,
  participantLists,
  undecidedSealedChannels,
} from '../../adapters/db/attention/tree-participant-store.ts';
import {
  type BoundWallet,
  candidatesFromLists,
  placesWithinCap,
  type TreePlan,
} from '../../core/attention/tree-plan.ts';
import { withSerializationRetry } from '../platform/transaction-retry.ts';
import type { SealingDeps } from './sealing.ts';
import { lockTreeBuilds } from './tree-build-locks.ts';
import { walletBytes } from './tree-hashing.ts';
import { shardTrees } from './tree-shards.ts';
import { storeTrees, type TreeOutcome } from './tree-storage.ts';

/** What a batch of channel trees tells as it goes: the participants it read, and that its trees are planned. */
export interface ChannelTreesWatch {
  read(lists: readonly ParticipantLists[]): void;
  planned(): void;
}

/**
 * Channel trees stored per transaction (and per batch of writes) at most; fewer when the epoch's
 * channels would not give every connection a batch.
 */
export const CHANNEL_TREES_PER_TRANSACTION = 10;

/**
 * Wallets bound at `now` of the viewers within the cap in `channels`, read once for all their
 * trees (each viewer once, however many of the channels they watched).
 */
export async function boundWallets(
  deps: SealingDeps,
  epoch: number,
  channels: readonly string[],
  now: Date,
): Promise<Map<string, BoundWallet>> {
  if (channels.length === 0) return new Map();
  const places = placesWithinCap(deps.settings.capacity, deps.settings.maxShards);
  const rows = await boundWalletsOfViewers(deps.sql, epoch, channels, places, now);
  return new Map(rows.map((r) => [r.userHash, { wallet: r.wallet, claimer: undefined }]));
}

/**
 * Builds the still undecided trees among `channels` (sealed channels of `epoch`) in one
 * transaction: every tree's lock first, then one read of their participants, the trees built
 * in memory, and one batch of writes. A run that stops half way leaves the batches it did not
 * commit to the next run; a concurrent run waits on the locks and then skips what was decided.
 */
export function buildChannelTrees(
  deps: SealingDeps,
  epoch: number,
  channels: readonly string[],
  wallets: Promise<ReadonlyMap<string, BoundWallet>>,
  /** Told the participants read, and when every tree is planned and sent to be hashed. */
  watch?: ChannelTreesWatch,
): Promise<TreeOutcome[]> {
  const { settings } = deps;
  const telemetry = deps.telemetry;
  const places = placesWithinCap(settings.capacity, settings.maxShards);
  return withSerializationRetry(
    deps.telemetry,
    `trees ${channels[0]}..${channels[channels.length - 1]} ${epoch}`,
    () =>
      deps.sql.begin(async (tx) => {
        // One round trip: the statements run in order, each reading after the one before, so
        // tree_builds is read only once every lock is held.
        const [, sealed, lists] = await Promise.all([
          lockTreeBuilds(tx, epoch, channels),
          undecidedSealedChannels(tx, epoch, channels),
          participantLists(tx, epoch, channels, places),
        ]);
        watch?.read(lists);
        if (sealed.length === 0) return [];
        const bound = await wallets;
        const byChannel = new Map(lists.map((l) => [l.channel, l]));
        // Planned a channel at a time, as storing asks for them: a channel's trees are hashing
        // on a worker thread while the next channel's participants are parsed here, and between
        // two channels this thread sends the dumps hashed so far to the database.
        async function* trees(): AsyncGenerator<TreePlan> {
          for (const s of sealed) {
            const list = byChannel.get(s.channel);
            const candidates =
              list === undefined ? [] : candidatesFromLists(s.channel, list, bound, walletBytes);
            yield* shardTrees(
              settings,
              telemetry,
              {
                epoch,
                channel: s.channel,
                kind: 'channel',
                tokenGroup: s.tokenGroup,
                category: s.category,
                candidates: s.participantCount,
                budgetMs: settings.channelBudgetMs,
                carrySource: `seal:${epoch}:${s.channel}`,
              },
              candidates,
            );
            await new Promise((resolve) => setImmediate(resolve));
          }
          watch?.planned();
        }
        // On a worker-thread hasher the batch's trees hash side by side with this thread's work.
        return storeTrees(tx, deps, trees());
      }),
  );
}
