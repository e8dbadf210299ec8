/**
 * Sends outbox rows (./notifications.ts writes them). Rows go out in chunks, each claimed with
 * `FOR UPDATE SKIP LOCKED` in its own transaction and marked in it: two consumers given the same
 * ids (SQS delivers at least once, and a batch's records run side by side) never both send a row,
 * and a crash resends at most the chunk it was in. A failed send is retried later with backoff;
 * after `maxAttempts` the row is `failed` and the caller reports it (DLQ). A row whose contact was
 * replaced or is not confirmed is `skipped`: nothing goes to an address that did not agree. A row
 * for a channel this deployment does not run (email without a verified sender, push without VAPID
 * keys) is `failed` at once with the reason and counted apart: retrying cannot change it, and a
 * queue redelivery would end in the DLQ and page the admins over a user's choice of channel.
 */

import {
  type DueRow,
  lockDueRows,
  recordSendResults,
  type SendResult,
} from '../../adapters/db/market/notification-outbox-store.ts';
import type { ChannelName, NotificationChannel } from '../../ports/notification-channel.ts';
import type { Sql } from '../../ports/sql.ts';
import { SENT_VERIFICATION_BODY, VERIFICATION_TRIGGER } from './contact-verification.ts';

export interface DeliveryOutcome {
  readonly sent: number;
  readonly retried: number;
  readonly failed: number;
  readonly skipped: number;
  /** Rows this deployment can never send (no such channel): failed at once, never retried. */
  readonly undeliverable: number;
}

const BACKOFF_SECONDS = [30, 120, 600, 1800];
/** Rows claimed and sent per transaction. */
const CHUNK = 25;

interface Result extends SendResult {
  /** Failed because this deployment has no such channel, not because a send failed. */
  readonly undeliverable?: true;
}

/** Sends outbox rows that are due (all, or the ones named); returns counts and the rows that failed for good. */
export async function deliverNotifications(
  sql: Sql,
  channels: ReadonlyMap<ChannelName, NotificationChannel>,
  now: number,
  options: {
    ids?: readonly number[];
    maxAttempts?: number;
    limit?: number;
    /** A queue redelivery is the backoff: send rows that already failed without waiting for `not_before`. */
    queueRetry?: boolean;
  } = {},
): Promise<DeliveryOutcome & { failedIds: number[]; undeliverableIds: number[] }> {
  const maxAttempts = options.maxAttempts ?? 5;
  const limit = options.limit ?? 500;
  const totals = { sent: 0, retried: 0, skipped: 0 };
  const failedIds: number[] = [];
  const undeliverableIds: number[] = [];
  // Each row once per call, in id order: one that failed now is not retried before this call ends.
  let after = 0;
  for (let handled = 0; handled < limit; ) {
    const results = (await sql.begin(async (tx) => {
      const rows = await lockDueRows(tx, {
        after,
        now,
        queueRetry: options.queueRetry === true,
        ids: options.ids,
        limit: Math.min(CHUNK, limit - handled),
      });
      const results: Result[] = [];
      for (const row of rows) results.push(await send(row, channels, now, maxAttempts));
      await recordSendResults(tx, results, now);
      return results;
    })) as Result[];
    if (results.length === 0) break;
    handled += results.length;
    after = Math.max(...results.map((result) => result.id));
    for (const result of results) {
      if (result.status === 'sent') totals.sent++;
      else if (result.status === 'skipped') totals.skipped++;
      else if (result.undeliverable === true) undeliverableIds.push(result.id);
      else if (result.status === 'failed') failedIds.push(result.id);
      else totals.retried++;
    }
  }
  return {
    ...totals,
    failed: failedIds.length,
    failedIds,
    undeliverable: undeliverableIds.length,
    undeliverableIds,
  };
}

async function send(
  row: DueRow,
  channels: ReadonlyMap<ChannelName, NotificationChannel>,
  now: number,
  maxAttempts: number,
): Promise<Result> {
  if (row.to === null) {
    return {
      id: row.id,
      status: 'skipped',
      attempts: row.attempts,
      error: `the user's ${row.channel} contact is not set or not confirmed`,
      retryAt: null,
      body: null,
    };
  }
  const attempts = row.attempts + 1;
  const channel = channels.get(row.channel);
  if (channel === undefined) {
    return {
      id: row.id,
      status: 'failed',
      undeliverable: true,
      attempts,
      error: `no ${row.channel} channel configured`,
      retryAt: null,
      body: null,
    };
  }
  try {
    await channel.send({ to: row.to, subject: row.subject, body: row.body }, { key: `outbox:${row.id}` });
    // A verification's link or code is not kept past delivery.
    const body = row.trigger === VERIFICATION_TRIGGER ? SENT_VERIFICATION_BODY : null;
    return { id: row.id, status: 'sent', attempts, error: null, retryAt: null, body };
  } catch (error) {
    const delay = BACKOFF_SECONDS[Math.min(attempts - 1, BACKOFF_SECONDS.length - 1)] ?? 1800;
    return {
      id: row.id,
      status: attempts >= maxAttempts ? 'failed' : 'pending',
      attempts,
      error: (error as Error).message,
      retryAt: now + delay,
      body: null,
    };
  }
}
