/**
 * A local stand-in for the AIR credential API: the two routes the adapter calls, an API key
 * check, and setters so a test or the local runtime can issue, revoke and expire credentials.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FixtureCredential {
  id: string;
  holder: string;
  status: 'active' | 'revoked' | 'expired' | 'suspended';
  issued: number;
  expires: number | null;
  tier: string;
}

export interface AirFixtureServer {
  readonly url: string;
  readonly apiKey: string;
  readonly credentials: Map<string, FixtureCredential>;
  /** Requests served, by path. */
  readonly requests: string[];
  set(credential: FixtureCredential): void;
  setStatus(id: string, status: FixtureCredential['status']): void;
  close(): Promise<void>;
}

export async function startAirFixtureServer(
  options: { apiKey?: string; credentials?: FixtureCredential[] } = {},
): Promise<AirFixtureServer> {
  const apiKey = options.apiKey ?? 'local-air-key';
  const credentials = new Map((options.credentials ?? []).map((credential) => [credential.id, credential]));
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    requests.push(path);
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.headers['x-api-key'] !== apiKey) return send(401, { error: 'invalid api key' });
    if (request.method !== 'GET') return send(405, { error: 'method not allowed' });
    if (path === '/credentials') return send(200, { credentials: [...credentials.values()] });
    const match = /^\/credentials\/([^/]+)$/.exec(path);
    if (match !== null) {
      const credential = credentials.get(decodeURIComponent(match[1]!));
      return credential === undefined ? send(404, { error: 'not found' }) : send(200, credential);
    }
    return send(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    credentials,
    requests,
    set: (credential) => credentials.set(credential.id, credential),
    setStatus: (id, status) => {
      const credential = credentials.get(id);
      if (credential !== undefined) credential.status = status;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
