/**
 * The IRC worker (DESIGN.md section 5): holds one Twitch chat connection, joins and parts as
 * the tracked set changes (at most 20 JOINs per 10 s, Twitch's limit for normal accounts),
 * maps PRIVMSG, USERNOTICE and JOIN lines to signals with the core mapper, buffers them and
 * sends each buffer to the ingest queue every 30 s. Reconnects with backoff. A buffer is only
 * let go once the sink took all of it: a failed send puts the events back, and stop() flushes
 * before it returns, so a shutdown or a dropped connection loses nothing buffered.
 */
import { signalsFromIrcMessage } from '../../core/attention/irc-attribution.ts';
import { parseIrcLine } from '../../core/attention/irc-message.ts';
import { type IngestEvent, normalizeLogin } from '../../core/attention/signals.ts';
import type { ChatConnection, ChatConnector } from '../../ports/chat-connection.ts';
import type { EventSink } from '../../ports/event-sink.ts';

export interface IrcWorkerLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface IrcWorkerOptions {
  readonly connect: ChatConnector;
  readonly sink: EventSink;
  /** The channels to be in (from attention.channels, or any source); polled. */
  readonly trackedChannels: () => Promise<readonly string[]>;
  /** @default 60_000 */
  readonly pollIntervalMs?: number;
  /** @default 30_000 (the source's aggregation window) */
  readonly flushIntervalMs?: number;
  /** Flush early once this many events wait, to bound memory and message count. @default 20_000 */
  readonly flushAtEvents?: number;
  /** Twitch: 20 JOINs per 10 seconds for a normal account. */
  readonly joinsPerWindow?: number;
  /**
   * @default 11_000 — Twitch counts 10 s on its side; the extra second keeps network jitter
   * from bunching our joins into one of its windows.
   */
  readonly joinWindowMs?: number;
  /** Reconnect delay: base × 2^attempt, capped, with up to 20% jitter. @default 1_000 and 60_000 */
  readonly reconnectBaseMs?: number;
  readonly reconnectMaxMs?: number;
  /** Receive time for lines without `tmi-sent-ts` (JOINs). @default Date.now */
  readonly now?: () => number;
  readonly logger?: IrcWorkerLogger;
}

export interface IrcWorkerStats {
  lines: number;
  events: number;
  sent: number;
  sendFailures: number;
  connections: number;
  buffered: number;
}

const silent: IrcWorkerLogger = { info() {}, warn() {}, error() {} };

export class IrcWorker {
  private readonly options: Required<Omit<IrcWorkerOptions, 'logger'>> & { logger: IrcWorkerLogger };
  private connection: ChatConnection | undefined;
  private registered = false;
  private selfLogin: string | undefined;
  private stopping = false;
  private buffer: IngestEvent[] = [];
  private flushing: Promise<void> | undefined;
  private desired = new Set<string>();
  /** Channels we sent JOIN for on this connection (confirmed or not). */
  private joined = new Set<string>();
  private joinQueue: string[] = [];
  private joinTimes: number[] = [];
  private joinTimer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectAttempt = 0;
  private registeredWaiters: (() => void)[] = [];
  readonly stats: IrcWorkerStats = {
    lines: 0,
    events: 0,
    sent: 0,
    sendFailures: 0,
    connections: 0,
    buffered: 0,
  };

  constructor(options: IrcWorkerOptions) {
    this.options = {
      pollIntervalMs: 60_000,
      flushIntervalMs: 30_000,
      flushAtEvents: 20_000,
      joinsPerWindow: 20,
      joinWindowMs: 11_000,
      reconnectBaseMs: 1_000,
      reconnectMaxMs: 60_000,
      now: Date.now,
      ...options,
      logger: options.logger ?? silent,
    };
  }

  /** Connects and starts polling and flushing; resolves once the first connection registered. */
  async start(): Promise<void> {
    this.stopping = false;
    await this.refreshChannels();
    this.openConnection();
    this.flushTimer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.pollTimer = setInterval(() => void this.refreshChannels(), this.options.pollIntervalMs);
    await this.waitRegistered();
  }

