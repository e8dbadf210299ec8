/**
 * The admin audit log (`creator.admin_audit_log`; the source: "Audit Logging: All administrative
 * actions logged"). Every admin route and CLI command that changes state records who did what to
 * which target, and the target before and after, through `recordAdminAction`, in the transaction
 * of the change where there is one: an action that rolls back leaves no entry, and an entry never
 * names a change that did not happen.
 *
 * Who: on a route, the name of the admin token the authorizer accepted (never the token); from the
 * CLI, which writes to the database directly, `cli:<os user>@<host>`.
 */
import { hostname, userInfo } from 'node:os';
import { ValidationError } from '../../errors.ts';
import type { Queryable, Sql } from '../../ports/sql.ts';

export interface AdminAction {
  /** The admin token's name, or `cli:<os user>@<host>`. */
  readonly actor: string;
  /** What was done, `<area>.<verb>`: `channel.set`, `oracle-call.retry`, `ingest-key.void`, ... */
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string;
  /** The target before the action; null when it did not exist. */
  readonly before?: unknown;
  /** The target after the action; null when it no longer exists. */
  readonly after?: unknown;
  /** What else explains the action: a reason, counts, the request's parameters. */
  readonly details?: Record<string, unknown>;
}

export interface AuditEntry {
  readonly id: number;
  readonly actor: string;
  readonly action: string;
  readonly targetType: string | null;
  readonly targetId: string | null;
  readonly before: unknown;
  readonly after: unknown;
  readonly details: Record<string, unknown> | null;
  readonly createdAt: string;
}

/** Who runs this CLI: `cli:<os user>@<host>`. */
export function cliActor(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // A uid without a passwd entry (some containers) has no name: the environment's, or the uid.
    user = process.env['USER'] ?? `uid${process.getuid?.() ?? '?'}`;
  }
  return `cli:${user}@${hostname()}`;
}

/** Records one admin action; pass the transaction of the change so both commit or neither. */
export async function recordAdminAction(sql: Queryable, entry: AdminAction): Promise<void> {
  if (entry.actor === '') throw new ValidationError('an audited action needs its actor');
  await sql`
    insert into creator.admin_audit_log (actor, action, target_type, target_id, before, after, details)
    values (${entry.actor}, ${entry.action}, ${entry.targetType}, ${entry.targetId},
      ${jsonText(entry.before)}::jsonb, ${jsonText(entry.after)}::jsonb, ${jsonText(entry.details)}::jsonb)`;
}

function jsonText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  // bigint amounts are written as decimal strings, as the API answers them.
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

export interface AuditFilter {
  readonly actor?: string;
  /** An exact action, or an area: `channel` matches `channel.set` and `channel.clear`. */
  readonly action?: string;
  readonly targetType?: string;
  readonly targetId?: string;
  readonly from?: Date;
  readonly to?: Date;
  /** Entries with an id below this (the previous page's `nextBefore`). */
  readonly before?: number;
  /** @default 50, at most 500 */
  readonly limit?: number;
}

/** Newest first, a page at a time: `nextBefore` is null on the last page. */
export async function listAdminAudit(
  sql: Sql,
  filter: AuditFilter = {},
): Promise<{ entries: AuditEntry[]; nextBefore: number | null }> {
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
  const action = filter.action ?? null;
  const rows = await sql<
    {
      id: string;
      actor: string;
      action: string;
      target_type: string | null;
      target_id: string | null;
      before: unknown;
      after: unknown;
      details: Record<string, unknown> | null;
      created_at: Date | string;
    }[]
  >`
    select id, actor, action, target_type, target_id, before, after, details, created_at
    from creator.admin_audit_log
    where (${filter.actor ?? null}::text is null or actor = ${filter.actor ?? null})
      and (${action}::text is null or action = ${action} or action like ${action === null ? null : `${likeEscape(action)}.%`})
      and (${filter.targetType ?? null}::text is null or target_type = ${filter.targetType ?? null})
      and (${filter.targetId ?? null}::text is null or target_id = ${filter.targetId ?? null})
      and (${filter.from?.toISOString() ?? null}::timestamptz is null or created_at >= ${filter.from?.toISOString() ?? null}::timestamptz)
      and (${filter.to?.toISOString() ?? null}::timestamptz is null or created_at < ${filter.to?.toISOString() ?? null}::timestamptz)
      and (${filter.before ?? null}::bigint is null or id < ${filter.before ?? null})
    order by id desc limit ${limit}`;
  const entries = rows.map((row) => ({
    id: Number(row.id),
    actor: row.actor,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    before: row.before,
    after: row.after,
    details: row.details,
    createdAt: new Date(row.created_at).toISOString(),
  }));
  const last = entries.at(-1);
  return { entries, nextBefore: entries.length === limit && last !== undefined ? last.id : null };
}

function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
