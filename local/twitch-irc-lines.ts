/**
 * Twitch IRC lines in the shapes tmi.twitch.tv sends them (tags as documented at
 * https://dev.twitch.tv/docs/chat/irc/#privmsg-tags and #usernotice-tags). Shared by the IRC
 * fixture server, the chat-script builder and the test event factory.
 */
import { createHash } from 'node:crypto';
import { formatIrcLine } from '../layers/shared/src/core/attention/irc-message.ts';

export type TagOverrides = Readonly<Record<string, string | null>>;

export interface IrcLineSpec {
  readonly command: 'PRIVMSG' | 'USERNOTICE' | 'JOIN' | 'PART' | (string & {});
  /** Tags to set; `null` removes a default tag. */
  readonly tags?: TagOverrides;
  /** Without `#`. */
  readonly channel: string;
  /** The sender (PRIVMSG, JOIN, PART) or the `login` of a USERNOTICE. */
  readonly nick?: string;
  readonly text?: string;
  /** Event time in unix ms, written as `tmi-sent-ts`. @default 1764072000000 (2025-11-25T12:00:00Z) */
  readonly sentAtMs?: number;
}

const DEFAULT_SENT_AT_MS = 1_764_072_000_000;

/** A stable, UUID-shaped id for the same inputs, so scripts and expectations agree. */
export function stableUuid(...parts: readonly (string | number)[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function numericId(name: string): string {
  return String(Number.parseInt(createHash('sha256').update(name).digest('hex').slice(0, 8), 16));
}

function applyOverrides(defaults: Record<string, string>, overrides: TagOverrides | undefined) {
  const tags: Record<string, string> = { ...defaults };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (value === null) delete tags[key];
    else tags[key] = value;
  }
  return tags;
}

function userPrefix(nick: string): string {
  return `${nick}!${nick}@${nick}.tmi.twitch.tv`;
}

export function ircLine(spec: IrcLineSpec): string {
  const channel = spec.channel.replace(/^#/, '');
  const nick = spec.nick ?? 'viewer_one';
  const sentAt = spec.sentAtMs ?? DEFAULT_SENT_AT_MS;
  switch (spec.command) {
    case 'PRIVMSG': {
      const defaults: Record<string, string> = {
        'badge-info': '',
        badges: '',
        color: '#1E90FF',
        'display-name': nick,
        emotes: '',
        'first-msg': '0',
        flags: '',
        id: stableUuid('privmsg', channel, nick, sentAt, spec.text ?? ''),
        mod: '0',
        'returning-chatter': '0',
        'room-id': numericId(channel),
        subscriber: '0',
        'tmi-sent-ts': String(sentAt),
        turbo: '0',
        'user-id': numericId(nick),
        'user-type': '',
      };
      return formatIrcLine({
        tags: applyOverrides(defaults, spec.tags),
        prefix: userPrefix(nick),
        command: 'PRIVMSG',
        params: [`#${channel}`],
        trailing: spec.text ?? 'hello chat',
      });
    }
    case 'USERNOTICE': {
      const msgId = spec.tags?.['msg-id'] ?? 'sub';
      const defaults: Record<string, string> = {
        'badge-info': '',
        badges: '',
        color: '',
        'display-name': nick,
        emotes: '',
        flags: '',
        id: stableUuid('usernotice', channel, nick, sentAt, msgId),
        login: nick,
        mod: '0',
        'msg-id': msgId,
        'room-id': numericId(channel),
        subscriber: '1',
        'system-msg': `${nick} did ${msgId}.`,
        'tmi-sent-ts': String(sentAt),
        'user-id': numericId(nick),
        'user-type': '',
      };
      return formatIrcLine({
        tags: applyOverrides(defaults, spec.tags),
        prefix: 'tmi.twitch.tv',
        command: 'USERNOTICE',
        params: [`#${channel}`],
        ...(spec.text === undefined ? {} : { trailing: spec.text }),
      });
    }
    default: {
      // JOIN and PART carry no tags on Twitch.
      const tags = applyOverrides({}, spec.tags);
      return formatIrcLine({
        tags,
        prefix: userPrefix(nick),
        command: spec.command,
        params: [`#${channel}`],
      });
    }
  }
}
