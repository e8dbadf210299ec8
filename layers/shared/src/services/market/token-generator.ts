/**
 * The token generator: syncs credential status from the AIR API, accrues each credential's
 * tokens (core/market/emission.ts) into `claimable_balances` with an `emission_calculations`
 * record, and mints claims. AIR reports a status, not when it changed, so a credential is credited
 * only for time a check verified it valid: up to its last check while active, and once a check
 * sees it revoked or expired it stops at the last check that saw it valid (or at its expiry) and
 * is never reopened.
 * Claims of one credential are serialised on its balance row: of two requests racing for the same
 * balance the second finds nothing left and answers with the first claim, and a repeated request
 * id returns the first claim; the minter's claim id makes the mint itself idempotent too.
 */
import { randomUUID } from 'node:crypto';
import type { TokenMintedEvent } from '../../core/events/domain-events.ts';
import {
  accruedAt,
  type Credential,
  type EmissionConfig,
  multiplierBps,
} from '../../core/market/emission.ts';
import { ConflictError, ForbiddenError, NotFoundError, RateLimitedError } from '../../errors.ts';
import type { AirCredentialApi } from '../../ports/air-credentials.ts';
import type { EventBus } from '../../ports/event-bus.ts';
import type { Minter, QueuedMinter } from '../../ports/minter.ts';
import type { Sql } from '../../ports/sql.ts';

export interface TokenGeneratorDeps {
  readonly sql: Sql;
  readonly air: AirCredentialApi;
  readonly minter: Minter;
  readonly bus?: EventBus;
  readonly emission: EmissionConfig;
}

interface CredentialRow {
  id: string;
  holder: string;
  status: string;
  tier: string;
  issued_at: bigint;
  expires_at: bigint | null;
  revoked_at: bigint | null;
  checked_at: bigint;
}

function toCredential(row: CredentialRow): Credential {
  return {
    id: row.id,
    holder: row.holder,
    status: row.status as Credential['status'],
    tier: row.tier,
    issuedAt: Number(row.issued_at),
    expiresAt: row.expires_at === null ? undefined : Number(row.expires_at),
    revokedAt: row.revoked_at === null ? undefined : Number(row.revoked_at),
  };
}

/** Reads every credential from AIR and records its status as of `now`. */
export async function syncCredentials(
  deps: Pick<TokenGeneratorDeps, 'sql' | 'air'>,
  now: number,
): Promise<number> {
  const credentials = await deps.air.listCredentials();
  if (credentials.length === 0) return 0;
  const rows = credentials.map((credential) => ({
    id: credential.id,
    holder: credential.holder.toLowerCase(),
    status: credential.status,
    tier: credential.tier,
    issued_at: credential.issuedAt,
    expires_at: credential.expiresAt ?? null,
    // First seen inactive: nothing was ever verified valid, except up to a stated expiry.
    revoked_at:
      credential.status === 'active'
        ? null
        : credential.status === 'expired' && credential.expiresAt !== undefined
          ? credential.expiresAt
          : credential.issuedAt,
    checked_at: now,
  }));
  await deps.sql`
    insert into market.credentials ${deps.sql(rows)}
    on conflict (id) do update set
      status = case when market.credentials.revoked_at is not null then market.credentials.status else excluded.status end,
      tier = excluded.tier,
      expires_at = excluded.expires_at,
      -- Seen inactive now: it was last verified valid at the previous check, and accrues up to
      -- there. Once fixed the moment stays; a later "active" does not reopen the credential.
      revoked_at = coalesce(
        market.credentials.revoked_at,
        case when excluded.status <> 'active' then market.credentials.checked_at end),
      checked_at = greatest(market.credentials.checked_at, excluded.checked_at)`;
  return rows.length;
}

