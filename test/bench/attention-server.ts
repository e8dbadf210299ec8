/**
 * A server process for the claims benchmark (test/bench/attention.bench.ts), so the load
 * generator and the server do not share one event loop:
 *   node --import tsx test/bench/attention-server.ts local    the local HTTP server (DATABASE_URL)
 *   node --import tsx test/bench/attention-server.ts static   node:http answering one fixed body
 * Prints `{ "url": ... }` on its first stdout line once listening; stops on SIGTERM.
 *
 * Both listen with an accept backlog of 4,096: with node's default of 511, part of a burst of
 * 1,000 new connections is not accepted in time and its first requests time out after 10 s
 * (measured: ~50–1,000 timeouts a run against the local server, none with the larger backlog).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StaticSecretStore } from '../../layers/shared/src/adapters/aws/secrets-manager-store.ts';
import { startHttpServer } from '../../local/http-server.ts';
import { ROUTES } from '../../local/routes.ts';

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
  const http = await startHttpServer({
    routes: ROUTES,
    secrets,
    ingestKeysSecretId: 'ingest',
    adminTokensSecretId: 'admin',
  });
  url = http.url;
  close = async () => {
    await http.close();
    const { resetDependencies } = await import('../../functions/dependencies.ts');
    await resetDependencies();
  };
} else {
  throw new Error('usage: attention-server.ts local|static');
}
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.once('SIGTERM', () => {
  close().finally(() => process.exit(0));
});
