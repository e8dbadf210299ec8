/**
 * Chat scripts for the IRC fixture: a builder that writes real-format Twitch lines and, from
 * the same calls, the participation DESIGN.md's rules give for them. The expectation is
 * computed from what the script means (who chatted, who gifted how many), not by running the
 * mapper, so a test comparing them checks the mapper, the worker and the writer together.
 *
 *   const script = new ChatScriptBuilder({ startMs: Date.UTC(2025, 10, 25, 12) });
 *   script.chat('somechannel', 'viewer_one').cheer('somechannel', 'viewer_two', 100)
 *     .mysteryGift('somechannel', 'gifter_gal', ['a_recipient', 'b_recipient']).raid('somechannel', 'raider_chan', 50);
 *   irc.play(script.entries);
 *   script.expectedParticipation(); // rows keyed by epoch, channel and user
 *
 * JOIN lines carry no timestamp: the worker credits them at the time it receives them. The
 * expectation gives every JOIN the builder's `receivedAtMs` (default: `startMs`), so run the
 * worker with `now: () => script.receivedAtMs` when a script has joins.
 */
import { ANONYMOUS_GIFTER } from '../layers/shared/src/core/attention/irc-attribution.ts';
import {
  epochOfMs,
  eventId,
  type IngestEvent,
  type SignalKind,
  WEIGHT_HUNDREDTHS_PER_UNIT,
  weightOf,
} from '../layers/shared/src/core/attention/signals.ts';
import { ircLine, stableUuid } from './twitch-irc-lines.ts';

export interface ScriptEntry {
  /** Script time (unix ms): the line's tmi-sent-ts, and when the fixture plays it relative to the first. */
  readonly atMs: number;
  readonly channel: string;
  readonly line: string;
}

export interface ExpectedParticipation {
  readonly epoch: number;
  readonly channel: string;
  readonly user: string;
  /** Hundredths: presence 100 once, plus every paid signal. */
  readonly weight: number;
  /** Distinct presence events (chat lines, and one JOIN per hour). */
  readonly presence: number;
  readonly subs: number;
  readonly resubs: number;
  readonly gifts: number;
  readonly bits: number;
  readonly raiders: number;
  readonly firstSeenMs: number;
}

export class ChatScriptBuilder {
  readonly entries: ScriptEntry[] = [];
  private readonly events = new Map<string, IngestEvent>();
  /** The receive time the worker under test must use (its `now`); JOINs are credited at it. */
  readonly receivedAtMs: number;
  private clock: number;
  private readonly stepMs: number;
  private serial = 0;

  constructor(options: { startMs?: number; stepMs?: number; receivedAtMs?: number } = {}) {
    this.clock = options.startMs ?? Date.UTC(2025, 10, 25, 12);
    this.receivedAtMs = options.receivedAtMs ?? this.clock;
    this.stepMs = options.stepMs ?? 250;
  }

  /** Moves script time forward (e.g. into the next hour). */
  advance(ms: number): this {
    this.clock += ms;
    return this;
  }

  get nowMs(): number {
    return this.clock;
  }

  private next(): number {
    const at = this.clock;
    this.clock += this.stepMs;
    return at;
  }

  private add(channel: string, atMs: number, line: string): void {
    this.entries.push({ atMs, channel, line });
  }

  private credit(event: Omit<IngestEvent, 'epoch'>): void {
    this.events.set(event.id, { ...event, epoch: epochOfMs(event.ts) });
  }

  chat(channel: string, user: string, text = `message ${this.serial + 1}`): this {
    const at = this.next();
    const id = stableUuid('chat', channel, user, at, ++this.serial);
    this.add(
      channel,
      at,
      ircLine({ command: 'PRIVMSG', channel, nick: user, text, sentAtMs: at, tags: { id } }),
    );
    this.credit({ id, channel, user: user.toLowerCase(), kind: 'presence', amount: 1, ts: at });
    return this;
  }

