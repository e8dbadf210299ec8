import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyWebsocketEventV2, EventBridgeEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PriceUpdatedEvent } from '../../layers/shared/src/ports/event-bus.ts';
import { freePort } from '../../local/ports.ts';

const TOKEN_A = '0x00000000000000000000000000000000000000aa';
const TOKEN_B = '0x00000000000000000000000000000000000000bb';

let dynalite: Server;
let management: Server;
/** What the fake management API received, per connection. */
const pushed = new Map<string, unknown[]>();
let wsHandler: (event: APIGatewayProxyWebsocketEventV2) => Promise<{ statusCode: number }>;
let broadcast: (
  event: EventBridgeEvent<'PriceUpdated', PriceUpdatedEvent>,
) => Promise<{ delivered: number; gone: number }>;

function wsEvent(routeKey: string, connectionId: string, body?: unknown): APIGatewayProxyWebsocketEventV2 {
  return {
    requestContext: { routeKey, connectionId },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyWebsocketEventV2;
}

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
  const require = createRequire(import.meta.url);
  const start = require('dynalite') as (options: { createTableMs: number }) => Server;
  dynalite = start({ createTableMs: 0 });
  const dynamoPort = await freePort();
  await new Promise<void>((resolve) => dynalite.listen(dynamoPort, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${dynamoPort}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await client.send(
    new CreateTableCommand({
      TableName: 'ws-connections',
      KeySchema: [
        { AttributeName: 'connectionId', KeyType: 'HASH' },
        { AttributeName: 'topic', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'connectionId', AttributeType: 'S' },
        { AttributeName: 'topic', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'ByTopic',
          KeySchema: [
            { AttributeName: 'topic', KeyType: 'HASH' },
            { AttributeName: 'connectionId', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  client.destroy();

  management = createServer((req, res) => {
    const id = decodeURIComponent((req.url ?? '').replace('/@connections/', ''));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (id.startsWith('gone')) {
        res.writeHead(410, { 'content-type': 'application/json' }).end('{"message":"Gone"}');
        return;
      }
      pushed.set(id, [...(pushed.get(id) ?? []), JSON.parse(Buffer.concat(chunks).toString())]);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => management.listen(0, '127.0.0.1', () => resolve()));

  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: endpoint,
    WS_CONNECTIONS_TABLE: 'ws-connections',
    WS_CALLBACK_URL: `http://127.0.0.1:${(management.address() as AddressInfo).port}`,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    LOG_LEVEL: 'SILENT',
  });
  ({ handler: wsHandler } = await import('../../functions/api/ws-prices/index.ts'));
  ({ handler: broadcast } = await import('../../functions/api/ws-broadcast/index.ts'));
});

afterAll(async () => {
  await new Promise<void>((resolve) => management.close(() => resolve()));
  await new Promise<void>((resolve) => dynalite.close(() => resolve()));
});

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
      (pushed.get(id) ?? [])
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
    const last = (pushed.get('conn-2') ?? []).slice(-3) as { type: string; message?: string }[];
    expect(last[0]?.type).toBe('pong');
    expect(last[1]).toEqual({ type: 'error', message: 'tokens.0: must be a 0x-prefixed token address' });
    expect(last[2]?.message).toContain('message must be JSON');
  });
});
