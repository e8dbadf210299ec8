/**
 * Every POST route of lib/functions.ts, fuzzed through its real handler (and the real authorizer
 * where API Gateway runs one) with inputs generated from and around its contract
 * (functions/api/contract/): no answer is a 5xx, and a refused request writes nothing (no row of
 * any table, no queue message, no domain event). Most cases carry a valid credential of the kind
 * the route takes, so they reach validation instead of stopping at a 401. A route added to the
 * registry is fuzzed without touching this file; one without a contract, or with a kind of
 * credential no factory here makes, fails it.
 *
 * FUZZ_SEED=<n> replays a run; FUZZ_ROUTE_CASES sets the cases shared by the routes.
 */
import { Wallet } from 'ethers';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { RouteContract } from '../../functions/api/contract/route-contract.ts';
import { API_ROUTES } from '../../functions/api/contract/routes.ts';
import type { HttpEvent, HttpResult } from '../../functions/api/http.ts';
import { FUNCTIONS, type FunctionSpec, type HttpRoute } from '../../lib/functions.ts';
import { type BodyPlan, bodiesAround, type FuzzBody, textsAround } from '../fixtures/fuzz-mutations.ts';
import { FUZZ_DEPLOYMENT, type FuzzPlatform, startFuzzPlatform } from '../fixtures/fuzz-platform.ts';
import { makeHttpEvent } from '../fixtures/http-event.ts';
import { siweMessage } from '../fixtures/market-api.ts';
import { authorizeAt, signInThroughTwitch } from '../fixtures/twitch-sign-in.ts';
import { makeWallet, WalletBindingClient } from '../fixtures/wallet-binding-client.ts';

vi.hoisted(() => {
  // Ten thousand refusals are logged otherwise; the logger reads its level once, when imported.
  process.env['LOG_LEVEL'] = 'SILENT';
});

type Handler = (event: HttpEvent) => Promise<HttpResult>;

interface PostRoute {
  readonly key: string;
  readonly spec: FunctionSpec;
  readonly route: HttpRoute;
  readonly contract: RouteContract | undefined;
}

const POST_ROUTES: readonly PostRoute[] = FUNCTIONS.flatMap((spec) =>
  spec.trigger.kind === 'http'
    ? spec.trigger.routes
        .filter((route) => route.method === 'POST')
        .map((route) => {
          const key = `${route.method} ${route.path}`;
          return { key, spec, route, contract: API_ROUTES[key] };
        })
    : [],
);

/** Route fields that say nothing about the credential a request needs. */
const PLAIN_ROUTE_FIELDS = new Set(['method', 'path', 'auth', 'throttle']);

const TOTAL_CASES = Number(process.env['FUZZ_ROUTE_CASES'] ?? 6_000);
/** Routes that take a credential get twice the cases: they have two gates to get through. */
const weightOf = (r: PostRoute) =>
  r.contract !== undefined && credentialKind(r.route, r.contract) !== 'none' ? 2 : 1;
const CASE_UNIT =
  TOTAL_CASES /
  Math.max(
    POST_ROUTES.reduce((sum, r) => sum + weightOf(r), 0),
    1,
  );
const casesFor = (r: PostRoute) => Math.ceil(CASE_UNIT * weightOf(r));
const SEED = process.env['FUZZ_SEED'] === undefined ? undefined : Number(process.env['FUZZ_SEED']);

/**
 * Writes a refused request makes on purpose: a one-time credential is spent by any attempt, so a
 * leaked or guessed one cannot be tried again.
 */
const SPENT_WHEN_REFUSED: Readonly<Record<string, readonly string[]>> = {
  // the sign-in's state: a state and a code are good for one attempt
  'POST /auth/twitch/session': ['UPDATE attention.twitch_auth_states'],
  // a wrong SMS code spends one of the code's attempts, so six digits cannot be guessed
  'POST /api/notifications/verify/sms': ['UPDATE market.contact_verifications'],
};

/**
 * The kind of credential a route takes: the authorizer's (`apiKey`, `admin`), one the handler
 * checks itself (the contract's `session`), or any other marker the registry puts on a route.
 */
function credentialKind(route: HttpRoute, contract: RouteContract): string {
  const markers = Object.keys(route).filter((field) => !PLAIN_ROUTE_FIELDS.has(field));
  if (markers.length > 0) return markers.sort().join('+');
  if (route.auth !== 'none') return route.auth;
  return contract.session ?? 'none';
}

