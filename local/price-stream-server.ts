/**
 * The local `WS /ws/prices` endpoint: a WebSocket server on 127.0.0.1 feeding the price stream
 * hub. Heartbeat: the server pings every `heartbeatMs`; a client that has not answered the
 * previous ping is terminated (a half-open TCP connection would otherwise stay subscribed).
 * On AWS the same hub logic runs behind API Gateway's WebSocket API with a DynamoDB connection
 * table (that adapter is not written yet).
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import {
  PriceStreamHub,
  type PriceStreamOptions,
} from '../layers/shared/src/services/market/price-stream.ts';

export interface PriceStreamServerOptions extends PriceStreamOptions {
  readonly port?: number;
  /** @default 30000 */
  readonly heartbeatMs?: number;
  readonly hub?: PriceStreamHub;
}

export interface PriceStreamServer {
  readonly url: string;
  readonly port: number;
  readonly hub: PriceStreamHub;
  close(): Promise<void>;
}

interface FrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
}
// ws's frame builder; @types/ws does not declare it.
const { Sender } = createRequire(import.meta.url)('ws') as {
  Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] };
};

const framed = new WeakMap<Uint8Array, Buffer>();

/** The WebSocket text frame (unmasked, server to client) carrying `payload`, built once per payload. */
function textFrame(payload: Uint8Array): Buffer {
  let frame = framed.get(payload);
  if (frame === undefined) {
    const parts = Sender.frame(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), {
      fin: true,
      opcode: 1,
      mask: false,
      readOnly: true,
      rsv1: false,
    });
    frame = Buffer.concat(parts);
    framed.set(payload, frame);
  }
  return frame;
}

export async function startPriceStreamServer(
  options: PriceStreamServerOptions = {},
): Promise<PriceStreamServer> {
  const hub = options.hub ?? new PriceStreamHub(options);
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: options.port ?? 0,
    path: '/ws/prices',
    perMessageDeflate: false,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const alive = new WeakMap<WebSocket, boolean>();
  server.on('connection', (socket) => {
    const id = randomUUID();
    alive.set(socket, true);
    hub.connect({
      id,
      send: (text) => {
        if (socket.readyState !== WebSocket.OPEN) return;
        const raw = (socket as unknown as { _socket?: Socket })._socket;
        if (typeof text === 'string' || raw === undefined) {
          socket.send(text, { binary: false });
          return;
        }
        // One update's bytes go to every subscriber: frame them once and write the same buffer to
        // each socket. Safe because the server does not compress, so ws writes synchronously and
        // nothing of its own can be queued between these writes.
        raw.write(textFrame(text));
      },
      bufferedAmount: () => socket.bufferedAmount,
      // close() would queue the close frame behind the backlog the client is not reading.
      drop: () => socket.terminate(),
    });
    socket.on('pong', () => alive.set(socket, true));
    socket.on('message', (data) => hub.receive(id, data.toString()));
    socket.on('close', () => hub.disconnect(id));
    socket.on('error', () => hub.disconnect(id));
  });
  const heartbeat = setInterval(() => {
    for (const socket of server.clients) {
      if (alive.get(socket) === false) {
        socket.terminate();
        continue;
      }
      alive.set(socket, false);
      socket.ping();
    }
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/ws/prices`,
    port,
    hub,
    close: async () => {
      clearInterval(heartbeat);
      for (const socket of server.clients) socket.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
