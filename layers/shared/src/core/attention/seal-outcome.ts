/**
 * Sealing's decisions without I/O (DESIGN.md section 5, "Sealing"): which epoch may be sealed
 * yet, and what a channel's snapshot answer means, a seal or a refusal naming the amounts that
 * passed MAX_AMOUNT (issue 17, H4).
 */

import { AmountOverflowError, ValidationError } from '../../errors.ts';
import { EPOCH_SECONDS, isEpochDue, MAX_AMOUNT } from './trees.ts';

export interface SealedChannel {
  readonly channel: string;
  readonly tokenGroup: string;
  readonly category: string;
  readonly participants: number;
  readonly totalWeight: number;
}

/** A channel the sealer would not seal: an amount or a sum past MAX_AMOUNT. */
export interface RefusedChannel {
  readonly channel: string;
  readonly refused: AmountOverflowError;
}

/** The snapshot's answer for one channel; sums as decimal text, the standing null when refused. */
export interface SnapshotAnswer {
  readonly outcome: 'sealed' | 'refused';
  readonly channel: string;
  readonly tokenGroup: string | null;
  readonly category: string | null;
  readonly participantCount: number;
  readonly totalWeight: string;
  readonly largest: string;
  readonly totalAmount: string;
}

export function sealOutcome(epoch: number, answer: SnapshotAnswer): SealedChannel | RefusedChannel {
  if (answer.outcome === 'refused') {
    return {
      channel: answer.channel,
      refused: new AmountOverflowError(
        `${answer.channel} in epoch ${epoch}: amounts past ${MAX_AMOUNT} (largest ${answer.largest}, total ${answer.totalAmount}, weights ${answer.totalWeight} hundredths over ${answer.participantCount} viewers); void the ingest key that sent them`,
      ),
    };
  }
  return {
    channel: answer.channel,
    tokenGroup: answer.tokenGroup as string,
    category: answer.category as string,
    participants: answer.participantCount,
    totalWeight: Number(answer.totalWeight),
  };
}

/** Refuses an epoch that is not an hour's start, or whose hour (and 5 minutes) is not over at `nowMs`. */
export function assertSealable(epoch: number, nowMs: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch % EPOCH_SECONDS !== 0) {
    throw new ValidationError(
      `epoch must be the unix time in seconds of an hour's start (a multiple of 3600), got ${epoch}`,
    );
  }
  if (!isEpochDue(epoch, nowMs)) {
    throw new ValidationError(
      `epoch ${epoch} (${new Date(epoch * 1000).toISOString()}) is not over yet: it can be sealed from ${new Date((epoch + EPOCH_SECONDS + 300) * 1000).toISOString()}`,
    );
  }
}