/** A valid credential: the headers that present it, and a body only its holder can sign. */
interface Credential {
  readonly headers: Record<string, string>;
  readonly signedBody?: () => unknown;
}

interface CredentialFactory {
  valid(): Promise<Credential>;
  /** Headers of a credential that must be refused: another kind's, a made-up one. */
  readonly forged: readonly Record<string, string>[];
}

/**
 * Bodies that are themselves a credential, for routes that take one in the body: made fresh per
 * case, since each is good for one use.
 */
type BodyCredentials = Record<string, () => Promise<unknown>>;

let platform: FuzzPlatform;
let factories: Record<string, CredentialFactory>;
let bodyCredentials: BodyCredentials;

const statuses = new Map<string, Map<number, number>>();
const withCredential = new Map<string, number>();

beforeAll(async () => {
  platform = await startFuzzPlatform();
  const walletsHandler = await platform.handlerOf<Handler>(specServing('POST /auth/twitch/session'));
  const client = new WalletBindingClient(walletsHandler, platform.twitch, FUZZ_DEPLOYMENT);
  // Sessions of a few viewers, used in turn: a bind ends a viewer's rebinding rights, not their session.
  const viewers = await Promise.all(
    ['fuzz_viewer_a', 'fuzz_viewer_b', 'fuzz_viewer_c', 'fuzz_viewer_d'].map((login) =>
      signInThroughTwitch(walletsHandler, platform.twitch, login),
    ),
  );
  let turn = 0;
  const forged = [
    { 'x-api-key': 'ingest_forged' },
    { authorization: 'Bearer forged-token' },
    { authorization: `Bearer ${platform.ingestApiKey}` },
    { 'x-api-key': platform.adminToken },
    { authorization: 'Basic YWRtaW46YWRtaW4=' },
  ];
  factories = {
    none: { valid: async () => ({ headers: {} }), forged: [] },
    apiKey: { valid: async () => ({ headers: { 'x-api-key': platform.ingestApiKey } }), forged },
    admin: { valid: async () => ({ headers: { authorization: `Bearer ${platform.adminToken}` } }), forged },
    viewer: {
      async valid() {
        const viewer = viewers[turn++ % viewers.length] as (typeof viewers)[number];
        return {
          headers: { authorization: `Bearer ${viewer.session}` },
          signedBody: () => client.signedBody(viewer, makeWallet()),
        };
      },
      forged,
    },
  };
  // Market users: Sign-In with Ethereum through the sign-in routes, a nonce per message.
  const marketHandler = await platform.handlerOf<Handler>(specServing('POST /api/auth/session'));
  let sources = 0;
  const signInCall = (key: string, body?: unknown) => {
    const [method, path] = key.split(' ') as [string, string];
    return marketHandler({
      ...makeHttpEvent({
        method,
        path,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        // nonces are capped per source address
        sourceIp: `10.${(sources >> 16) & 255}.${(sources >> 8) & 255}.${sources++ & 255}`,
      }),
      routeKey: key,
    });
  };
  const siweBody = async () => {
    const issued = await signInCall('POST /api/auth/nonce');
    if (issued.statusCode !== 201)
      throw new Error(`POST /api/auth/nonce answered ${issued.statusCode}: ${issued.body}`);
    const offer = JSON.parse(issued.body) as { nonce: string; domain: string; uri: string; chainId: number };
    const wallet = Wallet.createRandom();
    const message = siweMessage({ ...offer, address: wallet.address, issuedAt: new Date().toISOString() });
    return { message, signature: await wallet.signMessage(message) };
  };
  const marketSessions = await Promise.all(
    [0, 1, 2, 3].map(async () => {
      const answer = await signInCall('POST /api/auth/session', await siweBody());
      if (answer.statusCode !== 201)
        throw new Error(`market sign-in answered ${answer.statusCode}: ${answer.body}`);
      return (JSON.parse(answer.body) as { token: string }).token;
    }),
  );
  factories['market'] = {
    valid: async () => ({
      headers: { authorization: `Bearer ${marketSessions[turn++ % marketSessions.length]}` },
    }),
    forged: [...forged, { authorization: `Bearer ${viewers[0]?.session}` }],
  };
  let signIns = 0;
  bodyCredentials = {
    'POST /auth/twitch/session': () =>
      authorizeAt(walletsHandler, platform.twitch, `fuzz_login_${signIns++}`),
    'POST /api/auth/session': siweBody,
  };
});

