/**
 * Which browser pages may call the HTTP API, and how API Gateway answers them. One policy for the
 * HTTP API's CORS configuration (lib/stacks/api-stack.ts), the local runtime (which answers as
 * API Gateway does) and the deployment check (which sends preflights against the configuration
 * the template holds). Only listed origins: several routes take credentials (an Authorization
 * header: admin tokens, viewer and market sessions), and `*` would let any site use a token a
 * browser holds.
 */
import { z } from 'zod';

/** The request headers the routes read: a bearer token, and the JSON body's type. */
export const CORS_ALLOWED_HEADERS: readonly string[] = ['authorization', 'content-type'];
/** How long a browser may reuse a preflight answer. */
export const CORS_MAX_AGE_SECONDS = 600;

export interface CorsPolicy {
  /** Exact origins (`https://dxxxx.cloudfront.net`), never `*`. */
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly maxAgeSeconds: number;
}

/** The methods of the routes the API serves, and OPTIONS for the preflight itself. */
export function corsMethods(routes: readonly { readonly method: string }[]): string[] {
  return [...new Set(routes.map((r) => r.method.toUpperCase())), 'OPTIONS'].sort();
}

export function corsPolicy(
  origins: readonly string[],
  routes: readonly { readonly method: string }[],
): CorsPolicy {
  for (const origin of origins) {
    if (origin.includes('*')) throw new Error(`CORS origin ${origin}: wildcards are not allowed`);
  }
  return {
    allowOrigins: [...new Set(origins)],
    allowMethods: corsMethods(routes),
    allowHeaders: CORS_ALLOWED_HEADERS,
    maxAgeSeconds: CORS_MAX_AGE_SECONDS,
  };
}

/** An origin as a browser sends it (`scheme://host[:port]`, no path); `https` only unless `allowHttp`. */
export function originSchema(options: { allowHttp?: boolean } = {}) {
  return z.string().transform((text, ctx) => {
    let url: URL | undefined;
    try {
      url = new URL(text);
    } catch {
      url = undefined;
    }
    if (
      url === undefined ||
      text.includes('*') ||
      url.pathname !== '/' ||
      url.search !== '' ||
      url.hash !== ''
    ) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `${JSON.stringify(text)} must be an origin (scheme://host[:port]) with no path, query, fragment or wildcard`,
      });
      return z.NEVER;
    }
    if (url.protocol !== 'https:' && !(options.allowHttp === true && url.protocol === 'http:')) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `${JSON.stringify(text)} must be an https origin (a page served over http cannot be trusted with a session token)`,
      });
      return z.NEVER;
    }
    return url.origin;
  });
}

/** A comma-separated origin list (empty text: none), as an environment variable holds it. */
export function parseOriginList(text: string | undefined, options: { allowHttp?: boolean } = {}): string[] {
  const items = (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return z.array(originSchema(options)).parse(items);
}

export interface CorsRequest {
  readonly method: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

export function isPreflight(request: CorsRequest): boolean {
  return (
    request.method.toUpperCase() === 'OPTIONS' &&
    request.headers['origin'] !== undefined &&
    request.headers['access-control-request-method'] !== undefined
  );
}

/**
 * The CORS headers API Gateway (HTTP API) adds for this request: a preflight from a listed
 * origin asking for an allowed method and headers gets the full answer; any other origin gets
 * none, so the browser refuses to hand the page the response. An actual request from a listed
 * origin gets its origin echoed.
 */
export function corsHeaders(policy: CorsPolicy, request: CorsRequest): Record<string, string> {
  const origin = request.headers['origin'];
  if (origin === undefined || !policy.allowOrigins.includes(origin)) return {};
  if (!isPreflight(request)) return { 'access-control-allow-origin': origin, vary: 'origin' };
  const method = (request.headers['access-control-request-method'] ?? '').toUpperCase();
  const asked = (request.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  const allowedHeaders = policy.allowHeaders.map((h) => h.toLowerCase());
  if (!policy.allowMethods.includes(method) || asked.some((h) => !allowedHeaders.includes(h))) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': policy.allowMethods.join(','),
    'access-control-allow-headers': policy.allowHeaders.join(','),
    'access-control-max-age': String(policy.maxAgeSeconds),
    vary: 'origin',
  };
}
