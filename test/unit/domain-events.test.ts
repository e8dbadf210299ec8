import { describe, expect, it } from 'vitest';
import { domainEventFromEnvelope } from '../../layers/shared/src/core/events/domain-event-schema.ts';
import type { WorkQueue } from '../../layers/shared/src/ports/work-queue.ts';
import { NotificationQueueBus } from '../../layers/shared/src/services/market/notification-queue-bus.ts';
import { notificationEventFor } from '../../layers/shared/src/services/market/notifications.ts';

const envelope = (detailType: string, detail: Record<string, unknown>) => ({
  source: 'engagement-oracle',
  'detail-type': detailType,
  detail,
});

const rootPublished = {
  epoch: 1_749_999_600,
  channel: 'some_channel',
  root: `0x${'cd'.repeat(32)}`,
  signature: '5sig',
  slot: 42,
  timestamp: 1_750_000_000,
};

describe('domain events from the bus', () => {
  it('takes the type from the detail-type, whatever the detail says', () => {
    const event = domainEventFromEnvelope(
      envelope('RootPublished', { ...rootPublished, type: 'PriceUpdated' }),
    );
    expect(event.type).toBe('RootPublished');
  });

  it.each([
    ['epoch', { epoch: 1_749_999_601 }, /epoch: expected an hour start/],
    ['root', { root: '0x00' }, /root: expected a 0x-prefixed 32-byte hex root/],
    ['channel', { channel: '' }, /channel:/],
  ])('names the field that is wrong (%s)', (_field, change, message) => {
    expect(() => domainEventFromEnvelope(envelope('RootPublished', { ...rootPublished, ...change }))).toThrow(
      message,
    );
  });

  it('refuses an event type it does not know', () => {
    expect(() => domainEventFromEnvelope(envelope('SomethingElse', {}))).toThrow(/SomethingElse event/);
  });
});

describe('notification events raised by domain events', () => {
  it('gives a root one id per epoch and channel, and the epoch as a date', () => {
    const a = notificationEventFor({ type: 'RootPublished', ...rootPublished });
    const b = notificationEventFor({ type: 'RootPublished', ...rootPublished, timestamp: 1_750_000_999 });
    expect(a.id).toBe('published:1749999600:some_channel');
    expect(b.id).toBe(a.id);
    expect(a.trigger).toBe('epoch_published');
    expect(a.data['epoch']).toBe('2025-06-15T15:00:00.000Z');
  });

  it('gives a milestone one id per creator and milestone, with the creator lowercased', () => {
    const event = notificationEventFor({
      type: 'MilestoneReached',
      creatorId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      creator: `0x${'AB'.repeat(20)}`,
      stageName: 'Nova Vale',
      milestone: 'followers_10k',
      description: '10K followers',
      value: '10001',
      timestamp: 1_750_000_000,
    });
    expect(event).toEqual({
      id: 'milestone:7c9e6679-7425-40de-944b-e07fc1f90ae7:followers_10k',
      trigger: 'creator_milestone',
      occurredAt: 1_750_000_000,
      data: {
        creator: `0x${'ab'.repeat(20)}`,
        creatorName: 'Nova Vale',
        milestone: '10K followers',
        milestoneId: 'followers_10k',
        value: '10001',
      },
    });
  });
});

describe('EpochSealed', () => {
  const epochSealed = {
    epoch: 1_749_999_600,
    channels: 2,
    participants: 3,
    trees: 2,
    timestamp: 1_750_000_000,
  };

  it('comes off the bus with its counts, and refuses an epoch that is not an hour start', () => {
    expect(domainEventFromEnvelope(envelope('EpochSealed', epochSealed))).toEqual({
      type: 'EpochSealed',
      ...epochSealed,
    });
    expect(() => domainEventFromEnvelope(envelope('EpochSealed', { ...epochSealed, epoch: 1 }))).toThrow(
      /EpochSealed event: epoch: expected an hour start/,
    );
  });

  it('goes to no notification: the local bus forwards the notifying events only', async () => {
    const sent: unknown[] = [];
    const queue = { send: async (message: unknown) => void sent.push(message) } as unknown as WorkQueue;
    const bus = new NotificationQueueBus(queue);
    await bus.publish({ type: 'EpochSealed', ...epochSealed });
    expect(sent).toEqual([]);
    await bus.publish({ type: 'RootPublished', ...rootPublished });
    expect(sent).toHaveLength(1);
  });
});

describe('WalletRebound', () => {
  const rebound = {
    userHash: 'a'.repeat(64),
    previousWallet: '9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin',
    wallet: null,
    reason: 'login-changed',
    timestamp: 1_750_000_000,
  };

  it('comes off the bus with a wallet or none, and refuses what is not a user_hash or a reason', () => {
    expect(domainEventFromEnvelope(envelope('WalletRebound', rebound))).toEqual({
      type: 'WalletRebound',
      ...rebound,
    });
    expect(() =>
      domainEventFromEnvelope(envelope('WalletRebound', { ...rebound, userHash: 'alice_1' })),
    ).toThrow(/WalletRebound event: userHash: expected a user_hash/);
    expect(() =>
      domainEventFromEnvelope(envelope('WalletRebound', { ...rebound, reason: 'stolen' })),
    ).toThrow(/WalletRebound event: reason/);
  });

  it('goes to no notification', async () => {
    const sent: unknown[] = [];
    const queue = { send: async (message: unknown) => void sent.push(message) } as unknown as WorkQueue;
    await new NotificationQueueBus(queue).publish({ type: 'WalletRebound', ...rebound, reason: 'rebound' });
    expect(sent).toEqual([]);
  });
});