afterAll(async () => {
  const lines = [...statuses].map(([key, byStatus]) => {
    const total = [...byStatus.values()].reduce((a, b) => a + b, 0);
    const shown = [...byStatus].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`);
    return `  ${key}: ${total} cases, ${withCredential.get(key) ?? 0} with a valid credential; ${shown.join(' ')}`;
  });
  const all = [...statuses.values()].reduce(
    (sum, byStatus) => sum + [...byStatus.values()].reduce((a, b) => a + b, 0),
    0,
  );
  const credentialed = [...withCredential.values()].reduce((a, b) => a + b, 0);
  lines.push(`  all routes: ${all} cases, ${credentialed} with a valid credential`);
  if (lines.length > 1) console.info(`POST route fuzz:\n${lines.join('\n')}`);
  await platform?.stop();
});

describe('POST routes under fuzzing', () => {
  it('every POST route in the registry has a contract and a credential factory', () => {
    expect(POST_ROUTES.length).toBeGreaterThan(0);
    for (const { key, route, contract } of POST_ROUTES) {
      expect(contract, `${key} has no contract in functions/api/contract/`).toBeDefined();
      if (contract === undefined) continue;
      const kind = credentialKind(route, contract);
      expect(factories[kind], `${key} takes a credential of kind "${kind}": add its factory`).toBeDefined();
    }
  });

  for (const target of POST_ROUTES) {
    const runs = casesFor(target);
    it(`${target.key}: ${runs} fuzzed requests, no 5xx, nothing written when refused`, async () => {
      const { contract } = target;
      if (contract === undefined) throw new Error(`${target.key} has no contract`);
      const factory = factories[credentialKind(target.route, contract)];
      if (factory === undefined) throw new Error(`${target.key}: no credential factory`);
      const handler = await platform.handlerOf<Handler>(target.spec);
      const counts = new Map<number, number>();
      statuses.set(target.key, counts);
      const needsCredential = factory.forged.length > 0;
      const cases = fc.record({
        body: bodiesAround(contract.body?.schema ?? z.object({})),
        params: textsAround(contract.params ?? z.object({})),
        headers: textsAround(contract.headers ?? z.object({})),
        // A valid credential four times in five where the route takes one.
        credential: fc.oneof(
          { weight: 8, arbitrary: fc.constant('valid') },
          { weight: 1, arbitrary: fc.constant('forged') },
          { weight: 1, arbitrary: fc.constant('missing') },
        ),
        forgedPick: fc.nat(),
        signed: fc.boolean(),
        sourceIp: fc.ipV4(),
      });
      let mark = await platform.writeMark();
      const queues = target.spec.sends ?? [];
      const queueDepths = () => Promise.all(queues.map((q) => platform.queueDepth(q)));
      let depths = await queueDepths();
      await fc.assert(
        fc.asyncProperty(cases, async (input) => {
          const presents = !needsCredential ? 'valid' : input.credential;
          const credential = presents === 'valid' ? await factory.valid() : undefined;
          const credentialHeaders =
            presents === 'valid'
              ? (credential?.headers ?? {})
              : presents === 'forged'
                ? (factory.forged[input.forgedPick % factory.forged.length] ?? {})
                : {};
          const body = await bodyFor(target.key, input.body, input.signed ? credential : undefined);
          // Issuing a body credential (a sign-in's state) writes before the request is made.
          if (body.issued) mark = await platform.writeMark();
          const events = platform.bus.events.length;
          const status = await send(target, handler, {
            body,
            params: input.params.values,
            headers: { ...input.headers.values, ...credentialHeaders },
            sourceIp: input.sourceIp,
          });
          counts.set(status.code, (counts.get(status.code) ?? 0) + 1);
          if (process.env['FUZZ_DEBUG'] !== undefined && body.label.endsWith('valid'))
            console.info(target.key, input.credential, body.label, status.code, status.detail.slice(0, 160));
          if ((presents === 'valid' && needsCredential) || body.credentialed)
            withCredential.set(target.key, (withCredential.get(target.key) ?? 0) + 1);
          const what = `${target.key} with ${presents} credential, body ${body.label}, params ${input.params.label}`;
          expect(status.code, `${what} answered ${status.code}: ${status.detail}`).toBeLessThan(500);
          if (needsCredential && presents !== 'valid') {
            expect(status.code, `${what} was accepted without a valid credential`).toBeGreaterThanOrEqual(
              400,
            );
          }
          // Refused by the authorizer: no handler ran, so there is nothing of it to check.
          if (!status.handled) return;
          const after = await platform.writeMark();
          const depthsAfter = await queueDepths();
          if (status.code >= 400) {
            const spent = SPENT_WHEN_REFUSED[target.key] ?? [];
            const writes = (after > mark ? await platform.writesSince(mark) : []).filter(
              (write) => !spent.includes(`${write.op} ${write.table}`),
            );
            expect(writes, `${what} was refused (${status.code}) yet wrote`).toEqual([]);
            expect(depthsAfter, `${what} was refused (${status.code}) yet enqueued`).toEqual(depths);
            expect(platform.bus.events.length, `${what} was refused yet announced an event`).toBe(events);
          }
          mark = after;
          depths = depthsAfter;
        }),
        { numRuns: runs, endOnFailure: true, ...(SEED === undefined ? {} : { seed: SEED }) },
      );
      expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(runs);
    }, 180_000);
  }

  it('at least half of the cases carried a valid credential, so they reached validation', () => {
    const all = [...statuses.values()].reduce(
      (sum, byStatus) => sum + [...byStatus.values()].reduce((a, b) => a + b, 0),
      0,
    );
    const credentialed = [...withCredential.values()].reduce((a, b) => a + b, 0);
    expect(all).toBeGreaterThan(0);
    expect(credentialed / all).toBeGreaterThanOrEqual(0.5);
  });
});

/** The function that serves `key` (`POST /api/auth/session`). */
function specServing(key: string): FunctionSpec {
  const spec = FUNCTIONS.find(
    (candidate) =>
      candidate.trigger.kind === 'http' &&
      candidate.trigger.routes.some((route) => `${route.method} ${route.path}` === key),
  );
  if (spec === undefined) throw new Error(`no function serves ${key}`);
  return spec;
}

/** The generated body, or one signed with the case's credential, or a body credential, then mutated. */
async function bodyFor(
  key: string,
  generated: BodyPlan,
  credential: Credential | undefined,
): Promise<FuzzBody & { issued: boolean; credentialed: boolean }> {
  const issue = bodyCredentials[key];
  if (issue !== undefined && generated.rebase)
    return { ...generated.render(await issue()), issued: true, credentialed: true };
  if (credential?.signedBody !== undefined && generated.rebase)
    return { ...generated.render(credential.signedBody()), issued: false, credentialed: true };
  return { ...generated.render(), issued: false, credentialed: false };
}

async function send(
  target: PostRoute,
  handler: Handler,
  request: {
    body: FuzzBody;
    params: Record<string, string>;
    headers: Record<string, string>;
    sourceIp: string;
  },
): Promise<{ code: number; detail: string; handled: boolean }> {
  const path = target.route.path.replace(/\{([a-zA-Z0-9_]+)\+?\}/g, (_all, name: string) =>
    encodedSegment(request.params[name] ?? ''),
  );
  const text = request.body.text;
  const event: HttpEvent = {
    ...makeHttpEvent({
      method: 'POST',
      path,
      body:
        text === undefined ? undefined : request.body.base64 ? Buffer.from(text).toString('base64') : text,
      headers: request.headers,
      pathParameters: request.params,
      sourceIp: request.sourceIp,
    }),
    routeKey: target.key,
    isBase64Encoded: request.body.base64,
  };
  if (target.route.auth !== 'none') {
    const answer = await platform.authorize(event);
    // API Gateway answers 403 itself when its authorizer refuses, and never calls the handler.
    if (!answer.isAuthorized) return { code: 403, detail: 'refused by the authorizer', handled: false };
    event.requestContext = {
      ...event.requestContext,
      authorizer: { lambda: answer.context ?? {} },
    } as HttpEvent['requestContext'];
  }
  try {
    const result = await handler(event);
    return { code: result.statusCode, detail: result.body.slice(0, 300), handled: true };
  } catch (error) {
    // Lambda's own 502 when a handler throws.
    return { code: 502, detail: `handler threw: ${(error as Error).stack ?? String(error)}`, handled: true };
  }
}

/** A path segment as a client would send it; one that cannot be encoded (a lone surrogate) goes raw. */
function encodedSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value;
  }
}
