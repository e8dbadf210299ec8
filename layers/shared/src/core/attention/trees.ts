/**
 * The rules that decide who gets a leaf in an epoch's trees (DESIGN.md section 5, "Trees"),
 * kept pure so they can be tested without a database.
 *
 * Tree names: a channel tree is named by its Twitch login; category and carry trees by the
 * lowercase pseudo-channels `category:<category>:<token group>` and `carry:<token group>`
 * (DESIGN.md: "lowercase pseudo-channels"), e.g. `category:music:milo`, `carry:milo`. The
 * token group keeps its configured spelling (`MILO`) everywhere else: in sealed_epochs,
 * merkle_trees.token_group, carried balances and TOKEN_GROUP_MINTS.
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

export type TreeName =
  | { readonly kind: 'channel'; readonly name: string }
  | { readonly kind: 'category'; readonly name: string; readonly category: string; readonly group: string }
  | { readonly kind: 'carry'; readonly name: string; readonly group: string };

const GROUP = /^[a-z0-9_]{1,32}$/;

/**
 * A channel as the claims routes accept it: a Twitch login or a pseudo-channel, any case;
 * undefined when it is neither. The returned name is the stored (lowercase) one.
 */
export function parseTreeName(raw: string): TreeName | undefined {
  const name = raw.trim().toLowerCase();
  const parts = name.split(':');
  if (parts.length === 1) return isValidLogin(name) ? { kind: 'channel', name } : undefined;
  if (parts[0] === 'carry' && parts.length === 2 && GROUP.test(parts[1] ?? '')) {
    return { kind: 'carry', name, group: parts[1] as string };
  }
  if (
    parts[0] === 'category' &&
    parts.length === 3 &&
    GROUP.test(parts[1] ?? '') &&
    GROUP.test(parts[2] ?? '')
  ) {
    return { kind: 'category', name, category: parts[1] as string, group: parts[2] as string };
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
