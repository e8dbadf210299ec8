/**
 * The every-minute side of publishing (DESIGN.md section 5, "Publishing"): roots go on the
 * `publish` FIFO queue, at most 50 a tick, per channel strictly in epoch order; a backlog longer
 * than the ring expires; and published roots are announced on the event bus (an outbox).
 */

import {
  listUnannounced,
  listUnpublished,
  markAnnounced,
  markExpired,
  markQueued,
  type PublicationKey,
} from '../../adapters/db/attention/publication-store.ts';
import { planPublications, publishQueueMessage } from '../../core/attention/publication-schedule.ts';
import { METRIC } from '../../metric-names.ts';
import type { Sql } from '../../ports/sql.ts';
import type { PublisherDeps, PublishMessage } from './publisher.ts';
import { returnLeaves } from './replaced-roots.ts';

export interface ScheduleResult {
  readonly queued: PublishMessage[];
  readonly expired: PublishMessage[];
  /** Published roots whose RootPublished went out on this tick (ones the consumer could not announce). */
  readonly announced: number;
}

/** What the every-minute scheduler needs: no chain, no signing key. */
export type SchedulerDeps = Pick<PublisherDeps, 'sql' | 'queue' | 'now' | 'events' | 'telemetry'>;

const ANNOUNCE_BATCH = 200;

export const now = (deps: Pick<PublisherDeps, 'now'>) => (deps.now ?? (() => new Date()))();

const keyOf = (row: PublicationKey): PublishMessage => ({ epoch: row.epoch, channel: row.channel });

export async function schedulePublications(deps: SchedulerDeps): Promise<ScheduleResult> {
  const at = now(deps);
  const plan = planPublications(await listUnpublished(deps.sql), at);
  const expired: PublishMessage[] = [];
  for (const row of plan.expire) {
    // Never signed, so never on chain; unless the consumer signed it meanwhile (then it stays).
    if (await expirePublication(deps, row, 'backlog beyond the ring of 10 epochs', ['pending', 'queued']))
      expired.push(keyOf(row));
  }
  if (plan.queue.length > 0) {
    await deps.queue.sendBatch(plan.queue.map(publishQueueMessage));
    await markQueued(deps.sql, plan.queue, at);
  }
  const announced = await announcePublications(deps).catch((error: unknown) => {
    deps.telemetry.warn('announcing published roots failed; the next tick tries again', {
      error: error as Error,
    });
    return 0;
  });
  return { queued: plan.queue.map(keyOf), expired, announced };
}

/**
 * Puts RootPublished on the event bus for published roots not announced yet (all of them, or
 * the one named), marking each once the bus took it: `announced_at` is the outbox. A crash
 * between the two announces the root again; its notification id is the same, so nobody is
 * notified twice.
 */
export async function announcePublications(
  deps: Pick<PublisherDeps, 'sql' | 'events' | 'now'>,
  only?: PublishMessage,
): Promise<number> {
  const events = deps.events;
  if (events === undefined) return 0;
  const rows = await listUnannounced(deps.sql, ANNOUNCE_BATCH, only);
  for (const row of rows) {
    await events.publish({
      type: 'RootPublished',
      epoch: row.epoch,
      channel: row.channel,
      root: `0x${row.root.replace(/^0x/, '').toLowerCase()}`,
      signature: row.signature,
      slot: row.slot,
      timestamp: Math.floor(now(deps).getTime() / 1000),
    });
    await markAnnounced(deps.sql, row, now(deps));
  }
  return rows.length;
}

/** Expires a root that never landed and can no longer land; all its leaves return, each once. */
export async function expirePublication(
  deps: Pick<PublisherDeps, 'sql' | 'telemetry'>,
  row: PublicationKey,
  reason: string,
  fromStatuses: readonly string[] = ['pending', 'queued', 'sent'],
): Promise<boolean> {
  const expired = await deps.sql.begin(async (tx) => {
    if (!(await markExpired(tx, row, reason, fromStatuses))) return false;
    await returnLeaves(tx as unknown as Sql, deps.telemetry, keyOf(row), new Set(), 'root expired');
    return true;
  });
  if (expired) {
    deps.telemetry.warn('root expired', { epoch: row.epoch, channel: row.channel, reason });
    deps.telemetry.metric(METRIC.rootExpired, 'Count', 1);
  }
  return expired;
}
