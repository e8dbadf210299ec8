/**
 * Shared by the market routes: input validation with zod that answers 400 naming the field,
 * and the handler shape (`handle(event, deps)` for tests, `handler` for Lambda).
 */
import type { z } from 'zod';
import { ValidationError } from '../../../layers/shared/src/errors.ts';
import { marketConfig } from '../../../layers/shared/src/market-config.ts';
import { type MarketDependencies, marketDependencies } from '../../market-dependencies.ts';
import { type HttpEvent, type HttpResult, httpHandler, jsonBody } from '../http.ts';

// A malformed market setting fails the cold start with its name, not a request later.
marketConfig();

export const ADDRESS_PATTERN = /^0x[0-9a-fA-F]{40}$/;

/** Parses `value` or throws a ValidationError whose message starts with the offending field. */
export function parseInput<S extends z.ZodTypeAny>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? where : issue.path.join('.');
  throw new ValidationError(`${field}: ${issue?.message ?? 'invalid'}`, {
    details: {
      field,
      issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    },
  });
}

export function pathParams(event: HttpEvent): Record<string, string> {
  return Object.fromEntries(
    Object.entries(event.pathParameters ?? {}).map(([key, value]) => [key, decodeURIComponent(value ?? '')]),
  );
}

export function queryParams(event: HttpEvent): Record<string, string> {
  return Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).map(([k, v]) => [k, v ?? '']));
}

export function optionalJsonBody(event: HttpEvent): unknown {
  return event.body === undefined || event.body === '' ? {} : jsonBody(event);
}

export type MarketHandle = (event: HttpEvent, deps: MarketDependencies) => Promise<HttpResult>;

/** `handle` answers with the same error shaping as `handler`, with the dependencies given. */
export function marketRoute(handle: MarketHandle): {
  handle: MarketHandle;
  handler: (event: HttpEvent) => Promise<HttpResult>;
} {
  return {
    handle: (event, deps) => httpHandler((e) => handle(e, deps))(event),
    handler: httpHandler(async (event) => handle(event, await marketDependencies())),
  };
}
