/**
 * The OpenAPI 3.1 document of the HTTP API, generated from two sources and nothing else: the
 * routes lib/functions.ts deploys (method, path, auth, throttle) and each route's contract
 * (./routes.ts). A deployed route without a contract, or a contract for no deployed route, fails
 * the generation instead of leaving the document behind the API.
 */
import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ResponseConfig,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import { MAX_SUBSCRIPTIONS_PER_CONNECTION } from '../../../layers/shared/src/core/market/stream-subscriptions.ts';
import { FUNCTIONS, type FunctionSpec, type HttpRoute, type RouteAuth } from '../../../lib/functions.ts';
import packageJson from '../../../package.json' with { type: 'json' };
import { PER_IP_LIMITS, type PerIpLimit } from './per-ip-limits.ts';
import { errorBody, gatewayMessage, type RouteContract, type Tag } from './route-contract.ts';
import { API_ROUTES } from './routes.ts';
import { z } from './zod.ts';

const perIpLimit = (route: HttpRoute): PerIpLimit | undefined =>
  PER_IP_LIMITS[`${route.method} ${route.path}`];

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

type SecurityScheme =
  | { type: 'apiKey'; in: 'header'; name: string; description: string }
  | { type: 'http'; scheme: 'bearer'; description: string };

/** How each kind of route auth is presented (functions/api/authorizer, services/platform/api-auth.ts). */
export const SECURITY_SCHEMES: Record<
  Exclude<RouteAuth, 'none'>,
  { name: string; scheme: SecurityScheme }
> = {
  apiKey: {
    name: 'IngestApiKey',
    scheme: {
      type: 'apiKey',
      in: 'header',
      name: 'x-api-key',
      description: 'An ingest API key, one of those in the `ingestApiKeys` secret',
    },
  },
  admin: {
    name: 'AdminToken',
    scheme: {
      type: 'http',
      scheme: 'bearer',
      description:
        'An admin token, one of those in the `adminTokens` secret: `Authorization: Bearer <token>`',
    },
  },
};

/** Credentials the handler checks itself (RouteContract.session). */
export const SESSION_SCHEMES: Record<
  NonNullable<RouteContract['session']>,
  { name: string; scheme: SecurityScheme }
> = {
  viewer: {
    name: 'ViewerSession',
    scheme: {
      type: 'http',
      scheme: 'bearer',
      description:
        'A viewer session from the Twitch sign-in (`GET /auth/twitch/authorize`, then `POST /auth/twitch/session`): `Authorization: Bearer <session>`. A Twitch token is not one.',
    },
  },
  market: {
    name: 'MarketSession',
    scheme: {
      type: 'http',
      scheme: 'bearer',
      description:
        "A market user's session from Sign-In with Ethereum (`POST /api/auth/nonce`, then `POST /api/auth/session`): `Authorization: Bearer <session>`",
    },
  },
};

const TAGS: readonly { name: Tag; description: string }[] = [
  { name: 'attention', description: 'Attention oracle: ingest, opt-out, wallet binding, claims and epochs' },
  { name: 'creators', description: 'Creator metrics oracle' },
  { name: 'delivery', description: 'Oracle call delivery (admin)' },
  { name: 'market', description: 'Token market services' },
  { name: 'platform', description: 'Health and this document' },
];

const DESCRIPTION = `The HTTP API of the Engagement Oracle (API Gateway HTTP API; \`oracle local\` serves the same routes).

Every request input is validated before anything is written. A refused request answers with a 4xx and
\`{ "error": { "code", "message", "details"? } }\`; for bad input the message starts with the field
(\`limit: Number must be less than or equal to 500\`). Amounts that do not fit a JSON number are
decimal strings, times ISO-8601 UTC strings.

Live prices are not part of this document: they stream over a WebSocket API (\`/ws/prices\`, or
\`wss://<api-id>.execute-api.<region>.amazonaws.com/prices\`). A client sends
\`{"action":"subscribe","tokens":["0x..."]}\`, \`{"action":"unsubscribe","tokens":[...]}\` or
\`{"action":"ping"}\` and receives \`subscribed\`, \`unsubscribed\`, \`pong\`, \`error\` and
\`price\` messages (\`{"type":"price","seq",...}\`, with a per-token sequence number). A connection
follows at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} tokens: a \`subscribe\` that would pass that adds nothing and
answers an \`error\` that says so.`;

function httpRoutes(functions: readonly FunctionSpec[]): HttpRoute[] {
  return functions.flatMap((spec) => (spec.trigger.kind === 'http' ? spec.trigger.routes : []));
}

