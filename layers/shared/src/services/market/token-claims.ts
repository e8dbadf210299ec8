/**
 * Claims of generated tokens. Claims of one credential are serialised on its balance row: of two
 * requests racing for the same balance the second finds nothing left and answers with the first
 * claim, and a repeated request id returns the first claim; the minter's claim id makes the mint
 * itself idempotent too.
 */
import { randomUUID } from 'node:crypto';
import {
  type Claim,
  claimByRequestId,
  insertPendingClaim,
  lastClaimedAt,
  latestClaim,
  lockQueuedClaim,
  markClaimFailed,
  markQueuedMinted,
  pendingClaimsBefore,
  queuedClaims,
  recordMint,
} from '../../adapters/db/market/claim-store.ts';
import { addClaimed, lockBalance } from '../../adapters/db/market/claimable-balance-store.ts';
import type { TokenMintedEvent } from '../../core/events/domain-events.ts';
import { ConflictError, ForbiddenError, NotFoundError, RateLimitedError } from '../../errors.ts';
import type { Minter, QueuedMinter } from '../../ports/minter.ts';
import type { Queryable } from '../../ports/sql.ts';
import type { TokenGeneratorDeps } from './token-generator.ts';

export interface ClaimResult {
  readonly claimId: string;
  readonly credentialId: string;
  readonly holder: string;
  readonly amount: string;
  readonly status: 'pending' | 'queued' | 'minted' | 'failed';
  readonly txHash: string | null;
  /** False when the request repeated an earlier claim (nothing new was minted). */
  readonly created: boolean;
}

export interface ClaimOptions {
  /** An Idempotency-Key: a retried request returns the first claim. */
  readonly requestId?: string;
  readonly now: number;
  /** The signed-in address asking (a holder's own claim); it must be the credential's holder. */
  readonly claimant?: string;
  /** Base units below which a claim is refused (it would cost more gas than it is worth). */
  readonly minimum?: bigint;
  /** Seconds after a credential's last claim before another is taken. */
  readonly cooldownSeconds?: number;
}

type MintDeps = Pick<TokenGeneratorDeps, 'sql' | 'minter' | 'bus'>;

/** TokenMinted for a claim whose mint landed (directly, or confirmed later by the delivery engine). */
const tokenMinted = (claim: Claim, txHash: string | undefined, timestamp: number): TokenMintedEvent => ({
  type: 'TokenMinted',
  claimId: claim.id,
  credentialId: claim.credentialId,
  holder: claim.holder,
  amount: claim.amount,
  txHash,
  timestamp,
});

const claimResult = (claim: Claim, created: boolean): ClaimResult => ({
  claimId: claim.id,
  credentialId: claim.credentialId,
  holder: claim.holder,
  amount: String(claim.amount),
  status: claim.status,
  txHash: claim.txHash,
  created,
});

/** Refuses a holder's claim taken sooner than the cooldown after the last one. */
async function enforceCooldown(tx: Queryable, credentialId: string, options: ClaimOptions): Promise<void> {
  if (options.cooldownSeconds === undefined || options.cooldownSeconds <= 0) return;
  const last = await lastClaimedAt(tx, credentialId);
  const next = last === undefined ? undefined : Math.floor(last) + options.cooldownSeconds;
  if (next !== undefined && next > options.now) {
    throw new RateLimitedError(
      `credential ${credentialId} was claimed less than ${options.cooldownSeconds} s ago; claim again from ${new Date(next * 1000).toISOString()}`,
      next - options.now,
    );
  }
}

/**
 * Inside the claim's transaction: the claim a repeat answers with, or a new pending claim of
 * everything left, with the balance's claimed amount raised by it.
 */
async function takeClaim(
  tx: Queryable,
  credentialId: string,
  options: ClaimOptions,
): Promise<{ claim: Claim; created: boolean }> {
  // The balance row lock serialises claims of one credential; the request id is looked up
  // under it, so a concurrent duplicate sees the first one's claim.
  const balance = await lockBalance(tx, credentialId);
  if (balance === undefined) throw new NotFoundError(`credential ${credentialId} has no balance`);
  if (options.claimant !== undefined && options.claimant.toLowerCase() !== balance.holder) {
    throw new ForbiddenError(`only the holder of credential ${credentialId} can claim it`);
  }
  if (options.requestId !== undefined) {
    const known = await claimByRequestId(tx, options.requestId);
    if (known !== undefined) return { claim: known, created: false };
  }
  const amount = BigInt(balance.accrued) - BigInt(balance.claimed);
  if (amount <= 0n) {
    // A repeat of the claim that emptied the balance answers with that claim.
    const last = await latestClaim(tx, credentialId);
    if (options.requestId === undefined && last !== undefined) return { claim: last, created: false };
    throw new ConflictError(`credential ${credentialId} has nothing to claim`);
  }
  await enforceCooldown(tx, credentialId, options);
  if (options.minimum !== undefined && amount < options.minimum) {
    throw new ConflictError(
      `credential ${credentialId} has ${amount} base units to claim, below the claim minimum of ${options.minimum}`,
      { details: { claimable: amount.toString(), minimum: options.minimum.toString() } },
    );
  }
  const claim: Claim = {
    id: `claim-${randomUUID()}`,
    credentialId,
    holder: balance.holder,
    amount: amount.toString(),
    status: 'pending',
    txHash: null,
  };
  await insertPendingClaim(tx, claim, options.requestId, options.now);
  await addClaimed(tx, credentialId, amount);
  return { claim, created: true };
}

