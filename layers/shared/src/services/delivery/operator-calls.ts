/**
 * The operator surface of the delivery engine: list calls, reopen a failed call, redrive the
 * oracle-calls DLQ. Reopening makes a new generation with fresh attempts; only a failed call can
 * be reopened, so a call still waiting for its nonce (pending) is never sent twice, and an
 * abandoned one (its effect was compensated, ./compensated-calls.ts) never has its effect twice.
 */

import {
  attemptsOfCall,
  listCalls,
  lockCallForChange,
  readCall,
  reopenFailedCall,
} from '../../adapters/db/delivery/oracle-call-operator-store.ts';
import { CALL_STATUSES, type CallStatus } from '../../core/delivery/call-status.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import type { Sql } from '../../ports/sql.ts';
import type { WorkQueue } from '../../ports/work-queue.ts';
import { recordAdminAction } from '../platform/admin-audit.ts';
import { normalizeAddress, type OracleCall, type TxAttempt } from './engine.ts';
import { oracleCallMessage } from './enqueue-oracle-call.ts';
import { oracleCallMessageSchema } from './process-oracle-call-messages.ts';

export { CALL_STATUSES };

export interface CallFilter {
  readonly status?: CallStatus;
  /** Matches the target, contract or player address. */
  readonly address?: string;
  readonly functionName?: string;
  readonly from?: Date;
  readonly to?: Date;
  /** Calls with an id below this (paging backwards). */
  readonly beforeId?: number;
  /** @default 50, at most 500 */
  readonly limit?: number;
}

export function listOracleCalls(sql: Sql, filter: CallFilter = {}): Promise<OracleCall[]> {
  return listCalls(sql, {
    status: filter.status ?? null,
    address: filter.address === undefined ? null : normalizeAddress(filter.address),
    functionName: filter.functionName ?? null,
    from: filter.from ?? null,
    to: filter.to ?? null,
    beforeId: filter.beforeId ?? null,
    limit: Math.min(Math.max(filter.limit ?? 50, 1), 500),
  });
}

export async function getOracleCall(
  sql: Sql,
  id: number,
): Promise<{ call: OracleCall; attempts: TxAttempt[] }> {
  const call = await readCall(sql, id);
  if (call === undefined) throw new NotFoundError(`oracle call ${id} does not exist`);
  return { call, attempts: await attemptsOfCall(sql, id) };
}

export interface RetryDeps {
  readonly sql: Sql;
  readonly queue: WorkQueue;
  readonly now: () => number;
}

/**
 * Reopens a failed call as a new generation with fresh attempts and queues it again. The reopening
 * and its audit entry (`actor`: an admin token's name, or the CLI's user) commit together; the
 * message is sent once they have.
 */
export async function retryOracleCall(
  deps: RetryDeps,
  id: number,
  actor: string,
  reason = 'retried by an operator',
): Promise<OracleCall> {
  const call = await deps.sql.begin(async (tx) => {
    const before = await lockCallForChange(tx, id);
    const reopened = await reopenFailedCall(tx, id, reason, deps.now());
    if (reopened === undefined || before === undefined) return undefined;
    await recordAdminAction(tx, {
      actor,
      action: reason === REDRIVE_REASON ? 'oracle-call.redrive' : 'oracle-call.retry',
      targetType: 'oracle-call',
      targetId: String(id),
      before,
      after: { status: 'queued', generation: reopened.generation, attemptCount: 0 },
      details: { reason },
    });
    return reopened;
  });
  if (call === undefined) throw await whyNotReopened(deps.sql, id);
  await deps.queue.send(oracleCallMessage(call));
  return call;
}

/** The refusal for a call that could not be reopened: unknown, abandoned, or not failed. */
async function whyNotReopened(sql: Sql, id: number): Promise<NotFoundError | ConflictError> {
  const existing = await readCall(sql, id);
  if (existing === undefined) return new NotFoundError(`oracle call ${id} does not exist`);
  if (existing.status === 'abandoned') {
    const reason = existing.notes ?? 'its effect was compensated';
    return new ConflictError(
      `oracle call ${id} is abandoned and can never be retried: ${reason}; sending it again would repeat what was compensated`,
      { details: { status: existing.status, reason } },
    );
  }
  return new ConflictError(`oracle call ${id} is ${existing.status}; only a failed call can be retried`, {
    details: { status: existing.status },
  });
}

const REDRIVE_REASON = 'redriven from the DLQ';

export interface RedriveReport {
  readonly received: number;
  readonly reopened: number;
  /** Messages for calls that were no longer failed (already retried, say): dropped. */
  readonly skipped: number;
  /** Abandoned calls (their effect was compensated): never reopened, dropped, each with why. */
  readonly refused: readonly { readonly callId: number; readonly reason: string }[];
}

/**
 * Moves every message off the oracle-calls DLQ, reopening the failed calls they name; each
 * reopened call is an `oracle-call.redrive` entry of the audit log, under `actor`.
 */
export async function redriveOracleCallDeadLetters(
  deps: RetryDeps,
  actor: string,
  maxMessages = 10_000,
): Promise<RedriveReport> {
  let received = 0;
  let reopened = 0;
  let skipped = 0;
  const refused: { callId: number; reason: string }[] = [];
  while (received < maxMessages) {
    const messages = await deps.queue.receiveDeadLetters({ maxMessages: 10, visibilityTimeoutSeconds: 60 });
    if (messages.length === 0) break;
    for (const message of messages) {
      received++;
      const parsed = oracleCallMessageSchema.pick({ callId: true }).safeParse(message.body);
      if (parsed.success) {
        try {
          await retryOracleCall(deps, parsed.data.callId, actor, REDRIVE_REASON);
          reopened++;
        } catch (error) {
          if (!(error instanceof ConflictError || error instanceof NotFoundError)) throw error;
          if (error.details?.['status'] === 'abandoned') {
            refused.push({ callId: parsed.data.callId, reason: error.message });
          } else skipped++;
        }
      } else skipped++;
      await deps.queue.deleteDeadLetter(message.receiptHandle);
    }
  }
  return { received, reopened, skipped, refused };
}

export function parseCallStatus(value: string | undefined): CallStatus | undefined {
  if (value === undefined) return undefined;
  return (CALL_STATUSES as readonly string[]).includes(value) ? (value as CallStatus) : undefined;
}