  /** Stops reading, sends what is buffered (retrying until the sink takes it) and disconnects. */
  async stop(options: { flushAttempts?: number } = {}): Promise<void> {
    this.stopping = true;
    for (const timer of [this.flushTimer, this.pollTimer]) if (timer !== undefined) clearInterval(timer);
    for (const timer of [this.joinTimer, this.reconnectTimer]) if (timer !== undefined) clearTimeout(timer);
    this.connection?.quit();
    this.connection = undefined;
    const attempts = options.flushAttempts ?? 5;
    for (let i = 0; i < attempts && this.buffer.length + (this.flushing ? 1 : 0) > 0; i++) {
      await this.flush();
      if (this.buffer.length > 0) await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** i));
    }
    if (this.buffer.length > 0) {
      this.options.logger.error('stopped with events the queue did not take', { events: this.buffer.length });
    }
  }

  /** Events waiting to be sent. */
  get pending(): number {
    return this.buffer.length;
  }

  get channels(): ReadonlySet<string> {
    return this.joined;
  }

  /** Sends the buffer now; on failure the events stay buffered for the next flush. */
  flush(): Promise<void> {
    if (this.flushing !== undefined)
      return this.flushing.then(() => (this.buffer.length > 0 ? this.flush() : undefined));
    if (this.buffer.length === 0) return Promise.resolve();
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.options.sink
      .sendBatch(batch)
      .then(() => {
        this.stats.sent += batch.length;
      })
      .catch((error: unknown) => {
        // Put them back in front: nothing buffered is lost because a send failed.
        this.buffer = batch.concat(this.buffer);
        this.stats.sendFailures++;
        this.options.logger.warn('ingest send failed; events kept for the next flush', {
          events: batch.length,
          error: error instanceof Error ? error.message : String(error),
        });
      })
      .finally(() => {
        this.flushing = undefined;
        this.stats.buffered = this.buffer.length;
      });
    return this.flushing;
  }

  /** Re-reads the tracked set and joins or parts the difference. */
  async refreshChannels(): Promise<void> {
    let channels: readonly string[];
    try {
      channels = await this.options.trackedChannels();
    } catch (error) {
      this.options.logger.warn('could not read tracked channels; keeping the current set', {
        error: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    this.desired = new Set(
      channels.map((c) => normalizeLogin(c)).filter((c): c is string => c !== undefined),
    );
    this.reconcile();
  }

  private reconcile(): void {
    if (!this.registered || this.connection === undefined) return;
    for (const channel of [...this.joined]) {
      if (!this.desired.has(channel)) {
        this.connection.part(channel);
        this.joined.delete(channel);
      }
    }
    const queued = new Set(this.joinQueue);
    this.joinQueue = this.joinQueue.filter((c) => this.desired.has(c));
    for (const channel of [...this.desired].sort()) {
      if (!this.joined.has(channel) && !queued.has(channel)) this.joinQueue.push(channel);
    }
    this.pumpJoins();
  }

  private pumpJoins(): void {
    if (this.joinTimer !== undefined) return;
    const { joinsPerWindow, joinWindowMs } = this.options;
    while (this.joinQueue.length > 0 && this.connection !== undefined && this.registered) {
      const now = Date.now();
      this.joinTimes = this.joinTimes.filter((t) => now - t < joinWindowMs);
      if (this.joinTimes.length >= joinsPerWindow) {
        const wait = this.joinTimes[0]! + joinWindowMs - now;
        this.joinTimer = setTimeout(() => {
          this.joinTimer = undefined;
          this.pumpJoins();
        }, wait);
        return;
      }
      const channel = this.joinQueue.shift()!;
      this.joinTimes.push(now);
      this.joined.add(channel);
      this.connection.join(channel);
    }
  }

  private openConnection(): void {
    this.registered = false;
    this.joined = new Set();
    this.joinQueue = [];
    this.stats.connections++;
    this.connection = this.options.connect({
      onRegistered: (nick) => {
        this.registered = true;
        this.reconnectAttempt = 0;
        this.selfLogin = nick.toLowerCase();
        this.options.logger.info('connected to Twitch chat', { nick });
        for (const waiter of this.registeredWaiters.splice(0)) waiter();
        this.reconcile();
      },
      onLine: (line) => this.onLine(line),
      onClose: () => this.onClose(),
    });
  }

  private onLine(line: string): void {
    this.stats.lines++;
    const message = parseIrcLine(line);
    if (message === undefined) return;
    if (message.command === 'RECONNECT') {
      // Twitch announces maintenance with RECONNECT: leave and come back.
      this.connection?.quit();
      return;
    }
    if (message.command !== 'PRIVMSG' && message.command !== 'USERNOTICE' && message.command !== 'JOIN')
      return;
    const options = this.selfLogin === undefined ? {} : { selfLogin: this.selfLogin };
    const events = signalsFromIrcMessage(message, this.options.now(), options);
    if (events.length === 0) return;
    this.buffer.push(...events);
    this.stats.events += events.length;
    this.stats.buffered = this.buffer.length;
    if (this.buffer.length >= this.options.flushAtEvents) void this.flush();
  }

  private onClose(): void {
    this.connection = undefined;
    this.registered = false;
    if (this.joinTimer !== undefined) {
      clearTimeout(this.joinTimer);
      this.joinTimer = undefined;
    }
    if (this.stopping) return;
    const { reconnectBaseMs, reconnectMaxMs } = this.options;
    const delay =
      Math.min(reconnectMaxMs, reconnectBaseMs * 2 ** this.reconnectAttempt) * (1 + Math.random() * 0.2);
    this.reconnectAttempt++;
    this.options.logger.warn('Twitch chat connection closed; reconnecting', {
      attempt: this.reconnectAttempt,
      delayMs: Math.round(delay),
      buffered: this.buffer.length,
    });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopping) this.openConnection();
    }, delay);
  }

  private waitRegistered(): Promise<void> {
    if (this.registered) return Promise.resolve();
    return new Promise((resolve) => this.registeredWaiters.push(resolve));
  }
}
