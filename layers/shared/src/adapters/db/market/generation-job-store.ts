/** Runs of the scheduled token generation (`market.generation_jobs`), and the totals its stats route shows. */
import type { Queryable } from '../../../ports/sql.ts';

/** Opens a job for the run as of `asOf` (unix seconds); returns its id. */
export async function startGenerationJob(q: Queryable, asOf: number): Promise<number> {
  const [job] = await q<{ id: number }[]>`
    insert into market.generation_jobs (as_of) values (${asOf}) returning id`;
  return Number(job!.id);
}

export async function completeGenerationJob(
  q: Queryable,
  id: number,
  done: {
    readonly credentialsChecked: number;
    readonly tokensAccrued: bigint;
    readonly claimsMinted: number;
  },
): Promise<void> {
  await q`
    update market.generation_jobs set status = 'succeeded', finished_at = now(), credentials_checked = ${done.credentialsChecked},
      tokens_accrued = ${done.tokensAccrued.toString()}, claims_minted = ${done.claimsMinted}
    where id = ${id}`;
}

export async function failGenerationJob(q: Queryable, id: number, error: string): Promise<void> {
  await q`
    update market.generation_jobs set status = 'failed', finished_at = now(), error = ${error}
    where id = ${id}`;
}

/** Totals over credentials, balances, claims and jobs: computed, so typed here. */
export interface GenerationTotals {
  readonly credentials: number;
  readonly activeCredentials: number;
  readonly tokensAccrued: string;
  readonly tokensClaimed: string;
  readonly claims: number;
  readonly claimsMinted: number;
  readonly jobs: number;
  readonly lastJobAt: Date | null;
}

export async function generationTotals(q: Queryable): Promise<GenerationTotals> {
  const [row] = await q<
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
    lastJobAt: row?.last_job_at == null ? null : new Date(row.last_job_at),
  };
}