/**
 * Claims everything accrued and not yet claimed for a credential and mints it. `requestId`
 * (an Idempotency-Key) makes a retried request return the first claim; without one, a repeat
 * after the balance was emptied answers with the latest claim. A holder's own claim (the route)
 * names the claimant and is held to the minimum and the cooldown; the scheduled job's is not.
 */
export async function claimTokens(
  deps: Pick<TokenGeneratorDeps, 'sql' | 'minter' | 'bus' | 'emission'>,
  credentialId: string,
  options: ClaimOptions,
): Promise<ClaimResult> {
  const { claim, created } = (await deps.sql.begin((tx) => takeClaim(tx, credentialId, options))) as {
    claim: Claim;
    created: boolean;
  };
  // A repeat answers with the first claim as it stands; only its creator mints (and the job
  // resumes a claim a crash left pending: the mint is idempotent on the claim id).
  if (!created) return claimResult(claim, false);
  return mintClaim(deps, claim, options.now);
}

async function mintClaim(deps: MintDeps, claim: Claim, now: number): Promise<ClaimResult> {
  const minted = await deps.minter.mint({
    claimId: claim.id,
    to: claim.holder,
    amount: BigInt(claim.amount),
  });
  const updated = await recordMint(deps.sql, claim.id, minted);
  if (minted.status === 'minted') {
    await deps.bus?.publish(tokenMinted(claim, minted.txHash, now));
  }
  return claimResult(updated ?? claim, true);
}

/** Mints claims left `pending` for longer than `olderThanSeconds` (the process died between commit and mint). */
export async function resumePendingClaims(
  deps: MintDeps,
  now: number,
  olderThanSeconds = 300,
): Promise<number> {
  const stale = await pendingClaimsBefore(deps.sql, now - olderThanSeconds);
  for (const claim of stale) await mintClaim(deps, claim, now);
  return stale.length;
}

function isQueuedMinter(minter: Minter): minter is QueuedMinter {
  return typeof (minter as Partial<QueuedMinter>).outcomes === 'function';
}

/**
 * Ends a queued claim whose mint failed for good and gives its amount back to the balance, in one
 * transaction; false when it was settled meanwhile or an operator reopened the mint.
 */
async function refundFailedClaim(deps: MintDeps, minter: QueuedMinter, claim: Claim): Promise<boolean> {
  return (await deps.sql.begin(async (tx) => {
    if (!(await lockQueuedClaim(tx, claim.id))) return false;
    const reason = `mint refunded to the balance of credential ${claim.credentialId} (claim ${claim.id})`;
    // Reopened by an operator since its outcome was read: it may still mint, so nothing returns.
    if (!(await minter.abandonFailed(claim.id, reason, tx))) return false;
    await markClaimFailed(tx, claim.id);
    await addClaimed(tx, claim.credentialId, -BigInt(claim.amount));
    return true;
  })) as boolean;
}

/**
 * Settles claims handed to a queueing minter: a mint that succeeded marks the claim `minted` and
 * publishes TokenMinted; one that failed for good marks it `failed` and gives its amount back to
 * the balance, so the holder can claim it again. The refund and the end of the failed mint are
 * one transaction: once the holder can claim the amount again, no retry or redrive can mint it
 * under the old claim as well. Returns [minted, failed].
 */
export async function settleQueuedClaims(deps: MintDeps, now: number): Promise<[number, number]> {
  const minter = deps.minter;
  if (!isQueuedMinter(minter)) return [0, 0];
  const queued = await queuedClaims(deps.sql, 1000);
  if (queued.length === 0) return [0, 0];
  const outcomes = await minter.outcomes(queued.map((claim) => claim.id));
  let minted = 0;
  let failed = 0;
  for (const claim of queued) {
    const outcome = outcomes.get(claim.id);
    if (outcome === undefined || outcome.status === 'pending') continue;
    if (outcome.status === 'minted') {
      if (!(await markQueuedMinted(deps.sql, claim.id, outcome.txHash))) continue;
      minted++;
      await deps.bus?.publish(tokenMinted(claim, outcome.txHash, now));
    } else if (await refundFailedClaim(deps, minter, claim)) {
      failed++;
    }
  }
  return [minted, failed];
}
