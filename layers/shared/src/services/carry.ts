/**
 * Carried balances: amounts owed to a viewer that no live leaf pays. Every movement is a
 * carry_ledger row with a unique source key, so replaying a movement (a retried message, a
 * second run) changes nothing.
 */
import type { Sql } from '../adapters/db/client.ts';

export interface CarryCredit {
  readonly userHash: string;
  readonly tokenGroup: string;
  readonly amount: bigint;
}

/** Credits each viewer once per `sourceKey`; returns how much was newly credited. */
export async function creditCarried(
  sql: Sql,
  credits: readonly CarryCredit[],
  sourceKey: string,
  reason: string,
): Promise<bigint> {
  const positive = credits.filter((c) => c.amount > 0n);
  if (positive.length === 0) return 0n;
  const [row] = await sql<{ credited: string | null }[]>`
    with moved as (
      insert into attention.carry_ledger (user_hash, token_group, delta, reason, source_key)
      select u, g, d, ${reason}, ${sourceKey}
      from unnest(${positive.map((c) => c.userHash)}::text[], ${positive.map((c) => c.tokenGroup)}::text[],
        ${positive.map((c) => c.amount.toString())}::text[]::numeric[]) as t(u, g, d)
      on conflict (source_key, user_hash, token_group) do nothing
      returning user_hash, token_group, delta
    ),
    applied as (
      insert into attention.carried_balances as cb (user_hash, token_group, amount)
      select user_hash, token_group, sum(delta) from moved group by user_hash, token_group
      on conflict (user_hash, token_group) do update set amount = cb.amount + excluded.amount, updated_at = now()
      returning 1
    )
    select (select sum(delta)::text from moved) as credited, (select count(*) from applied) as balances`;
  return BigInt(row?.credited ?? '0');
}
