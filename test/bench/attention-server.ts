/**
 * A server process for the claims benchmark (test/bench/attention.bench.ts), so the load
 * generator and the server do not share one event loop:
 *   node --import tsx test/bench/attention-server.ts local    the local HTTP server (DATABASE_URL)
 *   node --import tsx test/bench/attention-server.ts static   node:http answering one fixed body
 * Prints `{ "url": ... }` on its first stdout line once listening; stops on SIGTERM.
 *
 * Both listen with an accept backlog of 4,096, so a burst of 1,000 new connections fits in the
 * kernel's queue (node's default is 511). Taking them out of the queue is up to the event loop,
 * one per turn: the local server keeps its turns short (TurnQueue in local/http-server.ts);
 * before it did, 150–1,700 requests a run timed out on connections it had not accepted yet.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StaticSecretStore } from '../../layers/shared/src/adapters/aws/secrets-manager-store.ts';
import { startHttpServer } from '../../local/http-server.ts';
import { ROUTES } from '../../local/routes.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

/** About the size of a claim answer with a 10-hash proof. */
const STATIC_BODY = JSON.stringify({
  index: 517,
  amount: '1300000000',
  id: 'a'.repeat(64),
  claimer: '9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin',
  proof: Array.from({ length: 10 }, () => `0x${'b'.repeat(64)}`),
  root: `0x${'c'.repeat(64)}`,
  format: 'claim-v1',
  publication: {
    status: 'pending',
    mode: 'memo',
    mint: null,
    signature: null,
    slot: null,
    publishedAt: null,
  },
});

const BACKLOG = 4096;
const mode = process.argv[2];
let close: () => Promise<void>;
let url: string;
if (mode === 'static') {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(STATIC_BODY);
  });
  server.keepAliveTimeout = 65_000;
  server.maxConnections = 20_000;
  await new Promise<void>((resolve) =>
    server.listen({ port: 0, host: '127.0.0.1', backlog: BACKLOG }, resolve),
  );
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
} else if (mode === 'local') {
  const secrets = new StaticSecretStore({
    ingest: '{"keys":["bench-ingest"]}',
    admin: '{"keys":["bench-admin"]}',
  });
  const platform = platformFromEnv();
  const http = await startHttpServer({
    routes: ROUTES,
    platform: Promise.resolve(platform),
    secrets,
    ingestKeysSecretId: 'ingest',
    adminTokensSecretId: 'admin',
  });
  url = http.url;
  close = async () => {
    await http.close();
    await platform.close();
  };
} else {
  throw new Error('usage: attention-server.ts local|static');
}
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.once('SIGTERM', () => {
  close().finally(() => process.exit(0));
});
