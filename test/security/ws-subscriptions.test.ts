/**
 * L5: a WebSocket connection of the price stream holds at most 100 token subscriptions, and a
 * client that asks for more is told so. Both transports: the WebSocket function on API Gateway
 * (connection table on dynalite) and the local `/ws/prices` server.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { DynamoDbConnectionStore } from '../../layers/shared/src/adapters/aws/ws-connections.ts';
import { startPriceStreamServer } from '../../local/price-stream-server.ts';
import { platformFromEnv } from '../fixtures/platform.ts';
import { startWsGateway, type WsGateway, wsEvent } from '../fixtures/ws-gateway.ts';

const tokens = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `0x${(from + i).toString(16).padStart(40, '0')}`);

let gateway: WsGateway;
let wsHandler: (event: APIGatewayProxyWebsocketEventV2) => Promise<{ statusCode: number }>;

beforeAll(async () => {
  gateway = await startWsGateway();
  wsHandler = (await import('../../functions/api/ws-prices/index.ts')).handler.on(platformFromEnv());
});
afterAll(() => gateway.close());

describe('price stream subscriptions under attack', () => {
  it('a WebSocket connection on API Gateway cannot hold unbounded subscriptions', async () => {
    await wsHandler(wsEvent('$connect', 'conn-greedy'));
    for (let round = 0; round < 10; round++) {
      await wsHandler(
        wsEvent('subscribe', 'conn-greedy', { action: 'subscribe', tokens: tokens(1 + round * 50, 50) }),
      );
    }

    const store = new DynamoDbConnectionStore(
      new DynamoDBClient({
        endpoint: process.env['DYNAMODB_ENDPOINT'] as string,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
      'ws-connections',
    );
    const held = (await store.topicsOf('conn-greedy')).filter((topic) => topic.startsWith('0x'));
    expect(held.sort()).toEqual(tokens(1, 100));
    const answers = (gateway.pushed.get('conn-greedy') ?? []) as { type: string; message?: string }[];
    expect(answers.filter((answer) => answer.type === 'subscribed')).toHaveLength(2);
    const refusals = answers.filter((answer) => answer.type === 'error');
    expect(refusals).toHaveLength(8);
    expect(refusals[0]?.message).toMatch(/at most 100 subscriptions per connection/);
  });

  it('a local stream connection cannot hold unbounded subscriptions', async () => {
    const server = await startPriceStreamServer();
    const client = new WebSocket(server.url);
    try {
      const received: { type: string; tokens?: string[]; message?: string }[] = [];
      await new Promise<void>((resolve, reject) => {
        client.once('open', resolve);
        client.once('error', reject);
      });
      client.on('message', (data) => received.push(JSON.parse(data.toString())));
      for (let round = 0; round < 10; round++) {
        client.send(JSON.stringify({ action: 'subscribe', tokens: tokens(1 + round * 100, 100) }));
      }
      await expect.poll(() => received.length).toBe(10);
      const beyond = tokens(1 + 9 * 100, 1)[0] as string;
      const delivered = server.hub.publish({
        type: 'PriceUpdated',
        chainId: 31337,
        tokenAddress: beyond,
        poolAddress: beyond,
        quoteToken: beyond,
        price: '1',
        priceX112: '1',
        blockNumber: 1,
        timestamp: 1,
      });

      expect(received[0]).toEqual({ type: 'subscribed', tokens: tokens(1, 100) });
      expect(received.slice(1).map((answer) => answer.type)).toEqual(Array(9).fill('error'));
      expect(received[1]?.message).toMatch(/at most 100 subscriptions per connection/);
      expect(delivered).toBe(0);
    } finally {
      client.terminate();
      await server.close();
    }
  });
});
