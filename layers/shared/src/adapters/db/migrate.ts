/**
 * The one migrator: the deploy-time custom resource, the local runtime, `oracle db migrate`
 * and the test harness all apply the committed SQL in drizzle/migrations through it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import type postgres from 'postgres';
import { createDb, type DbOptions } from './client.ts';

/** drizzle/migrations in the repository, or MIGRATIONS_DIR where a bundle ships them elsewhere. */
export function migrationsFolder(): string {
  const fromEnv = process.env['MIGRATIONS_DIR'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const inRepo = fileURLToPath(new URL('../../../../../drizzle/migrations', import.meta.url));
  if (existsSync(inRepo)) return inRepo;
  return fileURLToPath(new URL('./migrations', import.meta.url));
}

export interface MigrationResult {
  readonly applied: number;
  readonly total: number;
}

/** A URL, or a URL with the TLS and timeout settings of adapters/db/database-access.ts. */
export async function runMigrations(
  database: string | { readonly url: string; readonly options: DbOptions },
  folder = migrationsFolder(),
): Promise<MigrationResult> {
  const { url, options } = typeof database === 'string' ? { url: database, options: {} } : database;
  const { sql } = createDb(url, { ...options, max: 1 });
  try {
    const before = await countApplied(sql);
    // Concurrent migrators (two Lambdas, two test workers) take turns on one advisory lock.
    await sql`select pg_advisory_lock(7324511)`;
    try {
      await migrate(drizzle(sql), { migrationsFolder: folder, migrationsSchema: 'drizzle' });
    } finally {
      await sql`select pg_advisory_unlock(7324511)`;
    }
    const after = await countApplied(sql);
    return { applied: after - before, total: after };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function countApplied(sql: postgres.Sql): Promise<number> {
  const [exists] = await sql<{ present: boolean }[]>`
    select to_regclass('drizzle.__drizzle_migrations') is not null as present`;
  if (exists?.present !== true) return 0;
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
  return row?.n ?? 0;
}
