/**
 * `oracle status`: what the platform is doing, read from the database and the configured
 * endpoints: dependencies up or down, migrations, discovery, sealing, publishing, oracle calls.
 * Exit 0 when every dependency answers, 1 otherwise.
 */
import { configuredChecks } from '../../functions/api/health/index.ts';
import { createPlatform } from '../../functions/platform.ts';
import { loadConfig } from '../../layers/shared/src/config.ts';
import { attentionSettings } from '../../layers/shared/src/services/attention/attention-settings.ts';
import { channelShardUsage } from '../../layers/shared/src/services/attention/shard-usage.ts';
import { checkHealth } from '../../layers/shared/src/services/platform/health.ts';

export const summary =
  'show dependencies, migrations, discovery, sealing, shards used, publishing and oracle call state';

async function optional<T>(query: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await query();
  } catch (error) {
    return { error: (error as Error).message };
  }
}

export async function run(_argv: string[]): Promise<number> {
  const platform = createPlatform(loadConfig(process.env));
  try {
    const c = platform.config;
    if (c.DATABASE_URL === undefined && c.DB_SECRET_ARN === undefined) {
      process.stderr.write(
        'oracle status: no DATABASE_URL set and no `oracle local` running; start one or point DATABASE_URL at a database\n',
      );
      return 2;
    }
    const health = await checkHealth(configuredChecks(platform));
    const { sql } = await platform.database();
    const report = {
      mode: c.ORACLE_MODE,
      stage: c.STAGE,
      publishMode: c.PUBLISH_MODE,
      health,
      migrations: await optional(async () => {
        const [row] = await sql<{ applied: number; last: string | null }[]>`
          select count(*)::int as applied, max(to_timestamp(created_at / 1000.0))::text as last from drizzle.__drizzle_migrations`;
        return row;
      }),
      discovery: await optional(async () => {
        const [last] =
          await sql`select mode, started_at::text, outcome, channels_added, channels_removed, error
          from attention.discovery_runs order by started_at desc limit 1`;
        const [tracked] = await sql<
          { n: number }[]
        >`select count(*)::int as n from attention.channels where tracked`;
        return { lastRun: last ?? null, trackedChannels: tracked?.n ?? 0 };
      }),
      sealing: await optional(async () => {
        const [row] = await sql`select max(epoch)::text as last_epoch, max(sealed_at)::text as last_sealed_at,
          count(*)::int as sealed_channel_epochs from attention.sealed_epochs`;
        return row;
      }),
      // The channels using the most shards in the last day (all of them: oracle channels).
      shards: await optional(async () =>
        (await channelShardUsage(sql, attentionSettings(c), { epochs: 24 })).slice(0, 10),
      ),
      publications: await optional(async () => {
        const rows = await sql<{ status: string; n: number }[]>`
          select status, count(*)::int as n from attention.publications group by status order by status`;
        return Object.fromEntries(rows.map((r) => [r.status, r.n]));
      }),
      oracleCalls: await optional(async () => {
        const rows = await sql<{ status: string; n: number }[]>`
          select status, count(*)::int as n from delivery.oracle_call_history group by status order by status`;
        return Object.fromEntries(rows.map((r) => [r.status, r.n]));
      }),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return health.status === 'ok' ? 0 : 1;
  } finally {
    await platform.close();
  }
}
