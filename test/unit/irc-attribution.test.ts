import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signalsFromIrcMessage } from '../../layers/shared/src/core/attention/irc-attribution.ts';
import { parseIrcLine } from '../../layers/shared/src/core/attention/irc-message.ts';
import { eventId, weightOf } from '../../layers/shared/src/core/attention/signals.ts';
import { ChatScriptBuilder, randomChatScript } from '../../local/chat-script.ts';
import { makeIrcMessage } from '../fixtures/irc.ts';

const RECEIVED_AT = Date.UTC(2025, 10, 25, 13, 30);
const SENT_AT = Date.UTC(2025, 10, 25, 12, 59, 59, 500);
const SENT_EPOCH = Date.UTC(2025, 10, 25, 12) / 1000;

function signals(line: string, receivedAt = RECEIVED_AT) {
  return signalsFromIrcMessage(parseIrcLine(line)!, receivedAt);
}

function usernotice(msgId: string, tags: Record<string, string | null> = {}, nick = 'gifter_gal') {
  return makeIrcMessage({
    command: 'USERNOTICE',
    channel: 'somechannel',
    nick,
    sentAtMs: SENT_AT,
    tags: { 'msg-id': msgId, ...tags },
  });
}

describe('PRIVMSG', () => {
  it('credits the sender presence under the message id, in the epoch of tmi-sent-ts', () => {
    const line = makeIrcMessage({ nick: 'Viewer_One', sentAtMs: SENT_AT, tags: { id: 'msg-1' } });
    expect(signals(line)).toEqual([
      {
        id: 'msg-1',
        channel: 'somechannel',
        user: 'viewer_one',
        kind: 'presence',
        amount: 1,
        ts: SENT_AT,
        epoch: SENT_EPOCH,
      },
    ]);
  });

  it('lowercases the sender nick and the channel', () => {
    const line = makeIrcMessage({ nick: 'LOUD_Viewer', channel: 'SomeChannel' });
    expect(signals(line)[0]).toMatchObject({ user: 'loud_viewer', channel: 'somechannel' });
  });

  it('credits a cheer its bits from the bits tag beside presence, under a distinct id', () => {
    const line = makeIrcMessage({
      nick: 'cheerer',
      tags: { id: 'cheer-1', bits: '250' },
      text: 'Cheer250 gg',
    });
    const events = signals(line);
    expect(events.map((e) => [e.id, e.kind, e.amount])).toEqual([
      ['cheer-1', 'presence', 1],
      ['cheer-1:bits', 'bits', 250],
    ]);
    expect(weightOf('bits', 250)).toBe(250);
  });

  it('ignores a bits tag that is not a positive integer', () => {
    for (const bits of ['0', '-5', '1.5', 'lots', '']) {
      const line = makeIrcMessage({ tags: { bits } });
      expect(signals(line).map((e) => e.kind)).toEqual(['presence']);
    }
  });

  it('falls back to the receive time when tmi-sent-ts is missing', () => {
    const line = makeIrcMessage({ tags: { 'tmi-sent-ts': null } });
    expect(signals(line)[0]).toMatchObject({ ts: RECEIVED_AT, epoch: Date.UTC(2025, 10, 25, 13) / 1000 });
  });

  it('gives the same event id to a line delivered twice', () => {
    const line = makeIrcMessage({ nick: 'repeat_viewer' });
    expect(signals(line)[0]!.id).toBe(signals(line, RECEIVED_AT + 60_000)[0]!.id);
  });

  it('drops a sender whose login is outside the 4–25 a-z0-9_ rule', () => {
    expect(signals(makeIrcMessage({ nick: 'abc' }))).toEqual([]);
    expect(signals(makeIrcMessage({ nick: 'x'.repeat(26) }))).toEqual([]);
  });

  it('credits a shared-chat message only in the channel it was sent in', () => {
    const shared = { 'room-id': '111', 'source-room-id': '222', 'source-id': 'src-1' };
    expect(signals(makeIrcMessage({ channel: 'other_channel', tags: shared }))).toEqual([]);
    const own = { 'room-id': '222', 'source-room-id': '222', 'source-id': 'src-1' };
    expect(signals(makeIrcMessage({ channel: 'home_channel', tags: own })).map((e) => e.channel)).toEqual([
      'home_channel',
    ]);
  });

  it('ignores a PRIVMSG that is not to a channel', () => {
    const line = ':someone!someone@someone.tmi.twitch.tv PRIVMSG justinfan123 :hi';
    expect(signals(line)).toEqual([]);
  });
});

