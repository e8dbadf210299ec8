/**
 * An epoch's tree as the builder decides it, before it is hashed and stored (DESIGN.md section 5,
 * "Trees", "Shards" and "No stranded amount"): which viewers get a leaf and in which shard, whose
 * amounts are carried, how many overflow. Pure: the services read the candidates and store what
 * is decided here.
 */
import { AmountOverflowError } from '../../errors.ts';
import { decimalBigInt } from '../numbers.ts';
import {
  type Candidate,
  compareTreeNames,
  DEFAULT_MAX_SHARDS,
  type LeafAssignment,
  MAX_AMOUNT,
  shardName,
  splitIntoShards,
  type TreeKind,
} from './trees.ts';

export interface TreePlan {
  readonly epoch: number;
  readonly channel: string;
  readonly kind: TreeKind;
  readonly tokenGroup: string;
  readonly category: string | null;
  readonly candidates: number;
  readonly leaves: readonly LeafAssignment[];
  readonly carried: readonly Candidate[];
  readonly overflow: number;
  readonly budgetMs: number;
  /** Ledger source key of the carried credits (unbound viewers). */
  readonly carrySource: string;
}

/** What a tree is before its candidates are split: its name, kind and counts. */
export type TreeHead = Omit<TreePlan, 'leaves' | 'carried' | 'overflow'>;

/**
 * A channel's or category's trees, one per shard: the first (the base name) with the counts of
 * the whole tree (candidates, carried, overflow) and at least one even when empty, the others
 * with their leaves only, so sums over the stored decisions count every participant once.
 */
export function planShards(
  head: TreeHead,
  candidates: readonly Candidate[],
  capacity: number,
  maxShards: number,
): TreePlan[] {
  const { shards, carried, overflow } = splitIntoShards(candidates, capacity, maxShards, head.candidates);
  const first: TreePlan = { ...head, leaves: shards[0] ?? [], carried, overflow };
  return [
    first,
    ...shards.slice(1).map((leaves, i) => ({
      ...head,
      channel: shardName(head.channel, i + 2),
      candidates: 0,
      leaves,
      carried: [],
      overflow: 0,
    })),
  ];
}

/**
 * Sealing positions any channel's trees may reach: capacity times the largest shard cap of any
 * token group (reads stop there; each channel is then cut at its own group's cap).
 */
export function placesWithinCap(capacity: number, maxShards: Readonly<Record<string, number>>): number {
  return capacity * Math.max(DEFAULT_MAX_SHARDS, ...Object.values(maxShards));
}

/**
 * Refuses a tree whose candidates' amounts, or their sum, are past MAX_AMOUNT: a leaf would not
 * fit, or the tree's total or carried amount would not be storable.
 */
export function refuseOverflow(channel: string, epoch: number, candidates: readonly Candidate[]): void {
  let total = 0n;
  for (const c of candidates) {
    total += c.amount;
    if (c.amount > MAX_AMOUNT || total > MAX_AMOUNT) {
      throw new AmountOverflowError(
        `${channel} in epoch ${epoch}: amounts past ${MAX_AMOUNT} (one of ${c.amount}, ${total} so far); lower its base units per weight`,
      );
    }
  }
}

/** A movement of one viewer's carried balance in one token group. */
export interface ViewerAmount {
  readonly userHash: string;
  readonly tokenGroup: string;
  readonly amount: bigint;
}

/** One entry per viewer and token group with the sum of their positive amounts, in first-seen order. */
export function sumByViewer<T extends ViewerAmount>(amounts: readonly T[]): T[] {
  const byKey = new Map<string, T>();
  for (const a of amounts) {
    if (a.amount <= 0n) continue;
    const key = `${a.userHash}:${a.tokenGroup}`;
    const known = byKey.get(key);
    byKey.set(key, known === undefined ? a : { ...known, amount: known.amount + a.amount });
  }
  return [...byKey.values()];
}

/** A wallet bound at the build, as read for a run: base58, and its bytes once a leaf needed them. */
export interface BoundWallet {
  readonly wallet: string;
  claimer: Uint8Array | undefined;
}

/**
 * A channel's candidates from its participants in sealing order as two comma-separated lists
 * (user hashes are hex, amounts decimal), each bound viewer with the bytes of their wallet:
 * decoded by `decode` once per viewer and kept on the wallet, not once per leaf.
 */
export function candidatesFromLists(
  channel: string,
  lists: { readonly users: string | null; readonly amounts: string | null },
  wallets: ReadonlyMap<string, BoundWallet>,
  decode: (wallet: string) => Uint8Array,
): Candidate[] {
  if (lists.users === null || lists.amounts === null) return [];
  const users = lists.users.split(',');
  const amounts = lists.amounts.split(',');
  if (users.length !== amounts.length) {
    throw new Error(`channel ${channel}: ${users.length} participants but ${amounts.length} amounts`);
  }
  const candidates = new Array<Candidate>(users.length);
  for (let i = 0; i < users.length; i++) {
    candidates[i] = boundCandidate(users[i] as string, decimalBigInt(amounts[i] as string), wallets, decode);
  }
  return candidates;
}

/**
 * A viewer's candidate with the wallet bound at the build, if any: its bytes decoded by `decode`
 * once per viewer and kept on the wallet, not once per leaf.
 */
export function boundCandidate(
  userHash: string,
  amount: bigint,
  wallets: ReadonlyMap<string, BoundWallet>,
  decode: (wallet: string) => Uint8Array,
): Candidate {
  const bound = wallets.get(userHash);
  if (bound === undefined) return { userHash, amount, wallet: undefined };
  bound.claimer ??= decode(bound.wallet);
  return { userHash, amount, wallet: bound.wallet, claimer: bound.claimer };
}

const KIND_ORDER: Readonly<Record<TreeKind, number>> = { channel: 0, category: 1, carry: 2 };

/** The order an epoch's trees are reported in: channel, category, then carry trees, each by name. */
export function compareTrees(
  a: { readonly kind: TreeKind; readonly channel: string },
  b: { readonly kind: TreeKind; readonly channel: string },
): number {
  return KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || compareTreeNames(a.channel, b.channel);
}
