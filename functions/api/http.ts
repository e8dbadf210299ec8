/**
 * The HTTP edge shared by every API function: API Gateway HTTP API (payload v2) events in,
 * JSON out. Errors the platform raises on purpose keep their status and code; anything else
 * is logged with its stack and answered with a plain 500 that leaks nothing.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { isOracleError, RateLimitedError, ValidationError } from '../../layers/shared/src/errors.ts';
import { logger } from '../../layers/shared/src/observability.ts';

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

/** Wraps a handler: correlation id on every log line, errors shaped into responses. */
export function httpHandler(
  fn: (event: HttpEvent) => Promise<HttpResult>,
): (event: HttpEvent) => Promise<HttpResult> {
  return async (event) => {
    const correlationId = header(event, 'x-correlation-id') ?? event.requestContext?.requestId;
    if (correlationId !== undefined) logger.appendKeys({ correlationId });
    try {
      return await fn(event);
    } catch (error) {
      return errorResponse(error);
    } finally {
      logger.removeKeys(['correlationId']);
    }
  };
}

export function pathParam(event: HttpEvent, name: string): string {
  const value = event.pathParameters?.[name];
  if (value === undefined || value === '') throw new ValidationError(`path parameter ${name} is required`);
  return decodeURIComponent(value);
}
