/**
 * zod with `.openapi()` (names a schema as a component of the OpenAPI document, adds examples).
 * Every contract module imports `z` from here, so the extension is in place before a schema uses it;
 * validation itself is plain zod.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };
