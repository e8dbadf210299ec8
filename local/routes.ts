/**
 * The HTTP routes of the local server, each mapped to the same handler module its Lambda
 * exports. `auth` is what the API Gateway authorizer enforces on AWS.
 */
export type RouteAuth = 'none' | 'ingest' | 'admin';

export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway syntax: `/claims/{epoch}/{channel}/{user}`. */
  readonly path: string;
  readonly auth: RouteAuth;
  /** Module path relative to the repository root, exporting `handler`. */
  readonly module: string;
}

export const ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/health', auth: 'none', module: 'functions/api/health/index.ts' },
  { method: 'POST', path: '/ingest', auth: 'ingest', module: 'functions/api/ingest/index.ts' },
  { method: 'POST', path: '/suppressions', auth: 'admin', module: 'functions/api/suppressions/index.ts' },
];