  cheer(channel: string, user: string, bits: number): this {
    const at = this.next();
    const id = stableUuid('cheer', channel, user, at, ++this.serial);
    const tags = { id, bits: String(bits), badges: 'bits/100' };
    this.add(
      channel,
      at,
      ircLine({ command: 'PRIVMSG', channel, nick: user, text: `Cheer${bits} nice`, sentAtMs: at, tags }),
    );
    this.credit({ id, channel, user: user.toLowerCase(), kind: 'presence', amount: 1, ts: at });
    this.credit({ id: `${id}:bits`, channel, user: user.toLowerCase(), kind: 'bits', amount: bits, ts: at });
    return this;
  }

  join(channel: string, user: string): this {
    const at = this.next();
    this.add(channel, at, ircLine({ command: 'JOIN', channel, nick: user }));
    const received = this.receivedAtMs;
    const fields = {
      kind: 'presence' as const,
      channel,
      user: user.toLowerCase(),
      amount: 1,
      epoch: epochOfMs(received),
    };
    const id = eventId(fields);
    // A second JOIN in the same hour has the same id: it counts once.
    if (!this.events.has(id))
      this.credit({ id, channel, user: fields.user, kind: 'presence', amount: 1, ts: received });
    return this;
  }

  private notice(
    channel: string,
    login: string,
    msgId: string,
    tags: Record<string, string>,
    kind?: SignalKind,
    amount = 1,
  ) {
    const at = this.next();
    const id = stableUuid('notice', channel, login, msgId, at, ++this.serial);
    const line = ircLine({
      command: 'USERNOTICE',
      channel,
      nick: login,
      sentAtMs: at,
      tags: { id, 'msg-id': msgId, ...tags },
    });
    this.add(channel, at, line);
    const user = login.toLowerCase();
    if (kind !== undefined && user !== ANONYMOUS_GIFTER)
      this.credit({ id, channel, user, kind, amount, ts: at });
  }

  sub(channel: string, user: string): this {
    this.notice(
      channel,
      user,
      'sub',
      { 'msg-param-sub-plan': '1000', 'msg-param-cumulative-months': '1' },
      'sub',
    );
    return this;
  }

  resub(channel: string, user: string, months = 6): this {
    this.notice(
      channel,
      user,
      'resub',
      { 'msg-param-sub-plan': '1000', 'msg-param-cumulative-months': String(months) },
      'resub',
    );
    return this;
  }

  /** One sub gifted directly: one gift to the gifter; the recipient gets nothing. */
  subGift(channel: string, gifter: string, recipient: string): this {
    this.notice(
      channel,
      gifter,
      'subgift',
      {
        'msg-param-recipient-user-name': recipient,
        'msg-param-recipient-display-name': recipient,
        'msg-param-sub-plan': '1000',
      },
      'gift',
    );
    return this;
  }

  /**
   * A mystery gift as Twitch sends it: the submysterygift notice (N gifts to the gifter), then
   * one subgift per recipient carrying the community-gift id (credited to nobody).
   */
  mysteryGift(channel: string, gifter: string, recipients: readonly string[]): this {
    const giftId = String(1_000_000_000 + ++this.serial);
    this.notice(
      channel,
      gifter,
      'submysterygift',
      {
        'msg-param-mass-gift-count': String(recipients.length),
        'msg-param-origin-id': giftId,
        'msg-param-sub-plan': '1000',
      },
      'gift',
      recipients.length,
    );
    for (const recipient of recipients) {
      this.notice(channel, gifter, 'subgift', {
        'msg-param-community-gift-id': giftId,
        'msg-param-recipient-user-name': recipient,
        'msg-param-sub-plan': '1000',
      });
    }
    return this;
  }

  /** Gifts from the anonymous gifter: credited to nobody. */
  anonymousGift(channel: string, recipients: readonly string[]): this {
    if (recipients.length === 1) return this.subGift(channel, ANONYMOUS_GIFTER, recipients[0]!);
    return this.mysteryGift(channel, ANONYMOUS_GIFTER, recipients);
  }

  /** A raid into `channel`: the raiding broadcaster gets `viewers` raiders there. */
  raid(channel: string, raider: string, viewers: number): this {
    this.notice(
      channel,
      raider,
      'raid',
      {
        'msg-param-login': raider.toLowerCase(),
        'msg-param-displayName': raider,
        'msg-param-viewerCount': String(viewers),
      },
      'raid',
      viewers,
    );
    return this;
  }