/** Accrues every credential up to min(now, its last check); returns the tokens added. */
export async function accrueBalances(
  deps: Pick<TokenGeneratorDeps, 'sql' | 'emission'>,
  now: number,
  jobId: number | null,
): Promise<bigint> {
  const rows = await deps.sql<CredentialRow[]>`select * from market.credentials order by id`;
  if (rows.length === 0) return 0n;
  const balances = await deps.sql<{ credential_id: string; accrued: string }[]>`
    select credential_id, accrued::text from market.claimable_balances`;
  const before = new Map(balances.map((row) => [row.credential_id, BigInt(row.accrued)]));
  let added = 0n;
  const balanceRows: Record<string, string | number | null>[] = [];
  const emissionRows: Record<string, string | number | null>[] = [];
  for (const row of rows) {
    const credential = toCredential(row);
    const until = Math.min(now, Number(row.checked_at));
    const accrued = accruedAt(credential, deps.emission, until);
    const previous = before.get(row.id) ?? 0n;
    // Accrual only grows: a re-run for an earlier time never takes tokens back.
    const total = accrued > previous ? accrued : previous;
    added += total - previous;
    balanceRows.push({
      credential_id: row.id,
      holder: row.holder,
      accrued: total.toString(),
      accrued_until: until,
    });
    emissionRows.push({
      credential_id: row.id,
      period_end: until,
      rate_per_second: deps.emission.baseRatePerSecond.toString(),
      multiplier_bps: multiplierBps(deps.emission, row.tier),
      accrued_total: total.toString(),
      job_id: jobId,
    });
  }
  await deps.sql.begin(async (tx) => {
    await tx`
      insert into market.claimable_balances ${tx(balanceRows)}
      on conflict (credential_id) do update set
        accrued = greatest(market.claimable_balances.accrued, excluded.accrued),
        accrued_until = greatest(market.claimable_balances.accrued_until, excluded.accrued_until)`;
    await tx`insert into market.emission_calculations ${tx(emissionRows)} on conflict do nothing`;
  });
  return added;
}

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

interface ClaimRow {
  id: string;
  credential_id: string;
  holder: string;
  amount: string;
  status: ClaimResult['status'];
  tx_hash: string | null;
}

/** TokenMinted for a claim whose mint landed (directly, or confirmed later by the delivery engine). */
const tokenMinted = (row: ClaimRow, txHash: string | undefined, timestamp: number): TokenMintedEvent => ({
  type: 'TokenMinted',
  claimId: row.id,
  credentialId: row.credential_id,
  holder: row.holder,
  amount: row.amount,
  txHash,
  timestamp,
});

const claimResult = (row: ClaimRow, created: boolean): ClaimResult => ({
  claimId: row.id,
  credentialId: row.credential_id,
  holder: row.holder,
  amount: String(row.amount),
  status: row.status,
  txHash: row.tx_hash,
  created,
});

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
  const { sql } = deps;
  const outcome = await sql.begin(async (tx) => {
    // The balance row lock serialises claims of one credential; the request id is looked up
    // under it, so a concurrent duplicate sees the first one's claim.
    const [balance] = await tx<{ holder: string; accrued: string; claimed: string }[]>`
      select holder, accrued::text, claimed::text from market.claimable_balances
      where credential_id = ${credentialId} for update`;
    if (balance === undefined) throw new NotFoundError(`credential ${credentialId} has no balance`);
    if (options.claimant !== undefined && options.claimant.toLowerCase() !== balance.holder) {
      throw new ForbiddenError(`only the holder of credential ${credentialId} can claim it`);
    }
    if (options.requestId !== undefined) {
      const [known] = await tx<ClaimRow[]>`
        select id, credential_id, holder, amount::text, status, tx_hash from market.claims
        where request_id = ${options.requestId}`;
      if (known !== undefined) return { row: known, created: false };
    }
    const amount = BigInt(balance.accrued) - BigInt(balance.claimed);
    if (amount <= 0n) {
      // A repeat of the claim that emptied the balance answers with that claim.
      const [last] = await tx<ClaimRow[]>`
        select id, credential_id, holder, amount::text, status, tx_hash from market.claims
        where credential_id = ${credentialId} order by created_at desc limit 1`;
      if (options.requestId === undefined && last !== undefined) return { row: last, created: false };
      throw new ConflictError(`credential ${credentialId} has nothing to claim`);
    }
    if (options.cooldownSeconds !== undefined && options.cooldownSeconds > 0) {
      const [recent] = await tx<{ at: number }[]>`
        select extract(epoch from max(created_at))::float8 as at from market.claims
        where credential_id = ${credentialId} and status <> 'failed'`;
      const next = recent?.at == null ? undefined : Math.floor(recent.at) + options.cooldownSeconds;
      if (next !== undefined && next > options.now) {
        throw new RateLimitedError(
          `credential ${credentialId} was claimed less than ${options.cooldownSeconds} s ago; claim again from ${new Date(next * 1000).toISOString()}`,
          next - options.now,
        );
      }
    }
    if (options.minimum !== undefined && amount < options.minimum) {
      throw new ConflictError(
        `credential ${credentialId} has ${amount} base units to claim, below the claim minimum of ${options.minimum}`,
        { details: { claimable: amount.toString(), minimum: options.minimum.toString() } },
      );
    }
    const row: ClaimRow = {
      id: `claim-${randomUUID()}`,
      credential_id: credentialId,
      holder: balance.holder,
      amount: amount.toString(),
      status: 'pending',
      tx_hash: null,
    };
    await tx`
      insert into market.claims (id, request_id, credential_id, holder, amount, status, created_at)
      values (${row.id}, ${options.requestId ?? row.id}, ${credentialId}, ${row.holder}, ${row.amount}, 'pending',
              to_timestamp(${options.now}))`;
    await tx`
      update market.claimable_balances set claimed = claimed + ${row.amount}::numeric
      where credential_id = ${credentialId}`;
    return { row, created: true };
  });
  const { row, created } = outcome as { row: ClaimRow; created: boolean };
  // A repeat answers with the first claim as it stands; only its creator mints (and the job
  // resumes a claim a crash left pending: the mint is idempotent on the claim id).
  if (!created) return claimResult(row, false);
  return mintClaim(deps, row, options.now);
}

