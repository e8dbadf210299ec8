/**
 * IRC lines with IRCv3 message tags, as Twitch sends them
 * (https://ircv3.net/specs/extensions/message-tags, RFC 1459 framing).
 *
 * We parse the raw line ourselves instead of trusting a client library's tag decoding:
 * irc-framework 4.14 matches escapes case-insensitively, so `\S` or `\N` lose both characters
 * where the specification keeps the letter.
 */
export interface IrcMessage {
  /** Tag values unescaped; a tag without `=` has the empty string as its value. */
  readonly tags: Readonly<Record<string, string>>;
  readonly prefix: string | undefined;
  /** The nick part of the prefix (`nick!user@host`), or the whole prefix for a server. */
  readonly nick: string | undefined;
  readonly command: string;
  readonly params: readonly string[];
}

const ESCAPES: Readonly<Record<string, string>> = { ':': ';', s: ' ', '\\': '\\', r: '\r', n: '\n' };

/**
 * IRCv3 unescaping: `\:` → `;`, `\s` → space, `\\` → `\`, `\r`, `\n`; any other escaped
 * character loses its backslash and a lone backslash at the end is dropped.
 */
export function unescapeTagValue(raw: string): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = raw[i + 1];
    i++;
    if (next === undefined) break;
    out += ESCAPES[next] ?? next;
  }
  return out;
}

export function escapeTagValue(value: string): string {
  let out = '';
  for (const ch of value) {
    if (ch === ';') out += '\\:';
    else if (ch === ' ') out += '\\s';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\n') out += '\\n';
    else out += ch;
  }
  return out;
}

function parseTags(raw: string): Record<string, string> {
  // A null-prototype object: tag keys come from the wire and may be `__proto__`.
  const tags: Record<string, string> = Object.create(null);
  for (const part of raw.split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = eq === -1 ? part : part.slice(0, eq);
    if (key === '') continue;
    // The specification lets the last occurrence of a duplicated key win.
    tags[key] = eq === -1 ? '' : unescapeTagValue(part.slice(eq + 1));
  }
  return tags;
}

/** Parses one line (with or without its CRLF). Returns undefined for a line with no command. */
export function parseIrcLine(line: string): IrcMessage | undefined {
  let rest = line.replace(/[\r\n]+$/, '');
  let tags: Record<string, string> = Object.create(null);
  let prefix: string | undefined;

  const nextWord = (): string => {
    rest = rest.replace(/^ +/, '');
    const space = rest.indexOf(' ');
    const word = space === -1 ? rest : rest.slice(0, space);
    rest = space === -1 ? '' : rest.slice(space + 1);
    return word;
  };

  if (rest.startsWith('@')) tags = parseTags(nextWord().slice(1));
  rest = rest.replace(/^ +/, '');
  if (rest.startsWith(':')) prefix = nextWord().slice(1);
  const command = nextWord().toUpperCase();
  if (command === '') return undefined;

  const params: string[] = [];
  for (;;) {
    rest = rest.replace(/^ +/, '');
    if (rest === '') break;
    if (rest.startsWith(':')) {
      params.push(rest.slice(1));
      break;
    }
    params.push(nextWord());
  }

  const bang = prefix?.indexOf('!') ?? -1;
  const nick = prefix === undefined ? undefined : bang === -1 ? prefix : prefix.slice(0, bang);
  return { tags, prefix, nick, command, params };
}

/**
 * The inverse of parseIrcLine (without CRLF). `trailing` is written after a colon, as the
 * last parameter; middle parameters must not contain spaces.
 */
export function formatIrcLine(message: {
  tags?: Readonly<Record<string, string>>;
  prefix?: string;
  command: string;
  params?: readonly string[];
  trailing?: string;
}): string {
  const parts: string[] = [];
  const tagEntries = Object.entries(message.tags ?? {});
  if (tagEntries.length > 0) {
    parts.push('@' + tagEntries.map(([k, v]) => `${k}=${escapeTagValue(v)}`).join(';'));
  }
  if (message.prefix !== undefined) parts.push(':' + message.prefix);
  parts.push(message.command, ...(message.params ?? []));
  if (message.trailing !== undefined) parts.push(':' + message.trailing);
  return parts.join(' ');
}
