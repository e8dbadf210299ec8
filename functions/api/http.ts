/**
 * The HTTP edge shared by every API function: API Gateway HTTP API (payload v2) events in,
 * JSON out, each function built with `httpRoute` (../handlers.ts). Errors the platform raises on
 * purpose keep their status and code; anything else is logged with its stack and answered with a
 * plain 500 that leaks nothing.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import { requirePresentedSession } from '../../layers/shared/src/core/session-tokens.ts';
import {
  isOracleError,
  RateLimitedError,
  UnauthorizedError,
  ValidationError,
} from '../../layers/shared/src/errors.ts';
import { logger } from '../../layers/shared/src/observability.ts';
import type { RateLimiter } from '../../layers/shared/src/ports/rate-limiter.ts';
import { PER_IP_LIMITS } from './contract/per-ip-limits.ts';
import type { RouteContract } from './contract/route-contract.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body, (_key, value) => (typeof value === 'bigint' ? value.toString() : value)),
  };
}

export function errorResponse(error: unknown): HttpResult {
  if (isOracleError(error)) {
    if (error.httpStatus >= 500) logger.error('request failed', { error });
    const headers: Record<string, string> =
      error instanceof RateLimitedError ? { 'retry-after': String(error.retryAfterSeconds) } : {};
    return json(error.httpStatus, error.toJSON(), headers);
  }
  logger.error('unexpected error', { error: error as Error });
  return json(500, { error: { code: 'INTERNAL', message: 'internal error' } });
}

/** Header lookup that ignores case (API Gateway lowercases, local callers may not). */
export function header(event: HttpEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

export const MAX_BODY_BYTES = 1_048_576;

export function jsonBody(event: HttpEvent): unknown {
  if (event.body === undefined || event.body === '')
    throw new ValidationError('request body is required (JSON)');
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES)
    throw new ValidationError(`request body exceeds ${MAX_BODY_BYTES} bytes`);
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('request body is not valid JSON');
  }
}

export function sourceIp(event: HttpEvent): string {
  return event.requestContext?.http?.sourceIp ?? 'unknown';
}

/**
 * The name of the credential the authorizer accepted for this request: on `POST /ingest` the
 * ingest API key's name, on admin routes the admin token's name (its property in the
 * `IngestApiKeys` or `AdminTokens` secret; never the key or token itself). API Gateway hands the
 * authorizer's context over in `requestContext.authorizer.lambda`, and the local server does the
 * same (services/platform/api-auth.ts, `authorize`). Undefined on a route without an authorizer. What an
 * audit log records as the actor.
 */
