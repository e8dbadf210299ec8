/**
 * The HTTP routes of the local server: the same registry the CDK stacks deploy from
 * (lib/functions.ts), each route mapped to the handler module its Lambda exports. `auth` is
 * what the API Gateway authorizer enforces on AWS.
 */
import { FUNCTIONS } from '../lib/functions.ts';

export type RouteAuth = 'none' | 'ingest' | 'admin';

export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway syntax: `/claims/{epoch}/{channel}/{user}`. */
  readonly path: string;
  readonly auth: RouteAuth;
  /** Module path relative to the repository root, exporting `handler`. */
  readonly module: string;
  /** The function (lib/functions.ts) whose database role the handler runs as. */
  readonly function?: string;
}

export const ROUTES: readonly RouteSpec[] = FUNCTIONS.flatMap((spec) =>
  spec.trigger.kind === 'http'
    ? spec.trigger.routes.map((route) => ({
        method: route.method,
        path: route.path,
        auth: route.auth === 'apiKey' ? ('ingest' as const) : route.auth,
        module: spec.entry,
        function: spec.name,
      }))
    : [],
)
  // Literal segments before parameters, so `/epochs/{epoch}` never shadows a fixed path.
  .sort((a, b) => specificity(b.path) - specificity(a.path));

function specificity(path: string): number {
  return path.split('/').reduce((score, segment) => score + (segment.startsWith('{') ? 1 : 3), 0);
}