describe('JOIN', () => {
  it('credits presence under a hash of (kind, channel, user, amount, epoch), the same all hour', () => {
    const at = Date.UTC(2025, 10, 25, 13, 5);
    const first = signals(makeIrcMessage({ command: 'JOIN', nick: 'Lurker_1' }), at);
    const again = signals(makeIrcMessage({ command: 'JOIN', nick: 'lurker_1' }), at + 40 * 60_000);
    const epoch = Date.UTC(2025, 10, 25, 13) / 1000;
    expect(first).toEqual([
      {
        id: eventId({ kind: 'presence', channel: 'somechannel', user: 'lurker_1', amount: 1, epoch }),
        channel: 'somechannel',
        user: 'lurker_1',
        kind: 'presence',
        amount: 1,
        ts: at,
        epoch,
      },
    ]);
    expect(again[0]!.id).toBe(first[0]!.id);
  });

  it('gives a JOIN in the next hour a new event id', () => {
    const at = Date.UTC(2025, 10, 25, 13, 5);
    const first = signals(makeIrcMessage({ command: 'JOIN', nick: 'lurker_1' }), at);
    const next = signals(makeIrcMessage({ command: 'JOIN', nick: 'lurker_1' }), at + 3_600_000);
    expect(next[0]!.id).not.toBe(first[0]!.id);
  });

  it('does not credit the worker its own JOIN', () => {
    const message = parseIrcLine(makeIrcMessage({ command: 'JOIN', nick: 'justinfan12345' }))!;
    expect(signalsFromIrcMessage(message, RECEIVED_AT, { selfLogin: 'justinfan12345' })).toEqual([]);
  });
});

describe('USERNOTICE', () => {
  it('credits a sub to the login tag, not to the display name', () => {
    const line = usernotice('sub', { 'display-name': 'SomeoneElse', id: 'n-sub' }, 'Sub_Scriber');
    expect(signals(line)).toEqual([
      expect.objectContaining({
        id: 'n-sub',
        user: 'sub_scriber',
        kind: 'sub',
        amount: 1,
        epoch: SENT_EPOCH,
      }),
    ]);
    expect(weightOf('sub', 1)).toBe(1000);
  });

  it('credits a resub as a resub', () => {
    const line = usernotice('resub', { 'msg-param-cumulative-months': '6' }, 'loyal_viewer');
    expect(signals(line).map((e) => [e.user, e.kind, e.amount])).toEqual([['loyal_viewer', 'resub', 1]]);
    expect(weightOf('resub', 1)).toBe(1000);
  });

  it('credits a lone subgift as one gift to the gifter and nothing to the recipient', () => {
    const line = usernotice('subgift', {
      'msg-param-recipient-user-name': 'lucky_one',
      'msg-param-recipient-display-name': 'Lucky_One',
    });
    expect(signals(line).map((e) => [e.user, e.kind, e.amount])).toEqual([['gifter_gal', 'gift', 1]]);
    expect(weightOf('gift', 1)).toBe(500);
  });

  it('credits a mystery gift of N subs as N gifts to the gifter, and none for its community subgifts', () => {
    const mystery = usernotice('submysterygift', {
      id: 'mystery-1',
      'msg-param-mass-gift-count': '5',
      'msg-param-origin-id': '1234567890',
      'msg-param-sender-count': '25',
    });
    const shares = ['a_recipient', 'b_recipient', 'c_recipient', 'd_recipient', 'e_recipient'].map((r) =>
      usernotice('subgift', {
        'msg-param-community-gift-id': '1234567890',
        'msg-param-recipient-user-name': r,
      }),
    );
    const all = [mystery, ...shares].flatMap((line) => signals(line));
    expect(all.map((e) => [e.id, e.user, e.kind, e.amount])).toEqual([
      ['mystery-1', 'gifter_gal', 'gift', 5],
    ]);
    expect(weightOf('gift', 5)).toBe(2500);
  });

  it('never credits a community subgift, even when it arrives without its mystery gift', () => {
    const share = usernotice('subgift', { 'msg-param-community-gift-id': '42' });
    expect(signals(share)).toEqual([]);
  });

  it('credits nobody for gifts from the anonymous gifter', () => {
    const anonymous = { 'display-name': 'AnAnonymousGifter' };
    expect(signals(usernotice('subgift', anonymous, 'ananonymousgifter'))).toEqual([]);
    expect(
      signals(
        usernotice(
          'submysterygift',
          { ...anonymous, 'msg-param-mass-gift-count': '10' },
          'AnAnonymousGifter',
        ),
      ),
    ).toEqual([]);
  });

  it('credits a raid to the raiding broadcaster with its viewer count, in the raided channel', () => {
    const line = makeIrcMessage({
      command: 'USERNOTICE',
      channel: 'raided_channel',
      nick: 'raider_chan',
      tags: {
        'msg-id': 'raid',
        'msg-param-login': 'Raider_Chan',
        'msg-param-displayName': 'Raider_Chan',
        'msg-param-viewerCount': '1234',
      },
    });
    expect(signals(line).map((e) => [e.channel, e.user, e.kind, e.amount])).toEqual([
      ['raided_channel', 'raider_chan', 'raid', 1234],
    ]);
    expect(weightOf('raid', 1234)).toBe(12340);
  });

  it('ignores a raid without a positive viewer count', () => {
    expect(
      signals(usernotice('raid', { 'msg-param-login': 'raider_chan', 'msg-param-viewerCount': '0' })),
    ).toEqual([]);
  });

  it('ignores notices that carry no signal', () => {
    for (const msgId of ['giftpaidupgrade', 'announcement', 'unraid', 'ritual', 'bitsbadgetier']) {
      expect(signals(usernotice(msgId))).toEqual([]);
    }
  });

  it('keeps the id of an escaped tag line intact and credits the unescaped login', () => {
    const raw =
      '@badge-info=subscriber/8;display-name=ronni;id=db25007f-7a18-43eb-9379-80131e44d633;login=ronni;msg-id=resub;msg-param-cumulative-months=6;room-id=12345678;system-msg=ronni\\shas\\ssubscribed\\sfor\\s6\\smonths!;tmi-sent-ts=1507246572675 :tmi.twitch.tv USERNOTICE #dallas :Great stream -- keep it up!';
    expect(signals(raw)).toEqual([
      {
        id: 'db25007f-7a18-43eb-9379-80131e44d633',
        channel: 'dallas',
        user: 'ronni',
        kind: 'resub',
        amount: 1,
        ts: 1507246572675,
        epoch: 1507244400,
      },
    ]);
  });
});

