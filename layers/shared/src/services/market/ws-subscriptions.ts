/**
 * The price stream on AWS: API Gateway WebSocket connections and their token subscriptions in
 * DynamoDB (one item per connection and topic; index ByTopic finds a token's subscribers), and
 * each PriceUpdated pushed to them through the API's management endpoint. A connection that is
 * gone (410) is forgotten; one slow or broken connection never stops the others. A connection
 * follows at most MAX_SUBSCRIPTIONS_PER_CONNECTION tokens; a request past it adds nothing.
 */
import { z } from 'zod';
import type { PriceUpdatedEvent } from '../../core/events/domain-events.ts';
import {
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  subscriptionCapMessage,
} from '../../core/market/stream-subscriptions.ts';
import { ValidationError } from '../../errors.ts';

/** The item every connection has from $connect on, beside its token subscriptions. */
export const CONNECTION_TOPIC = '#connection';
/** Idle connections and their subscriptions expire (API Gateway closes idle sockets after 10 min). */
export const CONNECTION_TTL_SECONDS = 2 * 60 * 60;
export const MAX_TOKENS_PER_SUBSCRIBE = 50;

export type SubscribeOutcome =
  | { readonly admitted: true }
  | { readonly admitted: false; readonly held: number; readonly adding: number };

export interface ConnectionStore {
  put(connectionId: string, topics: readonly string[], expiresAt: number): Promise<void>;
  remove(connectionId: string, topics: readonly string[]): Promise<void>;
  topicsOf(connectionId: string): Promise<string[]>;
  subscribersOf(topic: string): Promise<string[]>;
  /**
   * Adds token topics unless the connection would then follow more than `cap` tokens, in which
   * case nothing is added. Requests racing on one connection never pass the cap together.
   */
  subscribe(
    connectionId: string,
    tokens: readonly string[],
    cap: number,
    expiresAt: number,
  ): Promise<SubscribeOutcome>;
  /** Removes token topics, giving their room back. */
  unsubscribe(connectionId: string, tokens: readonly string[]): Promise<void>;
  /** Moves the expiry of every item of the connection. */
  touch(connectionId: string, expiresAt: number): Promise<void>;
}

export interface ConnectionPusher {
  /** Resolves false when the connection is gone. */
  push(connectionId: string, message: unknown): Promise<boolean>;
}

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed token address')
  .transform((a) => a.toLowerCase());

const clientMessage = z.discriminatedUnion('action', [
  z.object({ action: z.literal('subscribe'), tokens: z.array(address).min(1).max(MAX_TOKENS_PER_SUBSCRIBE) }),
  z.object({
    action: z.literal('unsubscribe'),
    tokens: z.array(address).min(1).max(MAX_TOKENS_PER_SUBSCRIBE),
  }),
  z.object({ action: z.literal('ping') }),
]);

export type ClientMessage = z.infer<typeof clientMessage>;

export function parseClientMessage(body: string | undefined): ClientMessage {
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch {
    throw new ValidationError('message must be JSON: {"action": "subscribe" | "unsubscribe" | "ping", ...}');
  }
  const parsed = clientMessage.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export interface WsDeps {
  readonly store: ConnectionStore;
  readonly pusher: ConnectionPusher;
  readonly nowMs: () => number;
}

const expiry = (deps: WsDeps) => Math.floor(deps.nowMs() / 1000) + CONNECTION_TTL_SECONDS;

export async function onConnect(deps: WsDeps, connectionId: string): Promise<void> {
  await deps.store.put(connectionId, [CONNECTION_TOPIC], expiry(deps));
}

export async function onDisconnect(deps: WsDeps, connectionId: string): Promise<void> {
  await deps.store.remove(connectionId, await deps.store.topicsOf(connectionId));
}

/** Handles one client message; the answer goes back on the same connection. */
export async function onMessage(deps: WsDeps, connectionId: string, body: string | undefined): Promise<void> {
  let message: ClientMessage;
  try {
    message = parseClientMessage(body);
  } catch (error) {
    await deps.pusher.push(connectionId, { type: 'error', message: (error as Error).message });
    return;
  }
  if (message.action === 'subscribe') {
    const outcome = await deps.store.subscribe(
      connectionId,
      message.tokens,
      MAX_SUBSCRIPTIONS_PER_CONNECTION,
      expiry(deps),
    );
    await deps.pusher.push(
      connectionId,
      outcome.admitted
        ? { type: 'subscribed', tokens: message.tokens }
        : { type: 'error', message: subscriptionCapMessage(outcome.held, outcome.adding) },
    );
  } else if (message.action === 'unsubscribe') {
    await deps.store.unsubscribe(connectionId, message.tokens);
    await deps.pusher.push(connectionId, { type: 'unsubscribed', tokens: message.tokens });
  } else {
    // The heartbeat keeps the connection's items alive as well as the socket.
    await deps.store.touch(connectionId, expiry(deps));
    await deps.pusher.push(connectionId, { type: 'pong', at: deps.nowMs() });
  }
}

export interface BroadcastResult {
  readonly subscribers: number;
  readonly delivered: number;
  readonly gone: number;
  readonly failed: number;
}

/** Pushes one PriceUpdated to every subscriber of its token. */
export async function broadcastPrice(deps: WsDeps, event: PriceUpdatedEvent): Promise<BroadcastResult> {
  const topic = event.tokenAddress.toLowerCase();
  const subscribers = await deps.store.subscribersOf(topic);
  const { type: _type, ...price } = event;
  const message = { type: 'price', ...price };
  let delivered = 0;
  let gone = 0;
  let failed = 0;
  await Promise.all(
    subscribers.map(async (connectionId) => {
      try {
        if (await deps.pusher.push(connectionId, message)) delivered++;
        else {
          gone++;
          await deps.store.remove(connectionId, await deps.store.topicsOf(connectionId));
        }
      } catch {
        failed++;
      }
    }),
  );
  return { subscribers: subscribers.length, delivered, gone, failed };
}
