/**
 * The local runtime answers browsers as API Gateway does with the stage's CORS configuration:
 * a page from a configured origin gets its preflight answered and the responses it may read; a
 * page from any other origin gets no Access-Control-Allow-Origin, so its browser withholds them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../functions/platform.ts';
import { StaticSecretStore } from '../../layers/shared/src/adapters/aws/secrets-manager-store.ts';
import { type LocalHttpServer, localCorsPolicy, startHttpServer } from '../../local/http-server.ts';
import { ROUTES } from '../../local/routes.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

const PAGE = 'http://127.0.0.1:5999';
const FOREIGN = 'https://evil.example.com';
let http: LocalHttpServer;
let platform: Platform;

beforeAll(async () => {
  platform = platformFromEnv();
  http = await startHttpServer({
    routes: ROUTES,
    platform: Promise.resolve(platform),
    secrets: new StaticSecretStore({
      ingest: JSON.stringify({ keys: ['unused-ingest-key'] }),
      admin: JSON.stringify({ keys: ['unused-admin-token'] }),
    }),
    ingestKeysSecretId: 'ingest',
    adminTokensSecretId: 'admin',
    cors: localCorsPolicy({ CLAIMS_PAGE_EXTRA_ORIGINS: `${PAGE}, https://claims.example.com` }, ROUTES),
  });
});

afterAll(async () => {
  await http.close();
  await platform.close();
});

const preflight = (origin: string, method: string, path: string) =>
  fetch(`${http.url}${path}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization,content-type',
    },
  });

describe('CORS on the local runtime', () => {
  it("answers a configured page's preflight for a credentialed route with its methods and headers", async () => {
    const response = await preflight(PAGE, 'POST', '/claims/viewer_one/transactions');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(response.headers.get('access-control-allow-methods')?.split(',')).toEqual(
      expect.arrayContaining(['GET', 'POST', 'PUT', 'DELETE']),
    );
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
  });

  it("gives a foreign page's preflight no Access-Control-Allow-Origin", async () => {
    const response = await preflight(FOREIGN, 'POST', '/claims/viewer_one/transactions');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('lets a configured page read an answer and withholds it from a foreign one', async () => {
    const mine = await fetch(`${http.url}/openapi.json`, { headers: { origin: PAGE } });
    expect(mine.status).toBe(200);
    expect(mine.headers.get('access-control-allow-origin')).toBe(PAGE);
    const theirs = await fetch(`${http.url}/openapi.json`, { headers: { origin: FOREIGN } });
    expect(theirs.status).toBe(200);
    expect(theirs.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('adds the header to a refusal too, so the page can show why', async () => {
    const response = await fetch(`${http.url}/admin/audit`, { headers: { origin: PAGE } });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE);
  });

  it('refuses a wildcard origin in the configuration', () => {
    expect(() => localCorsPolicy({ CLAIMS_PAGE_EXTRA_ORIGINS: '*' }, ROUTES)).toThrow(/wildcard/);
  });
});
