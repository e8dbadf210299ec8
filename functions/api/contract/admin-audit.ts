/** The admin audit log: every state-changing admin route and CLI command, who did it, before and after. */
import { defineRoute, isoTime } from './route-contract.ts';
import { z } from './zod.ts';

const time = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO-8601 time')
  .transform((v) => new Date(v));

export const auditQuery = z
  .object({
    actor: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: 'An admin token name, or `cli:<os user>@<host>`' }),
    action: z
      .string()
      .regex(/^[a-z][a-z-]*(\.[a-z][a-z-]*)?$/, 'must be an action (`channel.set`) or an area (`channel`)')
      .optional()
      .openapi({ description: 'An action (`channel.set`), or an area for all of its actions (`channel`)' }),
    targetType: z.string().min(1).max(100).optional(),
    targetId: z.string().min(1).max(200).optional(),
    from: time.optional().openapi({ description: 'Entries at or after this time (ISO-8601)' }),
    to: time.optional().openapi({ description: 'Entries before this time (ISO-8601)' }),
    before: z.coerce
      .number()
      .int()
      .positive()
      .optional()
      .openapi({ description: "The previous page's `nextBefore`" }),
    limit: z.coerce.number().int().min(1).max(500).optional().openapi({ description: 'Default 50' }),
  })
  .strict();

const auditEntry = z
  .object({
    id: z.number().int(),
    actor: z.string().openapi({ description: 'The admin token name, or `cli:<os user>@<host>`' }),
    action: z.string().openapi({ examples: ['channel.set', 'oracle-call.retry', 'ingest-key.void'] }),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    before: z.unknown().openapi({ description: 'The target before the action; null when it did not exist' }),
    after: z.unknown().openapi({ description: 'The target after the action; null when it no longer exists' }),
    details: z.record(z.unknown()).nullable(),
    createdAt: isoTime,
  })
  .openapi('AuditEntry');

export const ADMIN_AUDIT_ROUTES = {
  'GET /admin/audit': defineRoute({
    tag: 'platform',
    summary: 'The admin audit log, newest first',
    description:
      'Every admin route and `oracle` CLI command that changes state writes an entry, in the transaction of the change where there is one: who (the admin token name, never the token; `cli:<os user>@<host>` for the CLI), what, when, and the target before and after. Filters combine; `before` pages backwards.',
    query: auditQuery,
    responses: {
      200: {
        description: 'Entries',
        schema: z.object({
          entries: z.array(auditEntry),
          nextBefore: z
            .number()
            .int()
            .nullable()
            .openapi({ description: 'Set when the page is full: pass it as `before`' }),
        }),
      },
    },
    errors: { 400: 'a query parameter is malformed or unknown' },
  }),
};
