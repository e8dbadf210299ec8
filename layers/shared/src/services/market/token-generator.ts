/**
 * The token generator: syncs credential status from the AIR API, accrues each credential's
 * tokens (core/market/emission.ts) into `claimable_balances` with an `emission_calculations`
 * record, and mints claims (token-claims.ts). AIR reports a status, not when it changed, so a
 * credential is credited only for time a check verified it valid: up to its last check while
 * active, and once a check sees it revoked or expired it stops at the last check that saw it valid
 * (or at its expiry) and is never reopened.
 */
import {
  accruedByCredential,
  balancesDue,
  claimableOf,
  recordAccruals,
} from '../../adapters/db/market/claimable-balance-store.ts';
import { allCredentials, upsertCredentials } from '../../adapters/db/market/credential-store.ts';
import {
  completeGenerationJob,
  failGenerationJob,
  generationTotals,
  startGenerationJob,
} from '../../adapters/db/market/generation-job-store.ts';
import { accrueCredentials, firstSeenRecord } from '../../core/market/credential-accrual.ts';
import type { EmissionConfig } from '../../core/market/emission.ts';
import type { AirCredentialApi } from '../../ports/air-credentials.ts';
import type { EventBus } from '../../ports/event-bus.ts';
import type { Minter } from '../../ports/minter.ts';
import type { Sql } from '../../ports/sql.ts';
import { claimTokens, resumePendingClaims, settleQueuedClaims } from './token-claims.ts';

export interface TokenGeneratorDeps {
  readonly sql: Sql;
  readonly air: AirCredentialApi;
  readonly minter: Minter;
  readonly bus?: EventBus;
  readonly emission: EmissionConfig;
}

/** Reads every credential from AIR and records its status as of `now`. */
export async function syncCredentials(
  deps: Pick<TokenGeneratorDeps, 'sql' | 'air'>,
  now: number,
): Promise<number> {
  const credentials = await deps.air.listCredentials();
  if (credentials.length === 0) return 0;
  await upsertCredentials(
    deps.sql,
    credentials.map((credential) => firstSeenRecord(credential, now)),
  );
  return credentials.length;
}

/** Accrues every credential up to min(now, its last check); returns the tokens added. */
export async function accrueBalances(
  deps: Pick<TokenGeneratorDeps, 'sql' | 'emission'>,
  now: number,
  jobId: number | null,
): Promise<bigint> {
  const credentials = await allCredentials(deps.sql);
  if (credentials.length === 0) return 0n;
  const before = await accruedByCredential(deps.sql);
  const { accruals, added } = accrueCredentials(credentials, before, deps.emission, now);
  await deps.sql.begin((tx) => recordAccruals(tx, accruals, jobId));
  return added;
}

export interface GenerationSummary {
  readonly jobId: number;
  readonly credentialsChecked: number;
  readonly tokensAccrued: string;
  readonly claimsMinted: number;
}

/** Claims every balance of at least `minimum`; returns how many claims it made. */
async function claimDueBalances(deps: TokenGeneratorDeps, now: number, minimum: bigint): Promise<number> {
  let minted = 0;
  for (const credentialId of await balancesDue(deps.sql, minimum)) {
    const claim = await claimTokens(deps, credentialId, { now });
    if (claim.created) minted++;
  }
  return minted;
}

/**
 * The scheduled job: sync, accrue, and mint every balance of at least `autoMintMinimum`.
 */
export async function runTokenGeneration(
  deps: TokenGeneratorDeps,
  now: number,
  options: { autoMintMinimum?: bigint } = {},
): Promise<GenerationSummary> {
  const jobId = await startGenerationJob(deps.sql, now);
  try {
    const checked = await syncCredentials(deps, now);
    const accrued = await accrueBalances(deps, now, jobId);
    let minted = await resumePendingClaims(deps, now);
    minted += (await settleQueuedClaims(deps, now))[0];
    if (options.autoMintMinimum !== undefined) {
      minted += await claimDueBalances(deps, now, options.autoMintMinimum);
    }
    await completeGenerationJob(deps.sql, jobId, {
      credentialsChecked: checked,
      tokensAccrued: accrued,
      claimsMinted: minted,
    });
    return { jobId, credentialsChecked: checked, tokensAccrued: accrued.toString(), claimsMinted: minted };
  } catch (error) {
    await failGenerationJob(deps.sql, jobId, (error as Error).message);
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
  const credentials = await claimableOf(sql, holder.toLowerCase());
  return {
    holder: holder.toLowerCase(),
    total: credentials.reduce((sum, row) => sum + BigInt(row.claimable), 0n).toString(),
    credentials,
  };
}

export async function generationStats(sql: Sql): Promise<Record<string, unknown>> {
  const totals = await generationTotals(sql);
  return { ...totals, lastJobAt: totals.lastJobAt === null ? null : totals.lastJobAt.toISOString() };
}
