/**
 * One HTTP server for every route, translating node requests into API Gateway HTTP API
 * (payload v2) events and calling the same handlers the Lambdas export. Auth is checked here
 * as the authorizer does on AWS, and the credential's name handed on in the same place.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { HttpEvent, HttpResult } from '../functions/api/http.ts';
import type { Entry } from '../functions/handlers.ts';
import type { Platform } from '../functions/platform.ts';
import type { SecretStore } from '../layers/shared/src/ports/secret-store.ts';
import {
  authorize,
  type Credential,
  type CredentialContext,
  KeyRing,
} from '../layers/shared/src/services/platform/api-auth.ts';
import { type CorsPolicy, corsHeaders, corsPolicy, isPreflight, parseOriginList } from '../lib/cors.ts';
import type { StaticFile } from './claims-page-files.ts';
import { asFunction } from './function-databases.ts';
import type { RouteSpec } from './routes.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAX_BODY = 1_048_576 * 2;

type RouteHandler = Entry<HttpEvent, HttpResult> | ((event: HttpEvent) => Promise<HttpResult>);

/** A factory-built handler on the runtime's platform; a plain function as it is. */
function onPlatform(handler: RouteHandler, platform: Platform): (event: HttpEvent) => Promise<HttpResult> {
  return 'on' in handler ? handler.on(platform) : handler;
}

interface CompiledRoute {
  readonly spec: RouteSpec;
  readonly pattern: RegExp;
  readonly params: string[];
}

export interface LocalHttpServerOptions {
  readonly routes: readonly RouteSpec[];
  /**
   * What the handlers run on (functions/platform.ts); awaited at a route's first request.
   */
  readonly platform: Promise<Platform>;
  readonly secrets: SecretStore;
  readonly ingestKeysSecretId: string;
  readonly adminTokensSecretId: string;
  readonly port?: number;
  /** Requests started per event-loop turn. @default REQUESTS_PER_TURN */
  readonly requestsPerTurn?: number;
  /** Browser origins answered for CORS, as API Gateway answers them. @default none */
  readonly cors?: CorsPolicy;
}

/**
 * The local runtime's CORS: the pages CLAIMS_PAGE_EXTRA_ORIGINS names (http allowed, for pages
 * served from another local port). The claims page itself is served on the API's origin.
 */
export function localCorsPolicy(
  env: Readonly<Record<string, string | undefined>>,
  routes: readonly RouteSpec[],
): CorsPolicy {
  return corsPolicy(parseOriginList(env['CLAIMS_PAGE_EXTRA_ORIGINS'], { allowHttp: true }), routes);
}

export interface LocalHttpServer {
  readonly url: string;
  readonly server: Server;
  /** Routes whose handler module exists in this checkout. */
  readonly routes: readonly RouteSpec[];
  /** Serves `files` (URL path → file) on GET, with `headers`, where no route matches the path. */
  serveFiles(files: ReadonlyMap<string, StaticFile>, headers: Record<string, string>): void;
  close(): Promise<void>;
}

