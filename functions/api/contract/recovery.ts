/** The recovery dashboard (attention-oracle.md): the daily snapshots, served to admins. */
import { dayStartMs, MAX_RECOVERY_DAYS } from '../../../layers/shared/src/core/attention/recovery-day.ts';
import { decimalString, defineRoute, isoTime, parsedBy } from './route-contract.ts';
import { z } from './zod.ts';

const day = parsedBy(dayStartMs).openapi({ format: 'date', example: '2026-01-01' });
const share = z
  .number()
  .nullable()
  .openapi({ description: 'Percent, two decimals; null when the whole is 0' });

export const recoveryQuery = z
  .object({
    from: day.optional().openapi({ description: 'First day (UTC), inclusive' }),
    to: day.optional().openapi({ description: 'Last day (UTC), inclusive' }),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_RECOVERY_DAYS)
      .optional()
      .openapi({ description: 'At most this many days, newest first; default 31' }),
  })
  .strict();

export const recoverySnapshot = z
  .object({
    day: z.string().openapi({ format: 'date' }),
    asOf: isoTime.openapi({
      description: "01:00 UTC the next day, or when the day's snapshot was taken before",
    }),
    takenAt: isoTime,
    complete: z.boolean().openapi({ description: 'Whether asOf reached 01:00 UTC the next day' }),
    carried: z.object({
      viewers: z.number().int().openapi({ description: 'Viewers with a carried balance above 0 at asOf' }),
      amount: decimalString.openapi({ description: 'Their carried balances, base units' }),
    }),
    recovered: z.object({
      viewers: z.number().int().openapi({ description: 'Viewers a carry tree paid during the day' }),
      amount: decimalString.openapi({ description: 'Base units carry trees paid during the day' }),
      orphanedViewers: z.number().int().openapi({ description: 'Viewers ever left unbound at a tree' }),
      returnedViewers: z.number().int().openapi({ description: 'Of them, those a carry tree has paid' }),
      rate: share.openapi({ description: 'returnedViewers of orphanedViewers (%)' }),
    }),
    coverage: z.object({
      participants: z.number().int().openapi({ description: "Distinct viewers in the day's sealed epochs" }),
      mapped: z.number().int(),
      bound: z.number().int(),
      mapping: share.openapi({ description: 'Participants with a username mapping (%)' }),
      binding: share.openapi({ description: 'Participants with a wallet binding at asOf (%)' }),
    }),
    overflow: z.object({
      sealedParticipations: z
        .number()
        .int()
        .openapi({ description: "(epoch, channel, viewer) rows of the day's epochs" }),
      sealedAmount: decimalString,
      participations: z.number().int().openapi({ description: "Of them, beyond their channel's shard cap" }),
      amount: decimalString,
      participationShare: share,
      amountShare: share,
    }),
  })
  .openapi('RecoverySnapshot');

export const RECOVERY_ROUTES = {
  'GET /admin/recovery': defineRoute({
    tag: 'attention',
    summary: "The recovery dashboard's daily snapshots, newest day first",
    description:
      'One snapshot a UTC day, taken at 01:00 UTC the next day: carried balances, what binding recovered of them, mapping and binding coverage of the day’s participants, and overflow past the shard cap. README.md, "Recovery dashboard", defines each number. `from` and `to` (YYYY-MM-DD, inclusive) span at most 366 days.',
    query: recoveryQuery,
    responses: {
      200: {
        description: 'Snapshots',
        schema: z.object({ snapshots: z.array(recoverySnapshot) }),
      },
    },
    errors: {
      400: 'a query parameter is malformed or unknown, `to` is before `from`, or the span is over 366 days',
    },
  }),
} as const;
