/**
 * `oracle openapi`: prints the OpenAPI 3.1 document of the HTTP API (the one `GET /openapi.json`
 * serves), generated from the route registry and the route contracts.
 */
import { openApiDocument } from '../../functions/api/contract/openapi.ts';

export const summary = 'print the OpenAPI document of the HTTP API (JSON)';

export async function run(argv: string[]): Promise<number> {
  if (argv.length > 0) {
    process.stderr.write('usage: oracle openapi\n');
    return 2;
  }
  process.stdout.write(`${JSON.stringify(openApiDocument(), null, 2)}\n`);
  return 0;
}
