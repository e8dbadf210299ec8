/**
 * GET /openapi.json: the OpenAPI 3.1 document of the HTTP API. It is generated from the route
 * registry and the route contracts (`npm run docs:openapi`, the document `oracle openapi` prints)
 * and committed beside this handler; test/functions/openapi.test.ts fails when it differs from
 * what they generate now. Serving the committed document keeps every route's schemas out of this
 * function's cold start.
 */

import { httpRoute } from '../../handlers.ts';
import type { OpenApiDocument } from '../contract/openapi.ts';
import { type HttpResult, json } from '../http.ts';
import committed from './openapi.json' with { type: 'json' };

export interface OpenApiDeps {
  readonly document: OpenApiDocument;
}

export function openApiDependencies(): OpenApiDeps {
  return { document: committed as OpenApiDocument };
}

export async function handle(_event: unknown, deps: OpenApiDeps): Promise<HttpResult> {
  return json(200, deps.document, { 'cache-control': 'public, max-age=300' });
}

export const handler = httpRoute(openApiDependencies, handle);
