/**
 * The rules that decide who gets a leaf in an epoch's trees (DESIGN.md section 5, "Trees"),
 * kept pure so they can be tested without a database.
 *
 * Tree names: a channel tree is named by its Twitch login; category and carry trees by the
 * lowercase pseudo-channels `category:<category>:<token group>` and `carry:<token group>`
 * (DESIGN.md: "lowercase pseudo-channels"), e.g. `category:music:milo`, `carry:milo`. The
 * token group keeps its configured spelling (`MILO`) everywhere else: in sealed_epochs,
 * merkle_trees.token_group, carried balances and TOKEN_GROUP_MINTS.
 *
 * Shards (DESIGN.md "Shards"): past one tree's capacity, a channel or category tree continues in
 * `<name>~2`, `<name>~3`, … Each shard is a pseudo-channel of its own (its own channel_state,
 * publication and claims); `~` never appears in a Twitch login or a token group, so a shard name
 * never collides with a real channel.
 */
import { isValidLogin } from './signals.ts';

export type TreeKind = 'channel' | 'category' | 'carry';

/** Sealing runs 5 minutes after the hour: an epoch is due once its hour and 5 minutes passed. */
export const SEAL_DELAY_SECONDS = 300;
export const EPOCH_SECONDS = 3600;

export function categoryTreeName(category: string, tokenGroup: string): string {
  return `category:${category}:${tokenGroup}`.toLowerCase();
}

export function carryTreeName(tokenGroup: string): string {
  return `carry:${tokenGroup}`.toLowerCase();
}

/** Shards per channel when a token group sets none (8 × 1,024 = 8,192 claims, the v2 capacity). */
export const DEFAULT_MAX_SHARDS = 8;
/** The largest shard number a name may carry: a bound on what a caller can make us look up. */
export const MAX_SHARD_NUMBER = 999;

/**
 * The tree name of shard `shard` (1-based) of `base`: the first shard is the base name itself,
 * so a channel that fits one tree is named and published exactly as before shards.
 */
export function shardName(base: string, shard: number): string {
  if (!Number.isInteger(shard) || shard < 1 || shard > MAX_SHARD_NUMBER) {
    throw new RangeError(`shard must be an integer in [1, ${MAX_SHARD_NUMBER}], got ${shard}`);
  }
  return shard === 1 ? base : `${base}~${shard}`;
}

/**
 * The base name and shard number of a tree name (`x~3` → x, 3; `x` → x, 1), or undefined when
 * the suffix is not a canonical shard number (`x~1`, `x~02`, `x~` name no shard).
 */
export function splitShardName(name: string): { readonly base: string; readonly shard: number } | undefined {
  const at = name.lastIndexOf('~');
  if (at === -1) return { base: name, shard: 1 };
  const suffix = name.slice(at + 1);
  if (!/^[1-9][0-9]{0,2}$/.test(suffix) || suffix === '1') return undefined;
  const base = name.slice(0, at);
  return base.length === 0 || base.includes('~') ? undefined : { base, shard: Number(suffix) };
}

/** Tree names in reading order: by base name, then shard number (`x`, `x~2`, …, `x~10`). */
export function compareTreeNames(a: string, b: string): number {
  const sa = splitShardName(a) ?? { base: a, shard: 0 };
  const sb = splitShardName(b) ?? { base: b, shard: 0 };
  if (sa.base !== sb.base) return sa.base < sb.base ? -1 : 1;
  return sa.shard - sb.shard;
}

export type TreeName =
  | { readonly kind: 'channel'; readonly name: string; readonly base: string; readonly shard: number }
  | {
      readonly kind: 'category';
      readonly name: string;
      readonly base: string;
      readonly shard: number;
      readonly category: string;
      readonly group: string;
    }
  | { readonly kind: 'carry'; readonly name: string; readonly group: string };

const GROUP = /^[a-z0-9_]{1,32}$/;

/**
 * A channel as the claims routes accept it: a Twitch login or a pseudo-channel, either possibly
 * a shard (`~<k>`), any case; undefined when it is none of these. The returned name is the
 * stored (lowercase) one. Carry trees are never sharded.
 */
export function parseTreeName(raw: string): TreeName | undefined {
  const name = raw.trim().toLowerCase();
  const sharded = splitShardName(name);
  if (sharded === undefined) return undefined;
  const { base, shard } = sharded;
  const parts = base.split(':');
  if (parts.length === 1) return isValidLogin(base) ? { kind: 'channel', name, base, shard } : undefined;
  if (shard === 1 && parts[0] === 'carry' && parts.length === 2 && GROUP.test(parts[1] ?? '')) {
    return { kind: 'carry', name, group: parts[1] as string };
  }
  if (
    parts[0] === 'category' &&
    parts.length === 3 &&
    GROUP.test(parts[1] ?? '') &&
    GROUP.test(parts[2] ?? '')
  ) {
    return {
      kind: 'category',
      name,
      base,
      shard,
      category: parts[1] as string,
      group: parts[2] as string,
    };
  }
  return undefined;
}

/** Whether `epoch` (unix seconds of its hour) may be sealed at `nowMs`. */
export function isEpochDue(epoch: number, nowMs: number): boolean {
  return (epoch + EPOCH_SECONDS + SEAL_DELAY_SECONDS) * 1000 <= nowMs;
}