export function credentialName(event: HttpEvent): string | undefined {
  const context = (event.requestContext as { authorizer?: { lambda?: Record<string, unknown> } } | undefined)
    ?.authorizer?.lambda;
  const name = context?.['credentialName'];
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/**
 * Who the admin audit log names for an admin route's action: the admin token's name. API Gateway
 * runs no admin route without the authorizer, so a request without the name did not come through
 * it (a misconfigured route) and is refused rather than recorded as nobody.
 */
export function adminActor(event: HttpEvent): string {
  const name = credentialName(event);
  if (name === undefined) throw new UnauthorizedError('this route needs an admin token');
  return name;
}

/**
 * Counts the request against its route's per-IP limit (./contract/per-ip-limits.ts), if it has
 * one, before anything else of it is read: a flood of malformed requests is refused like any other.
 */
export async function limitPerIp(event: HttpEvent, limiter: () => RateLimiter): Promise<void> {
  const routeKey = event.routeKey ?? event.requestContext?.routeKey;
  const limit = routeKey === undefined ? undefined : PER_IP_LIMITS[routeKey];
  if (limit === undefined) return;
  const decision = await limiter().hit(
    `ip:${routeKey}:${sourceIp(event)}`,
    limit.limit,
    limit.windowSeconds,
    Date.now(),
  );
  if (!decision.allowed) {
    logger.warn('per-IP limit reached', { routeKey, limit: limit.limit, count: decision.count });
    throw new RateLimitedError(
      `too many requests to ${routeKey} from this address: at most ${limit.limit} per ${limit.windowSeconds} s; retry in ${decision.retryAfterSeconds} s`,
      decision.retryAfterSeconds,
    );
  }
}

export function optionalJsonBody(event: HttpEvent): unknown {
  return event.body === undefined || event.body === '' ? {} : jsonBody(event);
}

/** Path parameters, percent-decoded (`carry%3Amilo` is `carry:milo`). */
export function pathParams(event: HttpEvent): Record<string, string> {
  return Object.fromEntries(
    Object.entries(event.pathParameters ?? {}).map(([name, value]) => {
      try {
        return [name, decodeURIComponent(value ?? '')];
      } catch {
        throw new ValidationError(`${name}: not valid percent-encoding`, { details: { field: name } });
      }
    }),
  );
}

export function queryParams(event: HttpEvent): Record<string, string> {
  return Object.fromEntries(
    Object.entries(event.queryStringParameters ?? {}).map(([name, value]) => [name, value ?? '']),
  );
}

/** Headers by lowercase name. */
export function headers(event: HttpEvent): Record<string, string> {
  return Object.fromEntries(
    Object.entries(event.headers ?? {}).flatMap(([name, value]) =>
      value === undefined ? [] : [[name.toLowerCase(), value]],
    ),
  );
}

/**
 * Parses `value` or throws a ValidationError (400) whose message starts with the offending field:
 * `limit: Number must be less than or equal to 500`. A message that already opens with its field
 * (`limit must be between 1 and 500`) is not prefixed twice. `where` names the field when the
 * value as a whole is wrong (`body: Expected object, received array`).
 */
export function parseInput<S extends z.ZodTypeAny>(schema: S, value: unknown, where: string): z.output<S> {
  const unstorable = firstUnstorableText(value);
  if (unstorable !== undefined) {
    const field = unstorable.path.length === 0 ? where : unstorable.path.join('.');
    throw new ValidationError(`${field}: ${unstorable.problem}`, { details: { field } });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? where : issue.path.join('.');
  const message = issue?.message ?? 'invalid';
  throw new ValidationError(message.startsWith(`${field} `) ? message : `${field}: ${message}`, {
    details: {
      field,
      issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    },
  });
}

/** A UTF-16 surrogate with no partner: JSON can carry it escaped, UTF-8 cannot encode it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain the NUL character';
  if (LONE_SURROGATE.test(text)) return 'must be well-formed Unicode (a lone surrogate was sent)';
  return undefined;
}

/**
 * Where the first string (or key) is that PostgreSQL cannot store, and why: text and jsonb hold
 * neither U+0000 nor a lone surrogate (jsonb refuses `"\ud800"`), so such input would fail in the
 * database as a 500. Iterative, so no depth of nesting overflows.
 */
function firstUnstorableText(value: unknown): { path: (string | number)[]; problem: string } | undefined {
  interface Step {
    readonly value: unknown;
    readonly key?: string | number;
    readonly parent?: Step;
  }
  const pathOf = (step: Step | undefined): (string | number)[] => {
    const path: (string | number)[] = [];
    for (let at = step; at?.key !== undefined; at = at.parent) path.unshift(at.key);
    return path;
  };
  const stack: Step[] = [{ value }];
  while (stack.length > 0) {
    const step = stack.pop() as Step;
    const node = step.value;
    if (typeof node === 'string') {
      const problem = textProblem(node);
      if (problem !== undefined) return { path: pathOf(step), problem };
    } else if (Array.isArray(node)) {
      node.forEach((inner, i) => {
        stack.push({ value: inner, key: i, parent: step });
      });
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, inner] of Object.entries(node)) {
        const problem = textProblem(key);
        if (problem !== undefined) return { path: pathOf(step), problem };
        stack.push({ value: inner, key, parent: step });
      }
    }
  }
  return undefined;
}

