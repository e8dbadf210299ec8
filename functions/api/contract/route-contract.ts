/**
 * The contract of one HTTP route: what it reads (path parameters, query, headers, JSON body) and
 * what it answers, as zod schemas. The handler validates its input with these very schemas
 * (`parseRequest` in ../http.ts) and the OpenAPI document (./openapi.ts) is generated from them,
 * so the document cannot describe a check the handler does not make.
 *
 * Response schemas describe the JSON on the wire: times are ISO-8601 strings, u64/u256 amounts
 * decimal strings.
 */
import type { AnyZodObject, ZodTypeAny } from 'zod';
import { ValidationError } from '../../../layers/shared/src/errors.ts';
import { z } from './zod.ts';

/**
 * Statuses a handler answers with the error shape. The authorizer's 401 and 403 on protected
 * routes, and the 401 of a route that needs a market user's session, are added by the document
 * generator from the route's registration.
 */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 422 | 429 | 503;

export type Tag = 'attention' | 'creators' | 'delivery' | 'market' | 'platform';

export interface ResponseContract {
  readonly description: string;
  readonly schema: ZodTypeAny;
  /** A page for a person, not JSON (an email's confirmation link opens one). @default application/json */
  readonly contentType?: 'text/html';
}

export interface RouteContract {
  readonly summary: string;
  readonly description?: string;
  readonly tag: Tag;
  readonly params?: AnyZodObject;
  readonly query?: AnyZodObject;
  /** Request headers the route reads, named in lowercase. */
  readonly headers?: AnyZodObject;
  /**
   * A credential the handler itself checks on a route API Gateway lets through (`Authorization:
   * Bearer <session>`): `viewer`, the session of a Twitch sign-in (services/attention/twitch-sign-in.ts);
   * `market`, a market user's session from Sign-In with Ethereum (services/market/market-sessions.ts).
   */
  readonly session?: 'viewer' | 'market';
  /** A JSON body; when it is not required, a request without one is read as `{}`. */
  readonly body?: { readonly schema: ZodTypeAny; readonly required: boolean };
  /** Answers in a shape of their own, by status: the 2xx ones, and e.g. a degraded health report's 503. */
  readonly responses: Readonly<Partial<Record<number, ResponseContract>>>;
  /** Statuses answered with `{ error: { code, message, details? } }`, each with when. */
  readonly errors: Readonly<Partial<Record<ErrorStatus, string>>>;
}

/** Checks a contract's shape and keeps its schemas' types for `parseRequest`. */
export function defineRoute<const C extends RouteContract>(contract: C): C {
  return contract;
}

/** `OracleError.toJSON()` (layers/shared/src/errors.ts): every error a handler answers with. */
export const errorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({
        description: 'Stable code for clients and alarms',
        examples: ['VALIDATION_FAILED', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED', 'DEPENDENCY_FAILED'],
      }),
      message: z.string().openapi({
        description: 'What is wrong; for bad input it starts with the field, e.g. `limit: ...`',
      }),
      details: z.record(z.unknown()).optional().openapi({
        description: 'For bad input, `field` and every `issues` entry; for 429, `retryAfterSeconds`',
      }),
    }),
  })
  .openapi('Error');

/** API Gateway's own answer when it refuses a request before any handler runs. */
export const gatewayMessage = z
  .object({ message: z.string().openapi({ example: 'Forbidden' }) })
  .openapi('GatewayMessage');

export const ADDRESS_PATTERN = /^0x[0-9a-fA-F]{40}$/;

/** An EVM address as the market routes take it. */
export const evmAddress = z
  .string()
  .regex(ADDRESS_PATTERN, 'expected a 0x-prefixed 20-byte address')
  .openapi({ example: '0x5fbdb2315678afecb367f032d93f642f64180aa3' });

/** An ISO-8601 UTC time, as every response writes one. */
export const isoTime = z.string().openapi({ format: 'date-time' });

/** A non-negative integer too large for a JSON number (token base units, wei), in decimal. */
export const decimalString = z.string().regex(/^[0-9]+$/);

/**
 * A path parameter checked by a parser the services already use: its ValidationError becomes the
 * issue's message, so the answer is the same whether the route or the service refuses the value.
 */
export function parsedBy(parse: (raw: string) => unknown) {
  return z.string().superRefine((raw, ctx) => {
    try {
      parse(raw);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: error.message });
    }
  });
}
