/** GET /openapi.json: the OpenAPI 3.1 document of the HTTP API, generated once per container. */
import { httpRoute } from '../../handlers.ts';
import { type OpenApiDocument, openApiDocument } from '../contract/openapi.ts';
import { type HttpResult, json } from '../http.ts';

export interface OpenApiDeps {
  readonly document: OpenApiDocument;
}

export function openApiDependencies(): OpenApiDeps {
  return { document: openApiDocument() };
}

export async function handle(_event: unknown, deps: OpenApiDeps): Promise<HttpResult> {
  return json(200, deps.document, { 'cache-control': 'public, max-age=300' });
}

export const handler = httpRoute(openApiDependencies, handle);
