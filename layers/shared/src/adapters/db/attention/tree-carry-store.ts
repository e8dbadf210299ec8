/**
 * What carry trees read and move of carried balances (attention.carried_balances, carry_ledger):
 * the balances a carry tree pays, and the debit of what it paid, once per ledger source.
 */
import type { carriedBalances, walletBindings } from '../../../../../../drizzle/schema/index.ts';
import type { Queryable } from '../../../ports/sql.ts';

/**
 * A balance a carry tree can pay, with computed columns: `amount` as a bigint (the numeric
 * balance, which the tree pays at most MAX_AMOUNT of), the owner's bound wallet, and `total`,
 * how many bound owners have a balance in the group.
 */
export type PayableBalance = Pick<typeof carriedBalances.$inferSelect, 'userHash'> &
  Pick<typeof walletBindings.$inferSelect, 'wallet'> & {
    readonly amount: bigint;
    readonly total: number;
  };

export interface CarryDebit {
  readonly userHash: string;
  readonly tokenGroup: string;
  readonly amount: bigint;
}

/** Token groups sealed in `epoch`, and any other with carried balances. */
export async function carryTokenGroups(q: Queryable, epoch: number): Promise<string[]> {
  const rows = await q<{ token_group: string }[]>`
    select token_group from attention.sealed_epochs where epoch = ${epoch}
    union
    select token_group from attention.carried_balances where amount > 0
    order by 1`;
  return rows.map((r) => r.token_group);
}

/**
 * Holds the token group's carry lock until the transaction ends: per group, not per epoch, so
 * two carry trees of one group never read the same balances.
 */
export async function lockCarryGroup(q: Queryable, tokenGroup: string): Promise<void> {
  await q`select pg_advisory_xact_lock(hashtextextended(${`carry:${tokenGroup}`}, 0))`;
}

/** Positive balances of the group whose owner had a wallet bound at `now`, by bind time then user_hash. */
export async function payableBalances(
  q: Queryable,
  tokenGroup: string,
  now: Date,
  limit: number,
): Promise<PayableBalance[]> {
  const rows = await q<{ user_hash: string; amount: string; wallet: string; total: number }[]>`
    select cb.user_hash, cb.amount::text as amount, wb.wallet, (count(*) over ())::int as total
    from attention.carried_balances cb
    join attention.wallet_bindings wb on wb.user_hash = cb.user_hash and wb.bound_at <= ${now.toISOString()}::timestamptz
    where cb.token_group = ${tokenGroup} and cb.amount > 0
    order by wb.bound_at, cb.user_hash collate "C"
    limit ${limit}`;
  return rows.map((r) => ({
    userHash: r.user_hash,
    amount: BigInt(r.amount),
    wallet: r.wallet,
    total: r.total,
  }));
}

/**
 * Takes `debits` (one per viewer and group, each positive) out of the carried balances, once
 * per `sourceKey` (a ledger row with a negative delta); returns how much was newly debited.
 */
export async function debitCarriedBalances(
  q: Queryable,
  debits: readonly CarryDebit[],
  sourceKey: string,
  reason: string,
): Promise<bigint> {
  if (debits.length === 0) return 0n;
  const [row] = await q<{ debited: string | null }[]>`
    with moved as (
      insert into attention.carry_ledger (user_hash, token_group, delta, reason, source_key)
      select u, g, -(d::bigint), ${reason}::text, ${sourceKey}::text
      from unnest(${debits.map((c) => c.userHash)}::text[], ${debits.map((c) => c.tokenGroup)}::text[],
        ${debits.map((c) => c.amount.toString())}::text[]) as t(u, g, d)
      on conflict (source_key, user_hash, token_group) do nothing
      returning user_hash, token_group, delta
    ),
    applied as (
      update attention.carried_balances cb set amount = cb.amount + m.delta, updated_at = now()
      from moved m where cb.user_hash = m.user_hash and cb.token_group = m.token_group
      returning 1
    )
    select (select (-sum(delta))::text from moved) as debited, (select count(*) from applied) as balances`;
  return BigInt(row?.debited ?? '0');
}

/** The sum of every carried balance, all groups. */
export async function totalCarried(q: Queryable): Promise<bigint> {
  const [row] = await q<{ total: string }[]>`
    select coalesce(sum(amount), 0)::text as total from attention.carried_balances`;
  return BigInt(row?.total ?? '0');
}
