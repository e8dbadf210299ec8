/**
 * The live price stream (`WS /ws/prices`): clients subscribe to tokens and receive each
 * PriceUpdated for them, once and in publish order, with a per-token sequence number so a client
 * can tell a gap. An update is serialized and UTF-8 encoded once and the same bytes go to every
 * subscriber. A
 * client that does not keep up (its unsent bytes pass `maxBufferedBytes`) is dropped instead of
 * buffered without bound, so one slow reader never holds back or exhausts memory for the others.
 * The transport is behind `StreamConnection`: a local WebSocket server, or API Gateway's
 * WebSocket API on AWS.
 */
import { z } from 'zod';
import type { PriceUpdatedEvent } from '../../core/events/domain-events.ts';
import {
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  newTokens,
  subscriptionCapMessage,
} from '../../core/market/stream-subscriptions.ts';

export interface StreamConnection {
  readonly id: string;
  /** One text frame: a string, or its UTF-8 bytes (encoded once for all subscribers of an update). */
  send(text: string | Uint8Array): void;
  /** Bytes accepted by send() that have not reached the network yet. */
  bufferedAmount(): number;
  /** Ends the connection at once, dropping whatever is still buffered. */
  drop(reason: string): void;
}

const clientMessage = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('subscribe'),
    tokens: z
      .array(z.string().regex(/^0x[0-9a-fA-F]{40}$/))
      .min(1)
      .max(100),
  }),
  z.object({ action: z.literal('unsubscribe'), tokens: z.array(z.string()).min(1).max(100) }),
  z.object({ action: z.literal('ping') }),
]);

export interface PriceStreamOptions {
  /** Unsent bytes above which a client counts as too slow and is dropped. @default 1 MiB */
  readonly maxBufferedBytes?: number;
}

export interface PriceStreamStats {
  readonly connections: number;
  readonly published: number;
  readonly delivered: number;
  readonly droppedSlow: number;
}

export class PriceStreamHub {
  private readonly connections = new Map<string, { connection: StreamConnection; tokens: Set<string> }>();
  private readonly subscribers = new Map<string, Set<StreamConnection>>();
  private readonly sequence = new Map<string, number>();
  private readonly maxBufferedBytes: number;
  private published = 0;
  private delivered = 0;
  private droppedSlow = 0;

  constructor(options: PriceStreamOptions = {}) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
  }

  connect(connection: StreamConnection): void {
    this.connections.set(connection.id, { connection, tokens: new Set() });
  }

  disconnect(id: string): void {
    const entry = this.connections.get(id);
    if (entry === undefined) return;
    for (const token of entry.tokens) {
      const set = this.subscribers.get(token);
      set?.delete(entry.connection);
      if (set?.size === 0) this.subscribers.delete(token);
    }
    this.connections.delete(id);
  }

  /** Handles one client frame; answers acks and errors on the same connection. */
  receive(id: string, text: string): void {
    const entry = this.connections.get(id);
    if (entry === undefined) return;
    let parsed: z.infer<typeof clientMessage>;
    try {
      const result = clientMessage.safeParse(JSON.parse(text));
      if (!result.success) {
        const issue = result.error.issues[0];
        entry.connection.send(
          JSON.stringify({
            type: 'error',
            message: `${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}`,
          }),
        );
        return;
      }
      parsed = result.data;
    } catch {
      entry.connection.send(JSON.stringify({ type: 'error', message: 'message: not JSON' }));
      return;
    }
    if (parsed.action === 'ping') {
      entry.connection.send(JSON.stringify({ type: 'pong' }));
      return;
    }
    const tokens = parsed.tokens.map((token) => token.toLowerCase());
    if (parsed.action === 'subscribe') {
      const adding = newTokens(entry.tokens, tokens).length;
      if (entry.tokens.size + adding > MAX_SUBSCRIPTIONS_PER_CONNECTION) {
        const message = subscriptionCapMessage(entry.tokens.size, adding);
        entry.connection.send(JSON.stringify({ type: 'error', message }));
        return;
      }
    }
    for (const token of tokens) {
      if (parsed.action === 'subscribe') {
        entry.tokens.add(token);
        let set = this.subscribers.get(token);
        if (set === undefined) {
          set = new Set();
          this.subscribers.set(token, set);
        }
        set.add(entry.connection);
      } else {
        entry.tokens.delete(token);
        this.subscribers.get(token)?.delete(entry.connection);
      }
    }
    entry.connection.send(
      JSON.stringify({
        type: parsed.action === 'subscribe' ? 'subscribed' : 'unsubscribed',
        tokens: [...entry.tokens].sort(),
      }),
    );
  }

  publish(update: PriceUpdatedEvent): number {
    const token = update.tokenAddress.toLowerCase();
    const seq = (this.sequence.get(token) ?? 0) + 1;
    this.sequence.set(token, seq);
    this.published++;
    const set = this.subscribers.get(token);
    if (set === undefined || set.size === 0) return 0;
    const frame = Buffer.from(
      JSON.stringify({
        type: 'price',
        seq,
        token,
        pool: update.poolAddress,
        quote: update.quoteToken,
        price: update.price,
        blockNumber: update.blockNumber,
        timestamp: update.timestamp,
      }),
    );
    let sent = 0;
    for (const connection of [...set]) {
      if (connection.bufferedAmount() > this.maxBufferedBytes) {
        this.droppedSlow++;
        this.disconnect(connection.id);
        connection.drop('slow consumer');
        continue;
      }
      connection.send(frame);
      sent++;
    }
    this.delivered += sent;
    return sent;
  }

  stats(): PriceStreamStats {
    return {
      connections: this.connections.size,
      published: this.published,
      delivered: this.delivered,
      droppedSlow: this.droppedSlow,
    };
  }
}
