/** GET /openapi.json: the OpenAPI 3.1 document of the HTTP API, generated once per container. */
import { type OpenApiDocument, openApiDocument } from '../contract/openapi.ts';
import { httpHandler, json } from '../http.ts';

let document: OpenApiDocument | undefined;

export const handler = httpHandler(async () => {
  document ??= openApiDocument();
  return json(200, document, { 'cache-control': 'public, max-age=300' });
});