describe('the mapper over random chat scripts', () => {
  const login = fc.stringMatching(/^[a-z0-9_]{4,12}$/);
  const channel = fc.constantFrom('alpha_channel', 'beta_channel');
  const op = fc.oneof(
    fc.record({ kind: fc.constant('chat' as const), channel, user: login }),
    fc.record({
      kind: fc.constant('cheer' as const),
      channel,
      user: login,
      bits: fc.integer({ min: 1, max: 10_000 }),
    }),
    fc.record({ kind: fc.constant('sub' as const), channel, user: login }),
    fc.record({ kind: fc.constant('resub' as const), channel, user: login }),
    fc.record({ kind: fc.constant('join' as const), channel, user: login }),
    fc.record({ kind: fc.constant('subGift' as const), channel, user: login, recipient: login }),
    fc.record({
      kind: fc.constant('mysteryGift' as const),
      channel,
      user: login,
      recipients: fc.array(login, { minLength: 1, maxLength: 6 }),
    }),
    fc.record({
      kind: fc.constant('anonymousGift' as const),
      channel,
      recipients: fc.array(login, { minLength: 1, maxLength: 3 }),
    }),
    fc.record({
      kind: fc.constant('raid' as const),
      channel,
      user: login,
      viewers: fc.integer({ min: 1, max: 50_000 }),
    }),
  );

  it('yields exactly the events the script means, once per id, whatever the order', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.integer({ min: 0, max: 7_200_000 }), (ops, offset) => {
        const script = new ChatScriptBuilder({ startMs: Date.UTC(2025, 10, 25, 12) + offset });
        for (const o of ops) {
          if (o.kind === 'chat') script.chat(o.channel, o.user);
          else if (o.kind === 'cheer') script.cheer(o.channel, o.user, o.bits);
          else if (o.kind === 'sub') script.sub(o.channel, o.user);
          else if (o.kind === 'resub') script.resub(o.channel, o.user);
          else if (o.kind === 'join') script.join(o.channel, o.user);
          else if (o.kind === 'subGift') script.subGift(o.channel, o.user, o.recipient);
          else if (o.kind === 'mysteryGift') script.mysteryGift(o.channel, o.user, o.recipients);
          else if (o.kind === 'anonymousGift') script.anonymousGift(o.channel, o.recipients);
          else script.raid(o.channel, o.user, o.viewers);
        }
        const mapped = new Map<string, unknown>();
        for (const entry of script.entries) {
          for (const e of signalsFromIrcMessage(parseIrcLine(entry.line)!, script.receivedAtMs))
            mapped.set(e.id, e);
        }
        expect(mapped).toEqual(new Map(script.expectedEvents().map((e) => [e.id, e])));
      }),
      { numRuns: 200 },
    );
  });
});

describe('randomChatScript', () => {
  it('is the same for the same seed and maps to its own expectation', () => {
    const make = () =>
      randomChatScript({
        channels: ['alpha_channel', 'beta_channel'],
        startMs: Date.UTC(2025, 10, 25, 12),
        seed: 7,
      });
    const script = make();
    expect(make().entries).toEqual(script.entries);
    const mapped = new Map<string, unknown>();
    for (const entry of script.entries) {
      for (const e of signalsFromIrcMessage(parseIrcLine(entry.line)!, script.receivedAtMs))
        mapped.set(e.id, e);
    }
    expect(mapped).toEqual(new Map(script.expectedEvents().map((e) => [e.id, e])));
    expect(new Set(script.expectedEvents().map((e) => e.kind))).toEqual(
      new Set(['presence', 'bits', 'sub', 'resub', 'gift', 'raid']),
    );
  });
});
