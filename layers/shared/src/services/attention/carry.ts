/**
 * Carried balances: amounts owed to a viewer that no live leaf pays. Every movement is a
 * carry_ledger row with a unique source key, so replaying a movement (a retried message, a
 * second run) changes nothing.
 */
import type { Sql } from '../../ports/sql.ts';

export interface CarryCredit {
  readonly userHash: string;
  readonly tokenGroup: string;
  readonly amount: bigint;
}

/** A credit with the ledger source it comes from (a tree, a returned root) and why. */
export interface SourcedCarryCredit extends CarryCredit {
  readonly sourceKey: string;
  readonly reason: string;
}

/** Credits each viewer once per `sourceKey`; returns how much was newly credited. */
export function creditCarried(
  sql: Sql,
  credits: readonly CarryCredit[],
  sourceKey: string,
  reason: string,
): Promise<bigint> {
  return creditCarriedFrom(
    sql,
    credits.map((c) => ({ ...c, sourceKey, reason })),
  );
}

/**
 * Credits from any number of sources in one statement, each viewer once per source key (a
 * batch of trees credits every tree's unbound viewers at once); returns how much was newly
 * credited.
 */
export async function creditCarriedFrom(sql: Sql, credits: readonly SourcedCarryCredit[]): Promise<bigint> {
  const positive = credits.filter((c) => c.amount > 0n);
  if (positive.length === 0) return 0n;
  const [row] = await sql<{ credited: string | null }[]>`
    with moved as (
      insert into attention.carry_ledger (user_hash, token_group, delta, reason, source_key)
      select u, g, d, r, k
      from unnest(${positive.map((c) => c.userHash)}::text[], ${positive.map((c) => c.tokenGroup)}::text[],
        ${positive.map((c) => c.amount.toString())}::text[]::numeric[], ${positive.map((c) => c.reason)}::text[],
        ${positive.map((c) => c.sourceKey)}::text[]) as t(u, g, d, r, k)
      on conflict (source_key, user_hash, token_group) do nothing
      returning user_hash, token_group, delta
    ),
    applied as (
      -- Balances updated in one order, so two transactions crediting the same viewers (a batch
      -- of channel trees and a category tree, say) queue on each other rather than deadlock.
      insert into attention.carried_balances as cb (user_hash, token_group, amount)
      select user_hash, token_group, sum(delta) from moved group by user_hash, token_group
      order by user_hash, token_group
      on conflict (user_hash, token_group) do update set amount = cb.amount + excluded.amount, updated_at = now()
      returning 1
    )
    select (select sum(delta)::text from moved) as credited, (select count(*) from applied) as balances`;
  return BigInt(row?.credited ?? '0');
}
