import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type OpenApiDocument, openApiDocument } from '../../functions/api/contract/openapi.ts';
import { errorBody } from '../../functions/api/contract/route-contract.ts';
import { API_ROUTES } from '../../functions/api/contract/routes.ts';
import type { HttpResult } from '../../functions/api/http.ts';
import type { MarketDependencies } from '../../functions/market-dependencies.ts';
import { RateLimitedError, ValidationError } from '../../layers/shared/src/errors.ts';
import { FUNCTIONS, type FunctionSpec, type HttpRoute, REPO_ROOT } from '../../lib/functions.ts';
import { makeHttpEvent } from '../fixtures/http-event.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

const httpRoutes: HttpRoute[] = FUNCTIONS.flatMap((f) => (f.trigger.kind === 'http' ? f.trigger.routes : []));
const SECURITY = { none: [], apiKey: [{ IngestApiKey: [] }], admin: [{ AdminToken: [] }] } as const;

interface Operation {
  security?: unknown;
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { required?: boolean };
  responses: Record<string, unknown>;
}

let document: OpenApiDocument;
const operation = (route: Pick<HttpRoute, 'method' | 'path'>) =>
  (document.paths?.[route.path] as Record<string, Operation> | undefined)?.[route.method.toLowerCase()];

beforeAll(() => {
  document = openApiDocument();
});

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(JSON.stringify(document)) as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('describes every route of the registry with its method, path and the security of its auth', () => {
    expect(httpRoutes.length).toBeGreaterThan(30);
    for (const route of httpRoutes) {
      const op = operation(route);
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      // Routes API Gateway lets through may still need a credential their handler checks.
      const session = API_ROUTES[`${route.method} ${route.path}`]?.session;
      const expected =
        route.auth === 'none' && session === 'viewer'
          ? [{ ViewerSession: [] }]
          : route.auth === 'none' && session === 'market'
            ? [{ MarketSession: [] }]
            : SECURITY[route.auth];
      expect(op?.security, `${route.method} ${route.path}`).toEqual(expected);
      if (route.auth !== 'none')
        expect(Object.keys(op?.responses ?? {})).toEqual(expect.arrayContaining(['401', '403']));
      if (session === 'market') expect(Object.keys(op?.responses ?? {})).toContain('401');
    }
    const documented = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(httpRoutes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('names the credentials the authorizer reads, and the sessions handlers check', () => {
    expect(document.components?.securitySchemes).toEqual({
      IngestApiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-api-key' }),
      AdminToken: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      ViewerSession: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      MarketSession: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    expect(operation({ method: 'POST', path: '/wallets/bind' })?.security).toEqual([{ ViewerSession: [] }]);
    expect(operation({ method: 'POST', path: '/api/notifications/subscribe' })?.security).toEqual([
      { MarketSession: [] },
    ]);
  });

  it('lists each path parameter of a route as required, and only those', () => {
    for (const route of httpRoutes) {
      const inPath = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const documented = (operation(route)?.parameters ?? []).filter((p) => p.in === 'path');
      expect(documented.map((p) => p.name).sort(), `${route.method} ${route.path}`).toEqual(inPath.sort());
      expect(documented.every((p) => p.required === true)).toBe(true);
    }
  });

  it('documents a 400 for every route that reads input, and the error shape for every 4xx the handler sends', () => {
    for (const [key, contract] of Object.entries(API_ROUTES)) {
      const reads = [contract.params, contract.query, contract.headers, contract.body].some(
        (s) => s !== undefined,
      );
      if (reads) expect(contract.errors, key).toHaveProperty('400');
    }
    expect(JSON.stringify(operation({ method: 'GET', path: '/epochs' })?.responses['400'])).toContain(
      '#/components/schemas/Error',
    );
  });

  it('describes the error body every OracleError answers with', () => {
    const invalid = new ValidationError('limit: too big', { details: { field: 'limit', issues: [] } });
    expect(errorBody.strict().safeParse(invalid.toJSON()).success).toBe(true);
    expect(errorBody.safeParse(new RateLimitedError('slow down', 3).toJSON()).success).toBe(true);
    expect(errorBody.safeParse({ message: 'Forbidden' }).success).toBe(false);
  });

  it('refuses to be generated for a route without a contract, or a contract of no route', () => {
    const extra: FunctionSpec = {
      name: 'Undocumented',
      entry: 'functions/api/undocumented/index.ts',
      stack: 'api',
      system: 'core',
      description: 'a route nobody described',
      trigger: { kind: 'http', routes: [{ method: 'GET', path: '/undocumented', auth: 'none' }] },
    };
    expect(() => openApiDocument([...FUNCTIONS, extra])).toThrow(
      'routes without a contract: GET /undocumented',
    );
    const withoutHealth = FUNCTIONS.filter((f) => f.name !== 'HealthApi');
    expect(() => openApiDocument(withoutHealth)).toThrow('contracts of no registered route: GET /health');
  });
});

describe('GET /openapi.json', () => {
  it('commits the document the registry and the contracts generate now', () => {
    const committed: unknown = JSON.parse(
      readFileSync(join(REPO_ROOT, 'functions/api/openapi/openapi.json'), 'utf8'),
    );
    // Stale: run `npm run docs:openapi` and commit functions/api/openapi/openapi.json.
    expect(committed).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it('serves the document', async () => {
    const { handler } = await import('../../functions/api/openapi/index.ts');
    const result = await handler.on(platformFromEnv())(makeHttpEvent({ path: '/openapi.json' }));
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(result.body)).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it('is printed by `oracle openapi`', async () => {
    const { run } = await import('../../bin/commands/openapi.ts');
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    try {
      expect(await run([])).toBe(0);
    } finally {
      write.mockRestore();
    }
    expect(JSON.parse(out.join(''))).toEqual(JSON.parse(JSON.stringify(document)));
  });
});

describe('a request its contract refuses', () => {
  const errorOf = (result: HttpResult) =>
    (JSON.parse(result.body) as { error: { code: string; message: string; details?: { field?: string } } })
      .error;

  it('answers 400 naming the body field, before the opt-out touches the database', async () => {
    const handler = (await import('../../functions/api/suppressions/index.ts')).handler.on(platformFromEnv());
    const post = (body: unknown) =>
      handler(makeHttpEvent({ method: 'POST', path: '/suppressions', body: JSON.stringify(body) }));
    const wrongType = await post({ user: 42 });
    expect(wrongType.statusCode).toBe(400);
    expect(errorOf(wrongType)).toMatchObject({ code: 'VALIDATION_FAILED', message: 'user must be a string' });
    const tooLong = await post({ user: 'alice_1', reason: 'x'.repeat(501) });
    expect(errorOf(tooLong).message).toBe('reason must be at most 500 characters');
    const extra = await post({ user: 'alice_1', note: 'hi' });
    expect(extra.statusCode).toBe(400);
    expect(errorOf(extra).message).toMatch(/^body: Unrecognized key\(s\) in object: 'note'/);
    const notJson = await handler(makeHttpEvent({ method: 'POST', path: '/suppressions', body: '{' }));
    expect(errorOf(notJson).message).toBe('request body is not valid JSON');
  });

  it('answers 400 naming the path or query parameter of a market route, before any query runs', async () => {
    // Dependencies that fail if touched: the contract refuses the request first.
    const untouchable = new Proxy({} as MarketDependencies, {
      get: (_target, name) => {
        throw new Error(`dependency ${String(name)} used`);
      },
    });
    const platform = platformFromEnv();
    const { handler: volume } = await import('../../functions/api/market/analytics-volume/index.ts');
    const badHours = await volume.on(
      platform,
      untouchable,
    )({
      ...makeHttpEvent({ query: { hours: '0' } }),
      pathParameters: { tokenAddress: `0x${'ab'.repeat(20)}` },
    });
    expect(badHours.statusCode).toBe(400);
    expect(errorOf(badHours)).toMatchObject({
      message: 'hours: Number must be greater than or equal to 1',
      details: { field: 'hours' },
    });
    const { handler: claimable } = await import('../../functions/api/market/generate-claimable/index.ts');
    const badAddress = await claimable.on(
      platform,
      untouchable,
    )({ ...makeHttpEvent({}), pathParameters: { address: '0x12' } });
    expect(errorOf(badAddress).message).toBe('address: expected a 0x-prefixed 20-byte address');
  });
});
