/**
 * The recovery dashboard (attention-oracle.md, daily at 01:00 UTC): one row per UTC day, taken
 * from the carry ledger, the sealed record and the tree builds as they stood at `as_of`, so taking
 * a day again replaces its row with the same numbers (README.md, "Recovery dashboard").
 */
import { sql } from 'drizzle-orm';
import { check, date, integer, numeric } from 'drizzle-orm/pg-core';
import { attention } from './attention.ts';
import { tstz } from './columns.ts';

/** Base units summed over many viewers: past what a bigint holds, as carried_balances.amount is. */
const units = (name: string) => numeric(name, { precision: 40, scale: 0 });

export const recoverySnapshots = attention.table(
  'recovery_snapshots',
  {
    /** The UTC day the snapshot describes. */
    day: date('day', { mode: 'string' }).primaryKey(),
    /** The end of what was counted: the end of the day, or the time taken while the day was open. */
    asOf: tstz('as_of').notNull(),
    takenAt: tstz('taken_at').notNull().defaultNow(),
    /** Viewers with a carried balance above 0 at `as_of`, and the sum of those balances. */
    carriedViewers: integer('carried_viewers').notNull(),
    carriedAmount: units('carried_amount').notNull(),
    /** Paid out of carried balances into carry-tree leaves during the day, to viewers bound by then. */
    recoveredViewers: integer('recovered_viewers').notNull(),
    recoveredAmount: units('recovered_amount').notNull(),
    /** Viewers ever left unbound at a tree by `as_of`, and of them those a carry tree paid since. */
    orphanedViewers: integer('orphaned_viewers').notNull(),
    returnedViewers: integer('returned_viewers').notNull(),
    /** Distinct viewers sealed in the day's epochs (opted-out ones left out), mapped, bound. */
    participants: integer('participants').notNull(),
    mappedParticipants: integer('mapped_participants').notNull(),
    boundParticipants: integer('bound_participants').notNull(),
    /** (epoch, channel, viewer) rows sealed in the day's epochs and their amounts. */
    sealedParticipations: integer('sealed_participations').notNull(),
    sealedAmount: units('sealed_amount').notNull(),
    /** Of those, the ones beyond their channel's shard cap (no reward for that epoch). */
    overflowParticipations: integer('overflow_participations').notNull(),
    overflowAmount: units('overflow_amount').notNull(),
  },
  (t) => [
    check(
      'recovery_snapshots_counts',
      sql`${t.mappedParticipants} <= ${t.participants} and ${t.boundParticipants} <= ${t.participants}
        and ${t.overflowParticipations} <= ${t.sealedParticipations} and ${t.returnedViewers} <= ${t.orphanedViewers}`,
    ),
  ],
);
