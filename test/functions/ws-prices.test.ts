import type { APIGatewayProxyWebsocketEventV2, EventBridgeEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PriceUpdatedEvent } from '../../layers/shared/src/core/events/domain-events.ts';
import { platformFromEnv } from '../fixtures/platform.ts';
import { startWsGateway, type WsGateway, wsEvent } from '../fixtures/ws-gateway.ts';

const TOKEN_A = '0x00000000000000000000000000000000000000aa';
const TOKEN_B = '0x00000000000000000000000000000000000000bb';

let gateway: WsGateway;
let wsHandler: (event: APIGatewayProxyWebsocketEventV2) => Promise<{ statusCode: number }>;
let broadcast: (
  event: EventBridgeEvent<'PriceUpdated', PriceUpdatedEvent>,
) => Promise<{ delivered: number; gone: number }>;

function priceEvent(token: string, price: string): EventBridgeEvent<'PriceUpdated', PriceUpdatedEvent> {
  return {
    'detail-type': 'PriceUpdated',
    detail: {
      type: 'PriceUpdated',
      chainId: 31337,
      tokenAddress: token,
      poolAddress: TOKEN_B,
      quoteToken: TOKEN_B,
      price,
      priceX112: '1',
      blockNumber: 7,
      timestamp: 1,
    },
  } as unknown as EventBridgeEvent<'PriceUpdated', PriceUpdatedEvent>;
}

beforeAll(async () => {
  gateway = await startWsGateway();
  const platform = platformFromEnv();
  wsHandler = (await import('../../functions/api/ws-prices/index.ts')).handler.on(platform);
  broadcast = (await import('../../functions/api/ws-broadcast/index.ts')).handler.on(platform);
});

afterAll(() => gateway.close());

describe('the WebSocket price stream on API Gateway', () => {
  it('delivers each price only to the connections subscribed to its token, and forgets gone ones', async () => {
    for (const id of ['conn-1', 'conn-2', 'gone-1']) await wsHandler(wsEvent('$connect', id));
    await wsHandler(
      wsEvent('subscribe', 'conn-1', {
        action: 'subscribe',
        tokens: [TOKEN_A.toUpperCase().replace('0X', '0x')],
      }),
    );
    await wsHandler(wsEvent('subscribe', 'conn-2', { action: 'subscribe', tokens: [TOKEN_A, TOKEN_B] }));
    await wsHandler(wsEvent('subscribe', 'gone-1', { action: 'subscribe', tokens: [TOKEN_A] }));

    expect(await broadcast(priceEvent(TOKEN_A, '1.5'))).toMatchObject({ delivered: 2, gone: 1 });
    expect(await broadcast(priceEvent(TOKEN_B, '2.5'))).toMatchObject({ delivered: 1, gone: 0 });
    const prices = (id: string) =>
      (gateway.pushed.get(id) ?? [])
        .filter((m) => (m as { type: string }).type === 'price')
        .map((m) => (m as { price: string }).price);
    expect(prices('conn-1')).toEqual(['1.5']);
    expect(prices('conn-2')).toEqual(['1.5', '2.5']);
    // The gone connection's subscriptions were removed: the next price does not try it again.
    expect(await broadcast(priceEvent(TOKEN_A, '1.6'))).toMatchObject({ delivered: 2, gone: 0 });
  });

  it('stops delivering after unsubscribe and $disconnect', async () => {
    await wsHandler(wsEvent('unsubscribe', 'conn-2', { action: 'unsubscribe', tokens: [TOKEN_B] }));
    expect(await broadcast(priceEvent(TOKEN_B, '2.6'))).toMatchObject({ delivered: 0 });
    await wsHandler(wsEvent('$disconnect', 'conn-1'));
    expect(await broadcast(priceEvent(TOKEN_A, '1.7'))).toMatchObject({ delivered: 1 });
  });

  it('answers a heartbeat, and names what is wrong with a bad message', async () => {
    await wsHandler(wsEvent('ping', 'conn-2', { action: 'ping' }));
    await wsHandler(wsEvent('subscribe', 'conn-2', { action: 'subscribe', tokens: ['not-an-address'] }));
    await wsHandler(wsEvent('$default', 'conn-2', 'not json'));
    const last = (gateway.pushed.get('conn-2') ?? []).slice(-3) as { type: string; message?: string }[];
    expect(last[0]?.type).toBe('pong');
    expect(last[1]).toEqual({ type: 'error', message: 'tokens.0: must be a 0x-prefixed token address' });
    expect(last[2]?.message).toContain('message must be JSON');
  });

  it('gives room back on unsubscribe and keeps the count through heartbeats', async () => {
    const tokens = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => `0x${(from + i).toString(16).padStart(40, '0')}`);
    await wsHandler(wsEvent('$connect', 'conn-full'));
    await wsHandler(wsEvent('subscribe', 'conn-full', { action: 'subscribe', tokens: tokens(1, 50) }));
    await wsHandler(wsEvent('subscribe', 'conn-full', { action: 'subscribe', tokens: tokens(51, 50) }));
    await wsHandler(wsEvent('ping', 'conn-full', { action: 'ping' }));
    await wsHandler(wsEvent('subscribe', 'conn-full', { action: 'subscribe', tokens: tokens(101, 1) }));
    await wsHandler(wsEvent('unsubscribe', 'conn-full', { action: 'unsubscribe', tokens: tokens(1, 10) }));
    // Already held tokens take no room; ten new ones fit again, the eleventh does not.
    await wsHandler(wsEvent('subscribe', 'conn-full', { action: 'subscribe', tokens: tokens(11, 5) }));
    await wsHandler(wsEvent('subscribe', 'conn-full', { action: 'subscribe', tokens: tokens(101, 10) }));
    await wsHandler(wsEvent('subscribe', 'conn-full', { action: 'subscribe', tokens: tokens(111, 1) }));

    const answers = (gateway.pushed.get('conn-full') ?? []) as { type: string; message?: string }[];
    expect(answers.map((answer) => answer.type)).toEqual([
      'subscribed',
      'subscribed',
      'pong',
      'error',
      'unsubscribed',
      'subscribed',
      'subscribed',
      'error',
    ]);
    expect(answers[3]?.message).toBe(
      'tokens: this connection follows 100 tokens and asked for 1 more, but holds at most 100 subscriptions per connection; unsubscribe from some first',
    );
  });

  it('never lets subscribe requests racing on one connection pass the cap together', async () => {
    await wsHandler(wsEvent('$connect', 'conn-race'));
    await Promise.all(
      Array.from({ length: 8 }, (_, round) =>
        wsHandler(
          wsEvent('subscribe', 'conn-race', {
            action: 'subscribe',
            tokens: Array.from(
              { length: 40 },
              (_, i) => `0x${(1000 + round * 40 + i).toString(16).padStart(40, '0')}`,
            ),
          }),
        ),
      ),
    );
    const answers = (gateway.pushed.get('conn-race') ?? []) as { type: string }[];
    const admitted = answers.filter((answer) => answer.type === 'subscribed').length;
    expect(admitted).toBeLessThanOrEqual(2);
    expect(admitted + answers.filter((answer) => answer.type === 'error').length).toBe(8);
  });
});
