import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { categoryForGame } from '../../layers/shared/src/core/attention/category.ts';
import { channelsToUntrack, selectStreams } from '../../layers/shared/src/core/attention/discovery-rules.ts';
import {
  epochOfMs,
  eventId,
  normalizeLogin,
  SIGNAL_KINDS,
  weightOf,
} from '../../layers/shared/src/core/attention/signals.ts';

describe('weights in hundredths', () => {
  it('weigh presence 100, sub and resub 1000, a gifted sub 500, a bit 1 and a raider 10', () => {
    expect([
      weightOf('presence', 1),
      weightOf('sub', 1),
      weightOf('resub', 1),
      weightOf('gift', 3),
      weightOf('bits', 1),
      weightOf('raid', 7),
    ]).toEqual([100, 1000, 1000, 1500, 1, 70]);
  });

  it('do not multiply presence, sub or resub by their amount', () => {
    expect(weightOf('presence', 5)).toBe(100);
    expect(weightOf('sub', 2)).toBe(1000);
  });
});

describe('eventId', () => {
  it('is 64 hex characters and changes with every field', () => {
    const base = {
      kind: 'presence',
      channel: 'somechannel',
      user: 'viewer_one',
      amount: 1,
      epoch: 1764072000,
    } as const;
    const id = eventId(base);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const variants = [
      { ...base, kind: 'sub' as const },
      { ...base, channel: 'otherchannel' },
      { ...base, user: 'viewer_two' },
      { ...base, amount: 2 },
      { ...base, epoch: base.epoch + 3600 },
    ];
    for (const v of variants) expect(eventId(v)).not.toBe(id);
  });

  it('does not collide when field boundaries shift', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SIGNAL_KINDS),
        fc.stringMatching(/^[a-z0-9_]{4,25}$/),
        fc.stringMatching(/^[a-z0-9_]{4,25}$/),
        fc.stringMatching(/^[a-z0-9_]{4,25}$/),
        fc.stringMatching(/^[a-z0-9_]{4,25}$/),
        (kind, c1, u1, c2, u2) => {
          fc.pre(c1 !== c2 || u1 !== u2);
          const a = eventId({ kind, channel: c1, user: u1, amount: 1, epoch: 0 });
          const b = eventId({ kind, channel: c2, user: u2, amount: 1, epoch: 0 });
          return a !== b;
        },
      ),
    );
  });
});

describe('logins and epochs', () => {
  it('accept 4 to 25 of a-z0-9_ after lowercasing and stripping a channel #', () => {
    expect(normalizeLogin('#Some_Channel')).toBe('some_channel');
    expect(normalizeLogin('abcd')).toBe('abcd');
    expect(normalizeLogin('abc')).toBeUndefined();
    expect(normalizeLogin('a'.repeat(26))).toBeUndefined();
    expect(normalizeLogin('bad-name')).toBeUndefined();
    expect(normalizeLogin('ünïcode')).toBeUndefined();
  });

  it('put every moment in the hour that starts at or before it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
        const epoch = epochOfMs(ms);
        return epoch % 3600 === 0 && epoch * 1000 <= ms && ms < (epoch + 3600) * 1000;
      }),
    );
  });
});

describe('discovery rules', () => {
  const now = Date.UTC(2025, 10, 25, 12);
  const stream = (channel: string, viewers: number, minutesLive: number) => ({
    channel,
    broadcasterId: '1',
    viewers,
    startedAtMs: now - minutesLive * 60_000,
    gameName: 'Just Chatting',
    category: 'default' as const,
  });

  it('keep streams with at least 25 viewers and 10 minutes live that are not blocklisted', () => {
    const selection = selectStreams(
      [
        stream('kept_one', 25, 10),
        stream('too_few', 24, 60),
        stream('too_new', 5000, 9),
        stream('blocked', 900, 90),
      ],
      { nowMs: now, blocklist: new Set(['blocked']) },
    );
    expect(selection.kept.map((s) => s.channel)).toEqual(['kept_one']);
    expect(selection.rejected).toEqual([
      { channel: 'too_few', reason: 'viewers' },
      { channel: 'too_new', reason: 'uptime' },
      { channel: 'blocked', reason: 'blocklisted' },
    ]);
  });

  it('untrack a channel once it has been offline for 5 minutes, not before', () => {
    const tracked = [
      { channel: 'still_live', offlineSinceMs: undefined },
      { channel: 'just_gone', offlineSinceMs: now - 4 * 60_000 },
      { channel: 'long_gone', offlineSinceMs: now - 5 * 60_000 },
    ];
    expect(channelsToUntrack(tracked, now)).toEqual(['long_gone']);
  });

  it('map Twitch games to categories, anything else to default', () => {
    expect(categoryForGame('Crypto')).toBe('crypto');
    expect(categoryForGame('Music')).toBe('music');
    expect(categoryForGame('Science & Technology')).toBe('science');
    expect(categoryForGame('makers & crafting')).toBe('makers');
    expect(categoryForGame('Just Chatting')).toBe('default');
    expect(categoryForGame(undefined)).toBe('default');
  });
});