export async function startHttpServer(options: LocalHttpServerOptions): Promise<LocalHttpServer> {
  const available = options.routes.filter((r) => existsSync(`${ROOT}/${r.module}`));
  const compiled = available.map(compile);
  // Loaded here, not at the top: the logger takes its level when first loaded, and the local
  // runtime sets LOG_LEVEL after it has loaded this module, before it starts the server.
  const { powertoolsTelemetry } = await import('../layers/shared/src/observability.ts');
  const ringDeps = { secrets: options.secrets, telemetry: powertoolsTelemetry };
  const keyRings: Record<Exclude<Credential, never>, KeyRing> = {
    ingest: new KeyRing(ringDeps, options.ingestKeysSecretId),
    admin: new KeyRing(ringDeps, options.adminTokensSecretId),
  };
  const handlers = new Map<string, Promise<(event: HttpEvent) => Promise<HttpResult>>>();
  const load = (spec: RouteSpec) => {
    let handler = handlers.get(spec.module);
    if (handler === undefined) {
      handler = Promise.all([
        import(pathToFileURL(`${ROOT}/${spec.module}`).href) as Promise<{ handler: RouteHandler }>,
        options.platform,
      ]).then(([m, platform]) => {
        const run = onPlatform(m.handler, platform);
        return spec.function === undefined ? run : asFunction(spec.function, run);
      });
      handlers.set(spec.module, handler);
    }
    return handler;
  };

  let staticFiles: { files: ReadonlyMap<string, StaticFile>; headers: Record<string, string> } | undefined;
  const turns = new TurnQueue(options.requestsPerTurn ?? REQUESTS_PER_TURN);
  const server = createServer((req, res) => {
    turns.push(() =>
      handle(req, res).catch((error: unknown) => {
        sendResult(res, {
          statusCode: 500,
          body: JSON.stringify({ error: { code: 'INTERNAL', message: String(error) } }),
        });
      }),
    );
  });
  server.keepAliveTimeout = 65_000;
  server.maxConnections = 20_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const cors =
      options.cors === undefined ? {} : corsHeaders(options.cors, { method, headers: flatHeaders(req) });
    // API Gateway answers every preflight itself, before any route or authorizer.
    if (options.cors !== undefined && isPreflight({ method, headers: flatHeaders(req) })) {
      res.writeHead(204, cors);
      res.end();
      return;
    }
    const send = (response: ServerResponse, result: HttpResult) =>
      sendResult(response, { ...result, headers: { ...result.headers, ...cors } });
    let pathMatched = false;
    for (const route of compiled) {
      const match = route.pattern.exec(url.pathname);
      if (match === null) continue;
      pathMatched = true;
      if (route.spec.method !== method) continue;
      const body = await readBody(req);
      if (body === undefined) {
        return send(res, errorBody(413, 'PAYLOAD_TOO_LARGE', `request body exceeds ${MAX_BODY} bytes`));
      }
      const headers = flatHeaders(req);
      let credential: CredentialContext | undefined;
      if (route.spec.auth !== 'none') {
        credential = await authorize(keyRings, route.spec.auth, headers);
        if (credential === undefined) {
          const what =
            route.spec.auth === 'ingest'
              ? 'an ingest API key (x-api-key)'
              : 'an admin token (Authorization: Bearer)';
          return send(res, errorBody(401, 'UNAUTHORIZED', `this route needs ${what}`));
        }
      }
      const pathParameters: Record<string, string> = {};
      route.params.forEach((name, i) => {
        pathParameters[name] = match[i + 1] ?? '';
      });
      const event = toEvent(req, url, body, headers, route.spec, pathParameters, credential);
      const handler = await load(route.spec);
      return send(res, await handler(event));
    }
    const file = pathMatched ? undefined : staticFiles?.files.get(url.pathname);
    if (file !== undefined && (method === 'GET' || method === 'HEAD')) {
      res.writeHead(200, { ...staticFiles?.headers, 'content-type': file.contentType });
      res.end(method === 'HEAD' ? undefined : file.body);
      return;
    }
    if (pathMatched)
      return send(res, errorBody(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname}`));
    return send(res, errorBody(404, 'NOT_FOUND', `no route for ${method} ${url.pathname}`));
  }

  await new Promise<void>((resolve) =>
    server.listen({ port: options.port ?? 0, host: '127.0.0.1', backlog: 4096 }, resolve),
  );
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    routes: available,
    serveFiles(files, headers) {
      staticFiles = { files, headers };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * How many requests the server starts per turn of the event loop. libuv accepts one new
 * connection per turn (since 1.45, Node 20), so a turn that runs every request that arrived
 * starves the accept queue: under 1,000 keep-alive connections a turn ran ~50 ms of handlers,
 * the server took in 20–50 connections a second and the rest timed out unanswered in the
 * kernel's queue. Starting a bounded number per turn keeps turns to a few milliseconds.
 */
export const REQUESTS_PER_TURN = 16;

/** Runs queued work `perTurn` items per event-loop turn, in arrival order. */
export class TurnQueue {
  readonly #items: (() => unknown)[] = [];
  #head = 0;
  #scheduled = false;

  constructor(private readonly perTurn: number) {
    if (!Number.isInteger(perTurn) || perTurn < 1)
      throw new Error(`requests per turn must be a positive integer, got ${perTurn}`);
  }

  push(item: () => unknown): void {
    this.#items.push(item);
    this.#schedule();
  }

  get pending(): number {
    return this.#items.length - this.#head;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#run());
  }

  #run(): void {
    this.#scheduled = false;
    const end = Math.min(this.#items.length, this.#head + this.perTurn);
    while (this.#head < end) {
      const item = this.#items[this.#head] as () => unknown;
      this.#items[this.#head++] = undefined as unknown as () => unknown;
      item();
    }
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    } else {
      this.#schedule();
    }
  }
}

function compile(spec: RouteSpec): CompiledRoute {
  const params: string[] = [];
  const source = spec.path.replace(/\{([a-zA-Z0-9_]+)(\+?)\}/g, (_all, name: string, greedy: string) => {
    params.push(name);
    return greedy === '+' ? '(.+)' : '([^/]+)';
  });
  return { spec, pattern: new RegExp(`^${source}$`), params };
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(',') : value;
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  body: string,
  headers: Record<string, string>,
  spec: RouteSpec,
  pathParameters: Record<string, string>,
  credential: CredentialContext | undefined,
): HttpEvent {
  const now = Date.now();
  const queryStringParameters: Record<string, string> = {};
  for (const [key, value] of url.searchParams) queryStringParameters[key] = value;
  return {
    version: '2.0',
    routeKey: `${spec.method} ${spec.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters,
    pathParameters,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      requestId: randomUUID(),
      routeKey: `${spec.method} ${spec.path}`,
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
      http: {
        method: spec.method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: headers['x-forwarded-for']?.split(',')[0]?.trim() ?? req.socket.remoteAddress ?? 'unknown',
        userAgent: headers['user-agent'] ?? '',
      },
      // Where API Gateway puts a Lambda authorizer's context.
      ...(credential === undefined ? {} : { authorizer: { lambda: { ...credential } } }),
    },
  } as HttpEvent;
}

function errorBody(statusCode: number, code: string, message: string): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error: { code, message } }),
  };
}

function sendResult(res: ServerResponse, result: HttpResult): void {
  if (res.headersSent) return;
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(result.headers ?? {})) headers[key] = String(value);
  res.writeHead(result.statusCode, headers);
  res.end(result.body);
}
