/**
 * The admin HTTP surface of the delivery engine, independent of API Gateway: query strings in,
 * JSON-ready objects out. `GET /admin/oracle-calls`, `GET /admin/oracle-calls/:id`,
 * `POST /admin/oracle-calls/:id/retry`, `GET /admin/alerts`.
 */
import { z } from 'zod';
import { CALL_STATUSES } from '../../core/delivery/call-status.ts';
import { ValidationError } from '../../errors.ts';
import type { AdminAlertService } from './admin-alerts.ts';
import { getOracleCall, listOracleCalls, type RetryDeps, retryOracleCall } from './operator-calls.ts';

const time = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO-8601 time')
  .transform((v) => new Date(v));

/**
 * A call id as a path or query value: delivery.oracle_call_history.id is a bigint, and a JSON
 * number holds integers exactly only up to 2^53 - 1, so larger ones are refused here rather than
 * by the database.
 */
const callIdNumber = z.coerce
  .number()
  .int()
  .positive()
  .max(Number.MAX_SAFE_INTEGER, `must be at most ${Number.MAX_SAFE_INTEGER}`);

export const listCallsQuery = z
  .object({
    status: z.enum(CALL_STATUSES).optional(),
    address: z
      .string()
      .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x address')
      .optional(),
    function: z.string().min(1).max(100).optional(),
    from: time.optional(),
    to: time.optional(),
    before: callIdNumber.optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();

export const listAlertsQuery = z
  .object({
    address: listCallsQuery.shape.address,
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();

export const callId = callIdNumber;

export type CallsQuery = z.output<typeof listCallsQuery>;
export type AlertsQuery = z.output<typeof listAlertsQuery>;

function parse<T extends z.ZodTypeAny>(schema: T, input: unknown, what: string): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ValidationError(
      `${what}: ${issue?.path.join('.') || 'value'} ${issue?.message ?? 'is invalid'}`,
      {
        details: { issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
      },
    );
  }
  return result.data;
}

export interface AdminOracleDeps extends RetryDeps {
  readonly alerts: AdminAlertService;
}

/**
 * Each route's input read as the route reads it, a ValidationError (400) for what it refuses: the
 * HTTP function reads it with these before it builds any dependency, and hands the routes below
 * what they read.
 */
export function parseCallsQuery(query: Record<string, string | undefined>): CallsQuery {
  return parse(listCallsQuery, stripUndefined(query), 'query');
}

export function parseCallId(id: string): number {
  return parse(callId, id, 'call id');
}

export function parseAlertsQuery(query: Record<string, string | undefined>): AlertsQuery {
  return parse(listAlertsQuery, stripUndefined(query), 'query');
}

export async function listCallsRoute(deps: AdminOracleDeps, q: CallsQuery) {
  const calls = await listOracleCalls(deps.sql, {
    ...(q.status === undefined ? {} : { status: q.status }),
    ...(q.address === undefined ? {} : { address: q.address }),
    ...(q.function === undefined ? {} : { functionName: q.function }),
    ...(q.from === undefined ? {} : { from: q.from }),
    ...(q.to === undefined ? {} : { to: q.to }),
    ...(q.before === undefined ? {} : { beforeId: q.before }),
    ...(q.limit === undefined ? {} : { limit: q.limit }),
  });
  const last = calls.at(-1);
  return { calls, nextBefore: calls.length === (q.limit ?? 50) && last !== undefined ? last.id : null };
}

export function getCallRoute(deps: AdminOracleDeps, id: number) {
  return getOracleCall(deps.sql, id);
}

/** `actor`: the admin token's name, for the audit log. */
export async function retryCallRoute(deps: AdminOracleDeps, id: number, actor: string) {
  return { call: await retryOracleCall(deps, id, actor) };
}

export async function listAlertsRoute(deps: AdminOracleDeps, q: AlertsQuery) {
  const [active, alerts] = await Promise.all([
    deps.alerts.getActiveFailures(),
    deps.alerts.listAlerts({
      ...(q.address === undefined ? {} : { targetAddress: q.address }),
      ...(q.limit === undefined ? {} : { limit: q.limit }),
    }),
  ]);
  return { policy: deps.alerts.policy, activeFailures: active, alerts };
}

function stripUndefined(query: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
}