/** The newest epoch that is due at `nowMs`. */
export function latestDueEpoch(nowMs: number): number {
  return Math.floor((nowMs / 1000 - EPOCH_SECONDS - SEAL_DELAY_SECONDS) / EPOCH_SECONDS) * EPOCH_SECONDS;
}

/**
 * The largest amount, and the largest sum of amounts, the attention oracle stores or pays. A
 * leaf's amount is a u64 on chain, but amounts and their sums (a tree's total, a channel's
 * carried amount) are kept in signed bigint columns: the smaller bound applies to all of them,
 * so an amount that passes never overflows further on (issue 17, H4).
 */
export const MAX_AMOUNT = 2n ** 63n - 1n;

/**
 * What a tree can pay of `candidates`, in their order: each its amount or what is left of
 * `budget` (every leaf and the tree's total stay within MAX_AMOUNT), none once the budget is
 * spent. `reduced` counts the candidates paid less than their amount or nothing.
 */
export function withinAmountBudget(
  candidates: readonly Candidate[],
  budget: bigint = MAX_AMOUNT,
): { readonly paid: Candidate[]; readonly reduced: number } {
  const paid: Candidate[] = [];
  let left = budget;
  let reduced = 0;
  for (const c of candidates) {
    // bigint: Math.min does not take it.
    let amount = c.amount;
    if (amount > left) {
      amount = left;
      reduced++;
    }
    if (amount <= 0n) continue;
    paid.push(amount === c.amount ? c : { ...c, amount });
    left -= amount;
  }
  return { paid, reduced };
}

/** Token base units for a weight in hundredths, floored once (DESIGN.md: weights → u64 amounts). */
export function amountForWeight(weightHundredths: bigint, baseUnitsPerWeight: bigint): bigint {
  return (weightHundredths * baseUnitsPerWeight) / 100n;
}

export interface Candidate {
  readonly userHash: string;
  readonly amount: bigint;
  /** The bound wallet (base58) at build time, if any. */
  readonly wallet: string | undefined;
  /** The wallet's 32 bytes, where the reader already has them decoded. */
  readonly claimer?: Uint8Array | undefined;
}

export interface LeafAssignment {
  readonly index: number;
  readonly userHash: string;
  readonly amount: bigint;
  readonly wallet: string;
  /** The wallet's 32 bytes, passed on from the candidate. */
  readonly claimer?: Uint8Array | undefined;
}

export interface CapacitySplit {
  /** Bound viewers within capacity, indexed 0.. in the given order. */
  readonly leaves: LeafAssignment[];
  /** Unbound viewers within capacity: their amounts become carried balances. */
  readonly carried: Candidate[];
  /** How many candidates were beyond capacity: no reward this epoch. */
  readonly overflow: number;
}

export interface ShardSplit {
  /** Leaves of each shard in order (shard 1 first), each indexed 0.. in the given order. */
  readonly shards: LeafAssignment[][];
  /** Unbound viewers within the cap: their amounts become carried balances. */
  readonly carried: Candidate[];
  /** How many candidates were beyond the cap (`maxShards × capacity` places): no reward this epoch. */
  readonly overflow: number;
}

/**
 * The cap is positional, as capacity was before shards: the first `maxShards × capacity`
 * candidates in the given order are within it, the rest overflow. Within it, bound candidates
 * fill shards of `capacity` leaves in order and unbound ones are carried, so at most
 * `maxShards` shards are ever needed and a shard is only opened once the one before is full.
 */
export function splitIntoShards(
  candidates: readonly Candidate[],
  capacity: number,
  maxShards: number,
  total: number = candidates.length,
): ShardSplit {
  // splitByCapacity over the cap's places, cut into shards, in one pass: each leaf is made once,
  // with its index in its shard (a large channel's leaves are most of a sealing run's objects).
  const places = capacity * maxShards;
  const shards: LeafAssignment[][] = [];
  const carried: Candidate[] = [];
  let shard: LeafAssignment[] = [];
  const within = Math.min(places, candidates.length);
  for (let i = 0; i < within; i++) {
    const c = candidates[i] as Candidate;
    if (c.wallet === undefined) {
      carried.push(c);
      continue;
    }
    if (shard.length === capacity) {
      shards.push(shard);
      shard = [];
    }
    shard.push({
      index: shard.length,
      userHash: c.userHash,
      amount: c.amount,
      wallet: c.wallet,
      claimer: c.claimer,
    });
  }
  if (shard.length > 0) shards.push(shard);
  return { shards, carried, overflow: Math.max(0, Math.max(total, candidates.length) - places) };
}

/**
 * Capacity applies to the given order first (sealing order for channel trees): of the first
 * `capacity` candidates, bound ones get leaves indexed in that order and unbound ones are
 * carried; the rest overflow. `total` counts candidates beyond those passed in (a query that
 * stopped at `capacity` rows still knows how many there were).
 */
export function splitByCapacity(
  candidates: readonly Candidate[],
  capacity: number,
  total: number = candidates.length,
): CapacitySplit {
  const leaves: LeafAssignment[] = [];
  const carried: Candidate[] = [];
  const within = Math.min(capacity, candidates.length);
  for (let i = 0; i < within; i++) {
    const c = candidates[i] as Candidate;
    if (c.wallet === undefined) carried.push(c);
    else {
      leaves.push({
        index: leaves.length,
        userHash: c.userHash,
        amount: c.amount,
        wallet: c.wallet,
        claimer: c.claimer,
      });
    }
  }
  return { leaves, carried, overflow: Math.max(0, Math.max(total, candidates.length) - capacity) };
}
