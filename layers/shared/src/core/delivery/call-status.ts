/**
 * The statuses of an oracle call (delivery.oracle_call_history.status). Here, not in the drizzle
 * schema, so that the route contracts that name them do not load drizzle into every API function.
 *
 * queued: recorded, not yet sent; pending: holds a nonce, waiting for what gets mined there;
 * retrying: waiting for next_attempt_at; success; failed (for good, in the DLQ); superseded: a
 * newer call with the same supersede key succeeded first, so this one is never sent; abandoned:
 * failed, and its effect was then compensated elsewhere (a mint refunded into the holder's
 * balance), so it is never retried or redriven (`notes` says why).
 */
export const CALL_STATUSES = [
  'queued',
  'pending',
  'retrying',
  'success',
  'failed',
  'superseded',
  'abandoned',
] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];
