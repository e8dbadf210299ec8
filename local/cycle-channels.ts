/**
 * The cycle's channel configuration, through the admin routes as an operator would: the first
 * tracked channel is put in MILO, the last one on the blocklist; the liveness pass that follows
 * must untrack it, so the chat, sealing and publishing after see it no more.
 */
import { asFunction } from './function-databases.ts';
import type { LocalRuntime } from './runtime.ts';

async function putChannel(
  runtime: LocalRuntime,
  channel: string,
  body: Record<string, unknown>,
): Promise<void> {
  const response = await fetch(`${runtime.apiUrl}/admin/channels/${channel}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${runtime.adminToken}` },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) {
    const answer = (await response.json()) as { error?: { message: string } };
    throw new Error(`PUT /admin/channels/${channel} answered ${response.status}: ${answer.error?.message}`);
  }
}

export async function configureChannels(runtime: LocalRuntime, discovered: readonly string[]) {
  const [grouped, ...rest] = discovered;
  const blocked = rest.at(-1);
  if (grouped === undefined || blocked === undefined) {
    throw new Error(`channel configuration needs two tracked channels, discovery found ${discovered.length}`);
  }
  await putChannel(runtime, grouped, { tokenGroup: 'MILO' });
  await putChannel(runtime, blocked, { blocked: true, reason: 'CLS_BLOCKLIST (local cycle)' });
  const { handler } = await import('../functions/scheduled/discovery/index.ts');
  const liveness = await asFunction('Discovery', handler.on(runtime.platform))({ mode: 'liveness' });
  if (!liveness.removed.includes(blocked)) {
    throw new Error(`the liveness pass did not untrack the blocklisted ${blocked}`);
  }
  const { sql } = await runtime.platform.database();
  const tracked = await sql<{ channel: string }[]>`
    select channel from attention.channels where tracked order by channel`;
  const [audited] = await sql<{ n: number }[]>`
    select count(*)::int as n from creator.admin_audit_log
    where action = 'channel.set' and actor = 'local' and target_id = any(${[grouped, blocked]}::text[])`;
  return {
    tokenGroup: { channel: grouped, group: 'MILO' },
    blocked,
    untrackedByLiveness: liveness.removed,
    tracked: tracked.map((r) => r.channel),
    auditEntries: audited?.n ?? 0,
  };
}
