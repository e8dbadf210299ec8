import type { IrcMessage } from './irc-message.ts';
import { epochOfMs, eventId, type IngestEvent, normalizeLogin, type SignalKind } from './signals.ts';

/** The login Twitch puts on gifts whose gifter chose to stay anonymous (DESIGN.md: credits nobody). */
export const ANONYMOUS_GIFTER = 'ananonymousgifter';

function positiveInt(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^[0-9]{1,15}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n > 0 ? n : undefined;
}

/** `tmi-sent-ts` where it is a plausible unix-ms timestamp, else the time we received the line. */
function eventTimeMs(message: IrcMessage, receivedAtMs: number): number {
  return positiveInt(message.tags['tmi-sent-ts']) ?? receivedAtMs;
}

interface Credit {
  kind: SignalKind;
  user: string | undefined;
  amount: number;
  /** Appended to the message id so two signals of one line keep distinct event ids. */
  idSuffix: string;
}

function creditsOf(message: IrcMessage): Credit[] {
  const tags = message.tags;
  switch (message.command) {
    case 'PRIVMSG': {
      // Shared chat shows a message sent in one channel in every channel of the session, with
      // the sender's room in `source-room-id`; it counts only where it was sent.
      const source = tags['source-room-id'];
      if (source !== undefined && source !== '' && source !== tags['room-id']) return [];
      const user = message.nick;
      const credits: Credit[] = [{ kind: 'presence', user, amount: 1, idSuffix: '' }];
      const bits = positiveInt(tags['bits']);
      if (bits !== undefined) credits.push({ kind: 'bits', user, amount: bits, idSuffix: ':bits' });
      return credits;
    }
    case 'JOIN':
      return [{ kind: 'presence', user: message.nick, amount: 1, idSuffix: '' }];
    case 'USERNOTICE':
      return usernoticeCredits(message);
    default:
      return [];
  }
}

function usernoticeCredits(message: IrcMessage): Credit[] {
  const tags = message.tags;
  const login = tags['login'];
  switch (tags['msg-id']) {
    case 'sub':
    case 'resub':
      return [{ kind: tags['msg-id'], user: login, amount: 1, idSuffix: '' }];
    case 'subgift':
      // A subgift carrying a community-gift id is one recipient's share of a mystery gift that
      // its submysterygift notice already credited; stateless, so batch boundaries cannot matter.
      if (tags['msg-param-community-gift-id'] !== undefined) return [];
      return [{ kind: 'gift', user: login, amount: 1, idSuffix: '' }];
    case 'submysterygift': {
      const count = positiveInt(tags['msg-param-mass-gift-count']);
      return count === undefined ? [] : [{ kind: 'gift', user: login, amount: count, idSuffix: '' }];
    }
    case 'raid': {
      // The raiding broadcaster is credited in the raided channel (the notice's channel).
      const raiders = positiveInt(tags['msg-param-viewerCount']);
      const raider = tags['msg-param-login'] ?? login;
      return raiders === undefined ? [] : [{ kind: 'raid', user: raider, amount: raiders, idSuffix: '' }];
    }
    default:
      return [];
  }
}

/**
 * The signals of one IRC line by DESIGN.md's attribution rules: PRIVMSG → presence (and bits
 * from the `bits` tag), JOIN → presence, USERNOTICE sub/resub/subgift/submysterygift/raid →
 * sub/resub/gift/raid. Recipients of gifts get nothing; the anonymous gifter credits nobody;
 * a user or channel that is not a valid login yields nothing. The event id is the `id` tag
 * (with `:bits` for the bits of a cheer) or, without one, the hash of `eventId`.
 */
export function signalsFromIrcMessage(
  message: IrcMessage,
  receivedAtMs: number,
  options: { selfLogin?: string } = {},
): IngestEvent[] {
  const channelParam = message.params[0];
  if (channelParam === undefined || !channelParam.startsWith('#')) return [];
  const channel = normalizeLogin(channelParam);
  if (channel === undefined) return [];

  const ts = eventTimeMs(message, receivedAtMs);
  const epoch = epochOfMs(ts);
  const messageId = message.tags['id'] || undefined;
  const events: IngestEvent[] = [];
  for (const credit of creditsOf(message)) {
    const user = credit.user === undefined ? undefined : normalizeLogin(credit.user);
    if (user === undefined || user === ANONYMOUS_GIFTER || user === options.selfLogin) continue;
    const fields = { kind: credit.kind, channel, user, amount: credit.amount, epoch };
    const id = messageId === undefined ? eventId(fields) : messageId + credit.idSuffix;
    events.push({ id, ...fields, ts });
  }
  return events;
}