/** `GET /claims/{epoch}/{channel}/{user}` → `getClaimsByEpochByChannelByUser`. */
export function operationId(route: Pick<HttpRoute, 'method' | 'path'>): string {
  const words = route.path
    .split(/[/.-]/)
    .filter((segment) => segment !== '')
    .map((segment) =>
      segment.startsWith('{') ? `By${capitalize(segment.slice(1, -1))}` : capitalize(segment),
    );
  return `${route.method.toLowerCase()}${words.join('')}`;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

const json = (schema: z.ZodTypeAny) => ({ 'application/json': { schema } });

function responses(contract: RouteContract, route: HttpRoute): Record<string, ResponseConfig> {
  const auth: RouteAuth = route.auth;
  const out: Record<string, { description: string; schemas: z.ZodTypeAny[]; contentType?: 'text/html' }> = {};
  const perIp = perIpLimit(route);
  const add = (status: number, description: string, schema: z.ZodTypeAny) => {
    const entry = out[status];
    if (entry === undefined) out[status] = { description, schemas: [schema] };
    else {
      entry.description = `${entry.description}; or ${description}`;
      entry.schemas.push(schema);
    }
  };
  for (const [status, response] of Object.entries(contract.responses)) {
    if (response === undefined) continue;
    add(Number(status), response.description, response.schema);
    if (response.contentType !== undefined)
      (out[status] as { contentType?: 'text/html' }).contentType = response.contentType;
  }
  for (const [status, when] of Object.entries(contract.errors)) {
    if (when !== undefined) add(Number(status), when, errorBody);
  }
  if (auth !== 'none') {
    const what = auth === 'apiKey' ? 'ingest API key (`x-api-key`)' : 'admin token (`Authorization: Bearer`)';
    add(
      401,
      `no ${what} was presented; the local server also answers 401 for one it does not accept`,
      z.union([gatewayMessage, errorBody]),
    );
    add(403, `the ${what} is not accepted`, gatewayMessage);
  }
  if (perIp !== undefined) {
    add(
      429,
      `more than ${perIp.limit} requests from one address in ${perIp.windowSeconds} s (\`retry-after\` says when to retry)`,
      errorBody,
    );
  }
  if (contract.session === 'market') {
    add(401, 'no session was presented, or it is unknown, expired or signed out', errorBody);
  }
  add(500, 'internal error (logged with its stack; the answer says nothing more)', errorBody);
  return Object.fromEntries(
    Object.entries(out).map(([status, { description, schemas, contentType }]) => {
      const schema =
        schemas.length === 1
          ? (schemas[0] as z.ZodTypeAny)
          : z.union(schemas as [z.ZodTypeAny, z.ZodTypeAny]);
      return [
        status,
        {
          description: capitalize(description),
          content: contentType === undefined ? json(schema) : { [contentType]: { schema } },
        },
      ];
    }),
  );
}

function describe(contract: RouteContract, route: HttpRoute): string | undefined {
  const perIp = perIpLimit(route);
  const parts = [
    contract.description,
    route.throttle === undefined
      ? undefined
      : `Throttled to ${route.throttle.rate} requests/s (burst ${route.throttle.burst}).`,
    perIp === undefined
      ? undefined
      : `At most ${perIp.limit} requests per ${perIp.windowSeconds} s from one address.`,
  ].filter((p): p is string => p !== undefined);
  return parts.length === 0 ? undefined : parts.join('\n\n');
}

function pathConfig(route: HttpRoute, contract: RouteContract): RouteConfig {
  const scheme =
    route.auth !== 'none'
      ? SECURITY_SCHEMES[route.auth]
      : contract.session === undefined
        ? undefined
        : SESSION_SCHEMES[contract.session];
  const description = describe(contract, route);
  const request: NonNullable<RouteConfig['request']> = {
    ...(contract.params === undefined ? {} : { params: contract.params }),
    ...(contract.query === undefined ? {} : { query: contract.query }),
    ...(contract.headers === undefined ? {} : { headers: contract.headers }),
    ...(contract.body === undefined
      ? {}
      : { body: { required: contract.body.required, content: json(contract.body.schema) } }),
  };
  return {
    method: route.method.toLowerCase() as RouteConfig['method'],
    path: route.path,
    operationId: operationId(route),
    summary: contract.summary,
    ...(description === undefined ? {} : { description }),
    tags: [contract.tag],
    security: scheme === undefined ? [] : [{ [scheme.name]: [] }],
    ...(Object.keys(request).length === 0 ? {} : { request }),
    responses: responses(contract, route),
  };
}

/** The document for the given registry and contracts (by default, the deployed ones). */
export function openApiDocument(
  functions: readonly FunctionSpec[] = FUNCTIONS,
  contracts: Readonly<Record<string, RouteContract>> = API_ROUTES,
): OpenApiDocument {
  const routes = httpRoutes(functions);
  const keys = new Set(routes.map((r) => `${r.method} ${r.path}`));
  const missing = [...keys].filter((key) => contracts[key] === undefined);
  const unrouted = Object.keys(contracts).filter((key) => !keys.has(key));
  if (missing.length > 0 || unrouted.length > 0) {
    throw new Error(
      [
        missing.length > 0 ? `routes without a contract: ${missing.join(', ')}` : '',
        unrouted.length > 0 ? `contracts of no registered route: ${unrouted.join(', ')}` : '',
      ]
        .filter((s) => s !== '')
        .join('; '),
    );
  }
  const registry = new OpenAPIRegistry();
  for (const { name, scheme } of [...Object.values(SECURITY_SCHEMES), ...Object.values(SESSION_SCHEMES)]) {
    registry.registerComponent('securitySchemes', name, scheme);
  }
  for (const route of routes) {
    registry.registerPath(pathConfig(route, contracts[`${route.method} ${route.path}`] as RouteContract));
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Engagement Oracle API', version: packageJson.version, description: DESCRIPTION },
    tags: [...TAGS],
  });
}