async function mintClaim(
  deps: Pick<TokenGeneratorDeps, 'sql' | 'minter' | 'bus'>,
  row: ClaimRow,
  now: number,
): Promise<ClaimResult> {
  const { sql } = deps;
  const minted = await deps.minter.mint({ claimId: row.id, to: row.holder, amount: BigInt(row.amount) });
  const [updated] = await sql<ClaimRow[]>`
    update market.claims set status = ${minted.status}, tx_hash = ${minted.txHash ?? null},
      minted_at = case when ${minted.status} = 'minted' then now() else minted_at end
    where id = ${row.id}
    returning id, credential_id, holder, amount::text, status, tx_hash`;
  if (minted.status === 'minted') {
    await deps.bus?.publish(tokenMinted(row, minted.txHash, now));
  }
  return claimResult(updated ?? row, true);
}

/** Mints claims left `pending` for longer than `olderThanSeconds` (the process died between commit and mint). */
export async function resumePendingClaims(
  deps: Pick<TokenGeneratorDeps, 'sql' | 'minter' | 'bus'>,
  now: number,
  olderThanSeconds = 300,
): Promise<number> {
  const stale = await deps.sql<ClaimRow[]>`
    select id, credential_id, holder, amount::text, status, tx_hash from market.claims
    where status = 'pending' and created_at < to_timestamp(${now - olderThanSeconds})
    order by created_at`;
  for (const row of stale) await mintClaim(deps, row, now);
  return stale.length;
}

function isQueuedMinter(minter: Minter): minter is QueuedMinter {
  return typeof (minter as Partial<QueuedMinter>).outcomes === 'function';
}

/**
 * Settles claims handed to a queueing minter: a mint that succeeded marks the claim `minted` and
 * publishes TokenMinted; one that failed for good marks it `failed` and gives its amount back to
 * the balance, so the holder can claim it again. The refund and the end of the failed mint are
 * one transaction: once the holder can claim the amount again, no retry or redrive can mint it
 * under the old claim as well. Returns [minted, failed].
 */
export async function settleQueuedClaims(
  deps: Pick<TokenGeneratorDeps, 'sql' | 'minter' | 'bus'>,
  now: number,
): Promise<[number, number]> {
  const minter = deps.minter;
  if (!isQueuedMinter(minter)) return [0, 0];
  const queued = await deps.sql<ClaimRow[]>`
    select id, credential_id, holder, amount::text, status, tx_hash from market.claims
    where status = 'queued' order by created_at limit 1000`;
  if (queued.length === 0) return [0, 0];
  const outcomes = await minter.outcomes(queued.map((row) => row.id));
  let minted = 0;
  let failed = 0;
  for (const row of queued) {
    const outcome = outcomes.get(row.id);
    if (outcome === undefined || outcome.status === 'pending') continue;
    if (outcome.status === 'minted') {
      const settled = await deps.sql`
        update market.claims set status = 'minted', tx_hash = ${outcome.txHash ?? null}, minted_at = now()
        where id = ${row.id} and status = 'queued'`;
      if (settled.count === 0) continue;
      minted++;
      await deps.bus?.publish(tokenMinted(row, outcome.txHash, now));
    } else {
      await deps.sql.begin(async (tx) => {
        const [claim] = await tx`
          select id from market.claims where id = ${row.id} and status = 'queued' for update`;
        if (claim === undefined) return;
        const reason = `mint refunded to the balance of credential ${row.credential_id} (claim ${row.id})`;
        // Reopened by an operator since its outcome was read: it may still mint, so nothing returns.
        if (!(await minter.abandonFailed(row.id, reason, tx))) return;
        await tx`update market.claims set status = 'failed' where id = ${row.id}`;
        await tx`
          update market.claimable_balances set claimed = claimed - ${row.amount}::numeric
          where credential_id = ${row.credential_id}`;
        failed++;
      });
    }
  }
  return [minted, failed];
}

