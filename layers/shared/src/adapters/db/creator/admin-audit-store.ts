/** The named queries of the admin audit log (`creator.admin_audit_log`). */
import type { adminAuditLog } from '../../../../../../drizzle/schema/creator.ts';
import type { Queryable } from '../../../ports/sql.ts';

type AuditRow = typeof adminAuditLog.$inferSelect;

/** An entry as the audit route answers it: the row as drizzle infers it, its time as an ISO string. */
export type AuditEntry = Readonly<Omit<AuditRow, 'createdAt'> & { createdAt: string }>;

/** An entry to write; `before`, `after` and `details` as JSON text (null for none). */
export type NewAuditEntry = Pick<AuditRow, 'actor' | 'action' | 'targetType' | 'targetId'> & {
  readonly before: string | null;
  readonly after: string | null;
  readonly details: string | null;
};

export async function insertAuditEntry(q: Queryable, entry: NewAuditEntry): Promise<void> {
  await q`
    insert into creator.admin_audit_log (actor, action, target_type, target_id, before, after, details)
    values (${entry.actor}, ${entry.action}, ${entry.targetType}, ${entry.targetId},
      ${entry.before}::jsonb, ${entry.after}::jsonb, ${entry.details}::jsonb)`;
}

export interface AuditQuery {
  readonly actor: string | null;
  /** An exact action, or an area: `channel` matches `channel.set` and `channel.clear`. */
  readonly action: string | null;
  readonly targetType: string | null;
  readonly targetId: string | null;
  readonly from: Date | null;
  readonly to: Date | null;
  readonly beforeId: number | null;
  readonly limit: number;
}

/** Newest first. */
export async function listAuditEntries(q: Queryable, filter: AuditQuery): Promise<AuditEntry[]> {
  const { actor, action, targetType, targetId, beforeId } = filter;
  const from = filter.from?.toISOString() ?? null;
  const to = filter.to?.toISOString() ?? null;
  const rows = await q`
    select id, actor, action, target_type, target_id, before, after, details, created_at
    from creator.admin_audit_log
    where (${actor}::text is null or actor = ${actor})
      and (${action}::text is null or action = ${action} or action like ${action === null ? null : `${likeEscape(action)}.%`})
      and (${targetType}::text is null or target_type = ${targetType})
      and (${targetId}::text is null or target_id = ${targetId})
      and (${from}::timestamptz is null or created_at >= ${from}::timestamptz)
      and (${to}::timestamptz is null or created_at < ${to}::timestamptz)
      and (${beforeId}::bigint is null or id < ${beforeId})
    order by id desc limit ${filter.limit}`;
  return rows.map((row) => ({
    id: Number(row['id']),
    actor: String(row['actor']),
    action: String(row['action']),
    targetType: row['target_type'] as string | null,
    targetId: row['target_id'] as string | null,
    before: row['before'],
    after: row['after'],
    details: row['details'] as Record<string, unknown> | null,
    createdAt: new Date(row['created_at'] as Date | string).toISOString(),
  }));
}

function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
