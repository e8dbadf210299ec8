/**
 * The days of the recovery dashboard (attention-oracle.md: a snapshot daily at 01:00 UTC). A day's
 * snapshot counts the epochs of that UTC day, and the carry ledger's movements from 01:00 that day
 * to 01:00 the next: the hour after midnight is when the day's last epoch (23:00) is sealed (at
 * 00:05) and its carry trees built, so consecutive snapshots tile time with nothing counted twice
 * and a day's payouts in its own row.
 */
import { ValidationError } from '../../errors.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const DAY_FORMAT = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface RecoveryWindow {
  /** The UTC day, `YYYY-MM-DD`. */
  readonly day: string;
  /** The first epoch of the day and the first of the next (unix seconds). */
  readonly fromEpoch: number;
  readonly toEpoch: number;
  /** Ledger movements at or after `start` (01:00 of the day) and before `asOf` count for the day. */
  readonly start: Date;
  /** 01:00 of the next day, or `now` while that is still ahead. */
  readonly asOf: Date;
  /** Whether `asOf` reached 01:00 of the next day: taking the day again gives the same row. */
  readonly complete: boolean;
}

/** Milliseconds of a `YYYY-MM-DD` day's start (UTC); refuses anything else, naming it. */
export function dayStartMs(day: string): number {
  const match = DAY_FORMAT.exec(day);
  const ms = match === null ? Number.NaN : Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (Number.isNaN(ms) || dayOf(new Date(ms)) !== day) {
    throw new ValidationError(`a day must be a calendar date as YYYY-MM-DD, got ${JSON.stringify(day)}`);
  }
  return ms;
}

/** The UTC day of a time, `YYYY-MM-DD`. */
export function dayOf(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** The day the 01:00 schedule snapshots: the one before `now`'s UTC day. */
export function previousDay(now: Date): string {
  return dayOf(new Date(now.getTime() - DAY_MS));
}

export function recoveryWindow(day: string, now: Date): RecoveryWindow {
  const startMs = dayStartMs(day);
  if (startMs > now.getTime()) throw new ValidationError(`day ${day} has not begun`);
  const endMs = startMs + DAY_MS + HOUR_MS;
  return {
    day,
    fromEpoch: startMs / 1000,
    toEpoch: (startMs + DAY_MS) / 1000,
    start: new Date(startMs + HOUR_MS),
    asOf: new Date(Math.min(endMs, now.getTime())),
    complete: now.getTime() >= endMs,
  };
}

/** `part` of `whole` in percent, to two decimals; null when there is no whole to take a share of. */
export function percentOf(part: number | bigint, whole: number | bigint): number | null {
  if (Number(whole) === 0) return null;
  return Math.round((Number(part) / Number(whole)) * 10_000) / 100;
}

/** The most days one read of the snapshots may span or return. */
export const MAX_RECOVERY_DAYS = 366;

/** Refuses a day that is not a date, and a range that runs backwards or spans more than MAX_RECOVERY_DAYS. */
export function checkDayRange(from: string | undefined, to: string | undefined): void {
  if (from !== undefined) named('from', from);
  if (to !== undefined) named('to', to);
  if (from === undefined || to === undefined) return;
  const days = (dayStartMs(to) - dayStartMs(from)) / DAY_MS + 1;
  if (days < 1) throw new ValidationError(`to: must not be before from (${from}), got ${to}`);
  if (days > MAX_RECOVERY_DAYS) {
    throw new ValidationError(`to: must be within ${MAX_RECOVERY_DAYS} days of from, got ${days} days`);
  }
}

function named(field: string, day: string): void {
  try {
    dayStartMs(day);
  } catch (error) {
    throw new ValidationError(`${field}: ${(error as Error).message}`);
  }
}
