import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/** The signals of DESIGN.md section 5 (Attention oracle). */
export const SIGNAL_KINDS = ['presence', 'sub', 'resub', 'gift', 'bits', 'raid'] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/**
 * The key id the IRC worker's events are stored under. Events from `POST /ingest` carry the name
 * of the ingest API key that sent them (services/platform/api-auth.ts), which can never be this one.
 */
export const IRC_KEY_ID = 'irc';
/** The key id of events queued or stored before events carried one; no key can have it either. */
export const UNATTRIBUTED_KEY_ID = 'unattributed';
/** Key ids no ingest API key may be named. */
export const RESERVED_KEY_IDS: ReadonlySet<string> = new Set([IRC_KEY_ID, UNATTRIBUTED_KEY_ID]);

/**
 * One engagement signal, as the ingest queue carries it (from the IRC worker and from
 * `POST /ingest`). `user` and `channel` are lowercased Twitch logins; `amount` is 1 for
 * presence, sub and resub, the number of gifted subs, bits or raiders otherwise; `ts` is the
 * event time in unix milliseconds and `epoch` the start of its UTC hour in unix seconds.
 */
export interface IngestEvent {
  readonly id: string;
  readonly channel: string;
  readonly user: string;
  readonly kind: SignalKind;
  readonly amount: number;
  readonly ts: number;
  readonly epoch: number;
}
export type Signal = IngestEvent;

/** An event with the key that sent it: an ingest API key's name, or IRC_KEY_ID. */
export interface KeyedEvent extends IngestEvent {
  readonly keyId: string;
}

/**
 * Weights in integer hundredths (DESIGN.md: presence 1, sub 10, resub 10, gift 5 per gifted
 * sub, bits 0.01 per bit, raid 0.1 per raider), so sums stay exact until the one floor per
 * (epoch, channel, viewer).
 */
export const WEIGHT_HUNDREDTHS_PER_UNIT: Readonly<Record<SignalKind, number>> = {
  presence: 100,
  sub: 1000,
  resub: 1000,
  gift: 500,
  bits: 1,
  raid: 10,
};

/** Kinds whose amount is a count (gifted subs, bits, raiders); the others are single events. */
export const COUNTED_KINDS: ReadonlySet<SignalKind> = new Set(['gift', 'bits', 'raid']);

/**
 * Weight of one signal in hundredths. Presence, sub and resub weigh the same whatever their
 * amount says (one presence per epoch, one sub per notice); the writer still applies presence
 * only once per (epoch, channel, viewer).
 */
export function weightOf(kind: SignalKind, amount: number): number {
  const perUnit = WEIGHT_HUNDREDTHS_PER_UNIT[kind];
  return COUNTED_KINDS.has(kind) ? perUnit * amount : perUnit;
}

/** Twitch login rule as DESIGN.md states it (4–25 of a-z0-9_, after lowercasing). */
const LOGIN = /^[a-z0-9_]{4,25}$/;

export function isValidLogin(login: string): boolean {
  return LOGIN.test(login);
}

/** Lowercases and validates a login (a channel may come with its leading `#`); undefined if invalid. */
export function normalizeLogin(raw: string): string | undefined {
  const login = (raw.startsWith('#') ? raw.slice(1) : raw).toLowerCase();
  return isValidLogin(login) ? login : undefined;
}

const HOUR_MS = 3_600_000;

/** The epoch id of a moment: the start of its UTC hour in unix seconds. */
export function epochOfMs(ms: number): number {
  return Math.floor(ms / HOUR_MS) * 3600;
}

/**
 * Event id for an event that has none (a JOIN, or a `POST /ingest` event without `id`):
 * sha256 over (kind, channel, user, amount, epoch), so the same signal counts once per epoch
 * and again in the next, and a re-delivery changes nothing.
 */
export function eventId(fields: {
  kind: SignalKind;
  channel: string;
  user: string;
  amount: number;
  epoch: number;
}): string {
  const canonical = [
    fields.kind,
    fields.channel,
    fields.user,
    String(fields.amount),
    String(fields.epoch),
  ].join('\n');
  return bytesToHex(sha256(utf8ToBytes(canonical)));
}
