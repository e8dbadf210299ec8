import { setImmediate } from 'node:timers';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { PriceUpdatedEvent } from '../../../layers/shared/src/core/events/domain-events.ts';
import { type PriceStreamServer, startPriceStreamServer } from '../../../local/price-stream-server.ts';

const TOKEN_A = '0x00000000000000000000000000000000000000aa';
const TOKEN_B = '0x00000000000000000000000000000000000000bb';

function priceUpdate(token: string, n: number, padding = 0): PriceUpdatedEvent {
  return {
    type: 'PriceUpdated',
    chainId: 31337,
    tokenAddress: token,
    poolAddress: `0x${'11'.repeat(20)}`,
    quoteToken: `0x${'22'.repeat(20)}`,
    price: `${n}.${'5'.repeat(padding)}`,
    priceX112: String(n),
    blockNumber: n,
    timestamp: 1_700_000_000 + n,
  };
}

interface Client {
  socket: WebSocket;
  messages: { type: string; seq?: number; token?: string; blockNumber?: number }[];
  closed: Promise<void>;
  waitFor(predicate: () => boolean): Promise<void>;
}

const servers: PriceStreamServer[] = [];
const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  for (const server of servers.splice(0)) await server.close();
});

async function start(options: Parameters<typeof startPriceStreamServer>[0] = {}): Promise<PriceStreamServer> {
  const server = await startPriceStreamServer(options);
  servers.push(server);
  return server;
}

async function connect(url: string, options: { autoPong?: boolean } = {}): Promise<Client> {
  const socket = new WebSocket(url, { autoPong: options.autoPong ?? true });
  const messages: Client['messages'] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data) => {
    messages.push(JSON.parse(data.toString()));
    for (const wake of waiters) wake();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const client: Client = {
    socket,
    messages,
    closed,
    waitFor: (predicate) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (predicate()) {
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        check();
      }),
  };
  clients.push(client);
  return client;
}

async function subscribe(client: Client, tokens: string[]): Promise<void> {
  const before = client.messages.length;
  client.socket.send(JSON.stringify({ action: 'subscribe', tokens }));
  await client.waitFor(() => client.messages.slice(before).some((m) => m.type === 'subscribed'));
}

const prices = (client: Client) => client.messages.filter((m) => m.type === 'price');

describe('WS /ws/prices', () => {
  it('delivers each update of a subscribed token once and in order, and nothing of other tokens', async () => {
    const server = await start();
    const client = await connect(server.url);
    await subscribe(client, [TOKEN_A]);

    for (let n = 1; n <= 200; n++) {
      server.hub.publish(priceUpdate(TOKEN_A, n));
      server.hub.publish(priceUpdate(TOKEN_B, n));
    }
    await client.waitFor(() => prices(client).length >= 200);
    // A marker after the burst: anything duplicated would have arrived before it.
    server.hub.publish(priceUpdate(TOKEN_A, 201));
    await client.waitFor(() => prices(client).length >= 201);

    const received = prices(client);
    expect(received).toHaveLength(201);
    expect(received.map((m) => m.seq)).toEqual(Array.from({ length: 201 }, (_, i) => i + 1));
    expect(received.every((m) => m.token === TOKEN_A)).toBe(true);
  });

  it('answers a malformed subscription with an error naming the field', async () => {
    const server = await start();
    const client = await connect(server.url);
    client.socket.send(JSON.stringify({ action: 'subscribe', tokens: ['not-an-address'] }));
    await client.waitFor(() => client.messages.length > 0);
    expect(client.messages[0]).toMatchObject({ type: 'error' });
    expect(JSON.stringify(client.messages[0])).toContain('tokens.0');
  });

  it('drops a client that stops reading while the others receive every update', async () => {
    const server = await start({ maxBufferedBytes: 1024 * 1024 });
    const fast = await connect(server.url);
    const slow = await connect(server.url);
    await subscribe(fast, [TOKEN_A]);
    await subscribe(slow, [TOKEN_A]);
    // The slow client stops reading from its socket: the server's send buffer for it fills up.
    (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();

    const total = 60_000;
    for (let n = 1; n <= total; n++) {
      server.hub.publish(priceUpdate(TOKEN_A, n, 400));
      // Updates arrive from I/O, not in one synchronous burst: let the sockets flush between them.
      if (n % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await fast.waitFor(() => prices(fast).length >= total);
    (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    await slow.closed;

    expect(prices(fast).map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(prices(slow).length).toBeLessThan(total);
    expect(server.hub.stats().droppedSlow).toBe(1);
  });

  it('terminates a client that does not answer heartbeats', async () => {
    const server = await start({ heartbeatMs: 50 });
    const silent = await connect(server.url, { autoPong: false });
    const healthy = await connect(server.url);
    await subscribe(healthy, [TOKEN_A]);

    await silent.closed;
    server.hub.publish(priceUpdate(TOKEN_A, 1));
    await healthy.waitFor(() => prices(healthy).length === 1);

    expect(healthy.socket.readyState).toBe(WebSocket.OPEN);
    expect(server.hub.stats().connections).toBe(1);
  });
});
