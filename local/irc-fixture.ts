/**
 * A Twitch IRC stand-in on 127.0.0.1 (plain TCP) for tests and local runs. It speaks Twitch's
 * dialect (https://dev.twitch.tv/docs/chat/irc/): CAP LS/REQ/ACK for twitch.tv/tags,
 * twitch.tv/commands and twitch.tv/membership; PASS/NICK answered by the 001–376 welcome once
 * capability negotiation ends; PING/PONG; JOIN echoed with NAMES, USERSTATE and ROOMSTATE;
 * PART. What a client did not ask for it does not get: no tags without twitch.tv/tags, no
 * USERNOTICE without twitch.tv/commands, no JOIN/PART of others without twitch.tv/membership.
 *
 *   const irc = await startIrcFixture();
 *   const playing = irc.play(script.entries, { speed: 0, dropAfter: 10 });
 *   ...; await playing; await irc.close();
 */
import { createServer, type Socket } from 'node:net';
import { parseIrcLine } from '../layers/shared/src/core/attention/irc-message.ts';
import type { ScriptEntry } from './chat-script.ts';

export const TWITCH_CAPABILITIES = ['twitch.tv/tags', 'twitch.tv/commands', 'twitch.tv/membership'] as const;

export interface IrcFixtureClient {
  readonly id: number;
  nick: string | undefined;
  readonly caps: Set<string>;
  readonly channels: Set<string>;
  registered: boolean;
}

export interface PlayOptions {
  /**
   * Script milliseconds per real millisecond: 1 plays in real time, 60 a minute per second.
   * 0 plays as fast as the clients read. @default 0
   */
  readonly speed?: number;
  /** Drops every client connection once, after this many lines were delivered. */
  readonly dropAfter?: number;
  /**
   * Hold a line until some client has joined its channel (so a script plays out whole across
   * reconnects). False drops lines for channels nobody is in, as Twitch does. @default true
   */
  readonly waitForJoin?: boolean;
}

export interface IrcFixture {
  readonly host: string;
  readonly port: number;
  readonly clients: readonly IrcFixtureClient[];
  /** Every JOIN the server received, with the time (ms) it arrived: for join-rate assertions. */
  readonly joins: readonly { channel: string; nick: string; atMs: number }[];
  /** Connections accepted so far (a reconnect makes it grow). */
  readonly connectionCount: number;
  /** Channels some registered client is in now. */
  joinedChannels(): Set<string>;
  /** Resolves once registered clients are in all of these channels. */
  waitForJoined(channels: readonly string[], timeoutMs?: number): Promise<void>;
  /** Sends one line to every client in its channel now. Returns how many received it. */
  deliver(channel: string, line: string): number;
  /** Replays script entries; resolves when all were delivered. */
  play(entries: readonly ScriptEntry[], options?: PlayOptions): Promise<{ delivered: number }>;
  /** Closes every client connection from the server side, as a network failure would. */
  dropConnections(): void;
  /**
   * Sends PING to every registered client and resolves when each answered PONG: a client
   * reads its connection in order, so by then it has read every line sent before.
   */
  sync(timeoutMs?: number): Promise<void>;
  /** Most JOINs received in any `windowMs` window. */
  maxJoinsInWindow(windowMs?: number): number;
  close(): Promise<void>;
}

const SERVER = 'tmi.twitch.tv';

function roomId(channel: string): string {
  let h = 0;
  for (const ch of channel) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return String(h % 900_000_000);
}

export interface IrcFixtureOptions {
  /** Clock for the join log. @default Date.now */
  readonly now?: () => number;
  /** List the Twitch capabilities in the CAP LS reply (CAP REQ works either way). @default true */
  readonly advertiseCapabilities?: boolean;
}

