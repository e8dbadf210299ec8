import { describe, expect, it } from 'vitest';
import {
  MAX_ROOTS_PER_TICK,
  planPublications,
  publishQueueMessage,
  REQUEUE_AFTER_MS,
  RING_SIZE,
  type SchedulableRoot,
} from '../../../layers/shared/src/core/attention/publication-schedule.ts';

const AT = new Date('2026-01-02T12:00:00Z');
const HOUR = 3600;

function root(channel: string, epoch: number, overrides: Partial<SchedulableRoot> = {}): SchedulableRoot {
  return {
    epoch,
    channel,
    status: 'pending',
    mint: 'Mint111',
    root: `0x${'ab'.repeat(32)}`,
    queuedAt: null,
    ...overrides,
  };
}

const keys = (rows: readonly SchedulableRoot[]) => rows.map((r) => `${r.channel}:${r.epoch}`);

describe('planPublications', () => {
  it('queues pending roots oldest epoch first across channels', () => {
    const plan = planPublications([root('b', 2 * HOUR), root('b', 3 * HOUR), root('a', 3 * HOUR)], AT);
    expect(keys(plan.queue)).toEqual(['b:7200', 'a:10800', 'b:10800']);
    expect(plan.expire).toEqual([]);
  });

  it('expires what a channel has beyond the ring, except a root already sent', () => {
    const rows = Array.from({ length: RING_SIZE + 2 }, (_, i) =>
      root('a', (i + 1) * HOUR, i === 1 ? { status: 'sent' } : {}),
    );
    const plan = planPublications(rows, AT);
    expect(keys(plan.expire)).toEqual(['a:3600']);
    expect(plan.queue).toHaveLength(RING_SIZE);
    expect(plan.queue[0]?.epoch).toBe(3 * HOUR);
  });

  it('queues again a root whose message went unhandled for longer than the requeue delay', () => {
    const recent = new Date(AT.getTime() - REQUEUE_AFTER_MS);
    const stale = new Date(AT.getTime() - REQUEUE_AFTER_MS - 1);
    const plan = planPublications(
      [
        root('a', HOUR, { status: 'queued', queuedAt: recent }),
        root('b', HOUR, { status: 'sent', queuedAt: stale }),
        root('c', HOUR, { status: 'sent', queuedAt: null }),
      ],
      AT,
    );
    expect(keys(plan.queue)).toEqual(['b:3600']);
  });

  it('queues at most MAX_ROOTS_PER_TICK roots a tick', () => {
    const rows = Array.from({ length: MAX_ROOTS_PER_TICK + 5 }, (_, i) =>
      root(`c${String(i).padStart(3, '0')}`, HOUR),
    );
    expect(planPublications(rows, AT).queue).toHaveLength(MAX_ROOTS_PER_TICK);
  });
});

describe('publishQueueMessage', () => {
  it('groups by mint and channel and deduplicates by channel, epoch and root', () => {
    expect(publishQueueMessage(root('a', HOUR))).toEqual({
      body: { epoch: HOUR, channel: 'a' },
      groupId: 'Mint111:a',
      deduplicationId: `a:3600:0x${'ab'.repeat(7)}`,
    });
  });

  it('groups a memo root under memo and keeps the deduplication id to characters SQS accepts', () => {
    const message = publishQueueMessage(root('category:just chatting:OTHER', HOUR, { mint: null }));
    expect(message.groupId).toBe('memo:category:just chatting:OTHER');
    expect(message.deduplicationId).toBe(`category:just_chatting:OTHER:3600:0x${'ab'.repeat(7)}`);
  });
});