type Parsed<C, K extends 'params' | 'query' | 'headers'> =
  C extends Record<K, infer S extends z.ZodTypeAny> ? z.output<S> : Record<string, never>;

export interface ParsedRequest<C extends RouteContract> {
  readonly params: Parsed<C, 'params'>;
  readonly query: Parsed<C, 'query'>;
  readonly headers: Parsed<C, 'headers'>;
  readonly body: C extends { body: { schema: infer S extends z.ZodTypeAny } } ? z.output<S> : undefined;
}

/**
 * A request's input, validated with its route's contract (./contract/): path parameters, then the
 * query, then the headers, then the JSON body. The first problem found answers 400 naming the field.
 * Read once per event: `httpRoute` reads it before the dependencies are built (`readRequest`), and
 * the handler's own call gets the same answer, or the same error.
 */
export function parseRequest<C extends RouteContract>(contract: C, event: HttpEvent): ParsedRequest<C> {
  return readOnce(event, contract, () => parseWith(contract, event));
}

function parseWith<C extends RouteContract>(contract: C, event: HttpEvent): ParsedRequest<C> {
  const body = contract.body;
  return {
    params: contract.params === undefined ? {} : parseInput(contract.params, pathParams(event), 'path'),
    query: contract.query === undefined ? {} : parseInput(contract.query, queryParams(event), 'query'),
    headers: contract.headers === undefined ? {} : parseInput(contract.headers, headers(event), 'headers'),
    body:
      body === undefined
        ? undefined
        : parseInput(body.schema, body.required ? jsonBody(event) : optionalJsonBody(event), 'body'),
  } as ParsedRequest<C>;
}

type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown };

/** What each event's request was read as, by the contract or reader that read it. */
const readings = new WeakMap<HttpEvent, Map<object, Outcome>>();

function readOnce<T>(event: HttpEvent, by: object, read: () => T): T {
  let outcomes = readings.get(event);
  const known = outcomes?.get(by);
  if (known !== undefined) {
    if (known.ok) return known.value as T;
    throw known.error;
  }
  if (outcomes === undefined) {
    outcomes = new Map();
    readings.set(event, outcomes);
  }
  try {
    const value = read();
    outcomes.set(by, { ok: true, value });
    return value;
  } catch (error) {
    outcomes.set(by, { ok: false, error });
    throw error;
  }
}

/**
 * A reader of a route's request that its handler calls where a contract alone does not say how
 * the request is read (a form or JSON; a service's own schemas): read once per event, like
 * `parseRequest`.
 */
export function requestReader<T>(read: (event: HttpEvent) => T): (event: HttpEvent) => T {
  const reader = (event: HttpEvent): T => readOnce(event, reader, () => read(event));
  return reader;
}

/** How a function's routes read their requests, by route key: a contract, or a `requestReader`. */
export type RequestReaders = Readonly<Record<string, RouteContract | ((event: HttpEvent) => unknown)>>;

/**
 * Reads the request as its route will (`parseRequest` with its contract, or its reader), before
 * anything the function depends on is built: a malformed request throws its ValidationError (400)
 * here. A route acting for a signed-in session (its contract's `session`) authenticates before it
 * reads its input: a request presenting no session at all is refused here with its 401, and for
 * one that presents a session, authenticating asks the database, so its input's problem is left
 * for the handler to meet when it parses, after authentication: each bad input keeps its status.
 */
export function readRequest(readers: RequestReaders, event: HttpEvent): void {
  const reader = event.routeKey === undefined ? undefined : readers[event.routeKey];
  if (reader === undefined) return;
  if (typeof reader === 'function') {
    reader(event);
    return;
  }
  // Refused as authentication would refuse it, with no database asked: 401 before 400, as always.
  if (reader.session !== undefined) requirePresentedSession(reader.session, header(event, 'authorization'));
  try {
    parseRequest(reader, event);
  } catch (error) {
    if (reader.session === undefined) throw error;
  }
}

/** Forgets what the event's request was read as (the invocation is over). */
export function forgetRequest(event: HttpEvent): void {
  readings.delete(event);
}