  /** A line that carries no signal (a notice type we ignore), for realism. */
  announcement(channel: string, user: string): this {
    this.notice(channel, user, 'announcement', { 'msg-param-color': 'PRIMARY' });
    return this;
  }

  /** The events the worker should send, one per id. */
  expectedEvents(): IngestEvent[] {
    return [...this.events.values()];
  }

  /** channel_participation as the writer should leave it, keyed `${epoch}:${channel}:${user}`. */
  expectedParticipation(): Map<string, ExpectedParticipation> {
    const rows = new Map<string, ExpectedParticipation>();
    for (const e of this.events.values()) {
      const key = `${e.epoch}:${e.channel}:${e.user}`;
      const row = rows.get(key) ?? {
        epoch: e.epoch,
        channel: e.channel,
        user: e.user,
        weight: WEIGHT_HUNDREDTHS_PER_UNIT.presence,
        presence: 0,
        subs: 0,
        resubs: 0,
        gifts: 0,
        bits: 0,
        raiders: 0,
        firstSeenMs: e.ts,
      };
      rows.set(key, {
        ...row,
        weight: row.weight + (e.kind === 'presence' ? 0 : weightOf(e.kind, e.amount)),
        presence: row.presence + (e.kind === 'presence' ? 1 : 0),
        subs: row.subs + (e.kind === 'sub' ? 1 : 0),
        resubs: row.resubs + (e.kind === 'resub' ? 1 : 0),
        gifts: row.gifts + (e.kind === 'gift' ? e.amount : 0),
        bits: row.bits + (e.kind === 'bits' ? e.amount : 0),
        raiders: row.raiders + (e.kind === 'raid' ? e.amount : 0),
        firstSeenMs: Math.min(row.firstSeenMs, e.ts),
      });
    }
    return rows;
  }

  /** Distinct users with a row, per user, for user_mapping expectations. */
  expectedUsers(): string[] {
    return [...new Set([...this.events.values()].map((e) => e.user))].sort();
  }

  channels(): string[] {
    return [...new Set(this.entries.map((e) => e.channel))].sort();
  }
}

/**
 * A plausible hour of chat for local runs and benchmarks, the same for the same seed: mostly
 * chat lines and joins, with cheers, subs, resubs, gifts (lone, mystery and anonymous) and a
 * raid per channel mixed in.
 */
export function randomChatScript(options: {
  channels: readonly string[];
  startMs: number;
  viewersPerChannel?: number;
  lines?: number;
  seed?: number;
}): ChatScriptBuilder {
  let state = (options.seed ?? 1) >>> 0 || 1;
  const random = () => {
    // xorshift32: deterministic without a dependency.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const viewers = Array.from(
    { length: options.viewersPerChannel ?? 40 },
    (_, i) => `viewer_${String(i).padStart(4, '0')}`,
  );
  const script = new ChatScriptBuilder({ startMs: options.startMs, stepMs: 500 });
  for (const channel of options.channels) script.join(channel, pick(viewers));
  const lines = options.lines ?? 500;
  for (let i = 0; i < lines; i++) {
    const channel = pick(options.channels);
    const user = pick(viewers);
    const roll = random();
    if (roll < 0.7) script.chat(channel, user);
    else if (roll < 0.8) script.join(channel, user);
    else if (roll < 0.85) script.cheer(channel, user, 1 + Math.floor(random() * 1000));
    else if (roll < 0.89) script.sub(channel, user);
    else if (roll < 0.93) script.resub(channel, user, 2 + Math.floor(random() * 30));
    else if (roll < 0.95) script.subGift(channel, user, pick(viewers));
    else if (roll < 0.97) script.mysteryGift(channel, user, [pick(viewers), pick(viewers), pick(viewers)]);
    else if (roll < 0.98) script.anonymousGift(channel, [pick(viewers)]);
    else script.announcement(channel, user);
  }
  for (const channel of options.channels)
    script.raid(channel, `raider_${channel}`.slice(0, 25), 10 + Math.floor(random() * 500));
  return script;
}
