/**
 * A recovery dashboard snapshot as answered (`GET /admin/recovery`, `oracle recovery`) from the
 * counts a day's row stores: the shares are computed here, never stored. README.md, "Recovery
 * dashboard", defines each number.
 */
import { dayStartMs, percentOf } from './recovery-day.ts';

/** 01:00 of the next day, from the day's start: a row taken then or later is complete. */
const COMPLETE_AFTER_MS = 25 * 3_600_000;

/** The counts a day's row stores; amounts as decimal text (sums of base units past a bigint). */
export interface RecoveryCounts {
  readonly day: string;
  readonly asOfMs: number;
  readonly takenAtMs: number;
  readonly carriedViewers: number;
  readonly carriedAmount: string;
  readonly recoveredViewers: number;
  readonly recoveredAmount: string;
  readonly orphanedViewers: number;
  readonly returnedViewers: number;
  readonly participants: number;
  readonly mappedParticipants: number;
  readonly boundParticipants: number;
  readonly sealedParticipations: number;
  readonly sealedAmount: string;
  readonly overflowParticipations: number;
  readonly overflowAmount: string;
}

export interface RecoverySnapshot {
  readonly day: string;
  readonly asOf: string;
  readonly takenAt: string;
  readonly complete: boolean;
  readonly carried: { readonly viewers: number; readonly amount: string };
  readonly recovered: {
    readonly viewers: number;
    readonly amount: string;
    /** Viewers ever left unbound at a tree, those a carry tree has paid since, and the share (%). */
    readonly orphanedViewers: number;
    readonly returnedViewers: number;
    readonly rate: number | null;
  };
  readonly coverage: {
    readonly participants: number;
    readonly mapped: number;
    readonly bound: number;
    /** Percent of participants with a user_mapping row (the source's mapping rate). */
    readonly mapping: number | null;
    /** Percent of participants with a wallet binding at `asOf`. */
    readonly binding: number | null;
  };
  readonly overflow: {
    readonly sealedParticipations: number;
    readonly sealedAmount: string;
    readonly participations: number;
    readonly amount: string;
    readonly participationShare: number | null;
    readonly amountShare: number | null;
  };
}

/** Whether a stored row's `as_of` reached 01:00 of the next day (taking it again gives the same row). */
export function isCompleteSnapshot(counts: Pick<RecoveryCounts, 'day' | 'asOfMs'>): boolean {
  return counts.asOfMs >= dayStartMs(counts.day) + COMPLETE_AFTER_MS;
}

export function recoverySnapshotOf(r: RecoveryCounts, complete: boolean): RecoverySnapshot {
  return {
    day: r.day,
    asOf: new Date(r.asOfMs).toISOString(),
    takenAt: new Date(r.takenAtMs).toISOString(),
    complete,
    carried: { viewers: r.carriedViewers, amount: r.carriedAmount },
    recovered: {
      viewers: r.recoveredViewers,
      amount: r.recoveredAmount,
      orphanedViewers: r.orphanedViewers,
      returnedViewers: r.returnedViewers,
      rate: percentOf(r.returnedViewers, r.orphanedViewers),
    },
    coverage: {
      participants: r.participants,
      mapped: r.mappedParticipants,
      bound: r.boundParticipants,
      mapping: percentOf(r.mappedParticipants, r.participants),
      binding: percentOf(r.boundParticipants, r.participants),
    },
    overflow: {
      sealedParticipations: r.sealedParticipations,
      sealedAmount: r.sealedAmount,
      participations: r.overflowParticipations,
      amount: r.overflowAmount,
      participationShare: percentOf(r.overflowParticipations, r.sealedParticipations),
      amountShare: percentOf(BigInt(r.overflowAmount), BigInt(r.sealedAmount)),
    },
  };
}