export async function startIrcFixture(options: IrcFixtureOptions = {}): Promise<IrcFixture> {
  const now = options.now ?? Date.now;
  const sockets = new Map<Socket, IrcFixtureClient>();
  const joins: { channel: string; nick: string; atMs: number }[] = [];
  const joinWaiters = new Set<() => void>();
  let nextId = 1;
  let connectionCount = 0;
  let syncSerial = 0;
  const pongWaiters = new Map<string, (clientId: number) => void>();

  const notifyJoins = () => {
    for (const waiter of [...joinWaiters]) waiter();
  };

  function write(socket: Socket, line: string): boolean {
    if (socket.destroyed || !socket.writable) return false;
    socket.write(`${line}\r\n`);
    return true;
  }

  function channelsOf(): Set<string> {
    const joined = new Set<string>();
    for (const client of sockets.values())
      if (client.registered) for (const c of client.channels) joined.add(c);
    return joined;
  }

  /** Adapts a line to what the client negotiated, or undefined if it should not see it. */
  function forClient(client: IrcFixtureClient, line: string): string | undefined {
    const message = parseIrcLine(line);
    if (message === undefined) return undefined;
    if (
      !client.caps.has('twitch.tv/commands') &&
      ['USERNOTICE', 'ROOMSTATE', 'USERSTATE', 'CLEARCHAT'].includes(message.command)
    ) {
      return undefined;
    }
    if (
      !client.caps.has('twitch.tv/membership') &&
      (message.command === 'JOIN' || message.command === 'PART')
    ) {
      return undefined;
    }
    if (!client.caps.has('twitch.tv/tags') && line.startsWith('@')) return line.slice(line.indexOf(' ') + 1);
    return line;
  }

  function deliver(channel: string, line: string): number {
    let count = 0;
    for (const [socket, client] of sockets) {
      if (!client.registered || !client.channels.has(channel)) continue;
      const adapted = forClient(client, line);
      if (adapted === undefined) continue;
      if (write(socket, adapted)) count++;
    }
    return count;
  }

  function welcome(socket: Socket, client: IrcFixtureClient): void {
    const nick = client.nick ?? 'justinfan0';
    client.registered = true;
    for (const [code, text] of [
      ['001', 'Welcome, GLHF!'],
      ['002', `Your host is ${SERVER}`],
      ['003', 'This server is rather new'],
      ['004', '-'],
      ['375', '-'],
      ['372', 'You are in a maze of twisty passages, all alike.'],
      ['376', '>'],
    ] as const) {
      write(socket, `:${SERVER} ${code} ${nick} :${text}`);
    }
  }

  function handleLine(
    socket: Socket,
    client: IrcFixtureClient,
    state: { capNegotiating: boolean },
    raw: string,
  ) {
    const message = parseIrcLine(raw);
    if (message === undefined) return;
    const nick = client.nick ?? '*';
    switch (message.command) {
      case 'CAP': {
        const sub = message.params[0]?.toUpperCase();
        if (sub === 'LS') {
          state.capNegotiating = true;
          const listed = options.advertiseCapabilities === false ? '' : TWITCH_CAPABILITIES.join(' ');
          write(socket, `:${SERVER} CAP * LS :${listed}`);
        } else if (sub === 'REQ') {
          state.capNegotiating = true;
          const wanted = (message.params[1] ?? '').split(' ').filter(Boolean);
          const known = wanted.every((c) => (TWITCH_CAPABILITIES as readonly string[]).includes(c));
          if (known) for (const c of wanted) client.caps.add(c);
          write(socket, `:${SERVER} CAP * ${known ? 'ACK' : 'NAK'} :${wanted.join(' ')}`);
        } else if (sub === 'END') {
          state.capNegotiating = false;
          if (client.nick !== undefined && !client.registered) welcome(socket, client);
        }
        return;
      }
      case 'PASS':
        return;
      case 'NICK':
        client.nick = (message.params[0] ?? '').toLowerCase();
        if (!state.capNegotiating && !client.registered) welcome(socket, client);
        return;
      case 'USER':
        return;
      case 'PING':
        write(socket, `:${SERVER} PONG ${SERVER} :${message.params[0] ?? ''}`);
        return;
      case 'PONG': {
        const token = message.params[message.params.length - 1] ?? '';
        pongWaiters.get(token)?.(client.id);
        return;
      }
      case 'JOIN': {
        if (!client.registered) return;
        for (const target of (message.params[0] ?? '').split(',')) {
          const channel = target.replace(/^#/, '').toLowerCase();
          if (channel === '') continue;
          joins.push({ channel, nick, atMs: now() });
          client.channels.add(channel);
          write(socket, `:${nick}!${nick}@${nick}.${SERVER} JOIN #${channel}`);
          write(socket, `:${nick}.${SERVER} 353 ${nick} = #${channel} :${nick}`);
          write(socket, `:${nick}.${SERVER} 366 ${nick} #${channel} :End of /NAMES list`);
          const userstate = `@badge-info=;badges=;color=;display-name=${nick};emote-sets=0;mod=0;subscriber=0;user-type= :${SERVER} USERSTATE #${channel}`;
          const roomstate = `@emote-only=0;followers-only=-1;r9k=0;room-id=${roomId(channel)};slow=0;subs-only=0 :${SERVER} ROOMSTATE #${channel}`;
          for (const line of [userstate, roomstate]) {
            const adapted = forClient(client, line);
            if (adapted !== undefined) write(socket, adapted);
          }
        }
        notifyJoins();
        return;
      }
      case 'PART': {
        for (const target of (message.params[0] ?? '').split(',')) {
          const channel = target.replace(/^#/, '').toLowerCase();
          if (client.channels.delete(channel))
            write(socket, `:${nick}!${nick}@${nick}.${SERVER} PART #${channel}`);
        }
        return;
      }
      case 'QUIT':
        socket.end();
        return;
      default:
        write(socket, `:${SERVER} 421 ${nick} ${message.command} :Unknown command`);
    }
  }

  const server = createServer((socket) => {
    connectionCount++;
    const client: IrcFixtureClient = {
      id: nextId++,
      nick: undefined,
      caps: new Set(),
      channels: new Set(),
      registered: false,
    };
    const state = { capNegotiating: false };
    sockets.set(socket, client);
    socket.setEncoding('utf8');
    let buffer = '';
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (line !== '') handleLine(socket, client, state, line);
        newline = buffer.indexOf('\n');
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      notifyJoins();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  function waitUntil(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate()) return;
        joinWaiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        joinWaiters.delete(check);
        reject(new Error(`IRC fixture: timed out waiting for ${what}`));
      }, timeoutMs);
      joinWaiters.add(check);
    });
  }

  function dropConnections(): void {
    for (const socket of [...sockets.keys()]) {
      sockets.delete(socket);
      socket.destroy();
    }
  }

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  return {
    host: '127.0.0.1',
    port,
    get clients() {
      return [...sockets.values()];
    },
    joins,
    get connectionCount() {
      return connectionCount;
    },
    joinedChannels: channelsOf,
    waitForJoined(channels, timeoutMs = 30_000) {
      return waitUntil(
        () => channels.every((c) => channelsOf().has(c)),
        timeoutMs,
        `joins of ${channels.join(', ')}`,
      );
    },
    deliver,
    async play(entries, playOptions = {}) {
      const speed = playOptions.speed ?? 0;
      const waitForJoin = playOptions.waitForJoin ?? true;
      const startReal = Date.now();
      const startScript = entries[0]?.atMs ?? 0;
      let delivered = 0;
      let dropped = false;
      for (const entry of entries) {
        if (speed > 0) {
          const due = startReal + (entry.atMs - startScript) / speed;
          if (due > Date.now()) await sleep(due - Date.now());
        } else if (delivered % 50 === 0) {
          // Let sockets drain and clients read between bursts.
          await sleep(0);
        }
        if (waitForJoin)
          await waitUntil(() => channelsOf().has(entry.channel), 60_000, `a client in #${entry.channel}`);
        if (deliver(entry.channel, entry.line) > 0) delivered++;
        if (!dropped && playOptions.dropAfter !== undefined && delivered >= playOptions.dropAfter) {
          dropped = true;
          // Every line delivered so far reaches the client before the connection goes, so the
          // test can tell a worker that loses buffered events from a fixture that lost lines.
          while ([...sockets.keys()].some((s) => s.writableLength > 0)) await sleep(5);
          await sleep(20);
          dropConnections();
        }
      }
      return { delivered };
    },
    dropConnections,
    sync(timeoutMs = 10_000) {
      const token = `sync-${++syncSerial}`;
      const waiting = new Set<number>();
      for (const [socket, client] of sockets) {
        if (client.registered && write(socket, `PING :${token}`)) waiting.add(client.id);
      }
      if (waiting.size === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          pongWaiters.delete(token);
          reject(new Error('IRC fixture: timed out waiting for PONG'));
        }, timeoutMs);
        pongWaiters.set(token, (id) => {
          waiting.delete(id);
          if (waiting.size > 0) return;
          clearTimeout(timer);
          pongWaiters.delete(token);
          resolve();
        });
      });
    },
    maxJoinsInWindow(windowMs = 10_000) {
      const times = joins.map((j) => j.atMs).sort((a, b) => a - b);
      let max = 0;
      let start = 0;
      for (let end = 0; end < times.length; end++) {
        while (times[end]! - times[start]! >= windowMs) start++;
        max = Math.max(max, end - start + 1);
      }
      return max;
    },
    close() {
      dropConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