export interface GenerationSummary {
  readonly jobId: number;
  readonly credentialsChecked: number;
  readonly tokensAccrued: string;
  readonly claimsMinted: number;
}

/**
 * The scheduled job: sync, accrue, and mint every balance of at least `autoMintMinimum`.
 */
export async function runTokenGeneration(
  deps: TokenGeneratorDeps,
  now: number,
  options: { autoMintMinimum?: bigint } = {},
): Promise<GenerationSummary> {
  const [job] = await deps.sql<{ id: number }[]>`
    insert into market.generation_jobs (as_of) values (${now}) returning id`;
  const jobId = Number(job!.id);
  try {
    const checked = await syncCredentials(deps, now);
    const accrued = await accrueBalances(deps, now, jobId);
    let minted = await resumePendingClaims(deps, now);
    minted += (await settleQueuedClaims(deps, now))[0];
    if (options.autoMintMinimum !== undefined) {
      const due = await deps.sql<{ credential_id: string }[]>`
        select credential_id from market.claimable_balances
        where accrued - claimed >= ${options.autoMintMinimum.toString()}::numeric and accrued > claimed
        order by credential_id`;
      for (const { credential_id } of due) {
        const claim = await claimTokens(deps, credential_id, { now });
        if (claim.created) minted++;
      }
    }
    await deps.sql`
      update market.generation_jobs set status = 'succeeded', finished_at = now(), credentials_checked = ${checked},
        tokens_accrued = ${accrued.toString()}, claims_minted = ${minted}
      where id = ${jobId}`;
    return { jobId, credentialsChecked: checked, tokensAccrued: accrued.toString(), claimsMinted: minted };
  } catch (error) {
    await deps.sql`
      update market.generation_jobs set status = 'failed', finished_at = now(), error = ${(error as Error).message}
      where id = ${jobId}`;
    throw error;
  }
}

export async function claimableFor(
  sql: Sql,
  holder: string,
): Promise<{
  holder: string;
  total: string;
  credentials: { credentialId: string; claimable: string; accruedUntil: number }[];
}> {
  const rows = await sql<{ credential_id: string; claimable: string; accrued_until: bigint }[]>`
    select credential_id, (accrued - claimed)::text as claimable, accrued_until
    from market.claimable_balances where holder = ${holder.toLowerCase()} order by credential_id`;
  return {
    holder: holder.toLowerCase(),
    total: rows.reduce((sum, row) => sum + BigInt(row.claimable), 0n).toString(),
    credentials: rows.map((row) => ({
      credentialId: row.credential_id,
      claimable: row.claimable,
      accruedUntil: Number(row.accrued_until),
    })),
  };
}

export async function generationStats(sql: Sql): Promise<Record<string, unknown>> {
  const [row] = await sql<
    {
      credentials: bigint;
      active: bigint;
      accrued: string;
      claimed: string;
      claims: bigint;
      minted: bigint;
      last_job_at: string | null;
      jobs: bigint;
    }[]
  >`
    select
      (select count(*) from market.credentials) as credentials,
      (select count(*) from market.credentials where revoked_at is null) as active,
      (select coalesce(sum(accrued), 0)::text from market.claimable_balances) as accrued,
      (select coalesce(sum(claimed), 0)::text from market.claimable_balances) as claimed,
      (select count(*) from market.claims) as claims,
      (select count(*) from market.claims where status = 'minted') as minted,
      (select max(finished_at)::text from market.generation_jobs where status = 'succeeded') as last_job_at,
      (select count(*) from market.generation_jobs) as jobs`;
  return {
    credentials: Number(row?.credentials ?? 0n),
    activeCredentials: Number(row?.active ?? 0n),
    tokensAccrued: row?.accrued ?? '0',
    tokensClaimed: row?.claimed ?? '0',
    claims: Number(row?.claims ?? 0n),
    claimsMinted: Number(row?.minted ?? 0n),
    jobs: Number(row?.jobs ?? 0n),
    // Read as text: the shared client leaves timestamps unparsed (see services/delivery/engine.ts).
    lastJobAt: row?.last_job_at == null ? null : new Date(row.last_job_at).toISOString(),
  };
}
