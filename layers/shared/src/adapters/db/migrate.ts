/**
 * The one migrator: the deploy-time custom resource, the local runtime, `oracle db migrate`
 * and the test harness all apply the committed SQL in drizzle/migrations through it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';

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

export async function runMigrations(
  databaseUrl: string,
  folder = migrationsFolder(),
): Promise<MigrationResult> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
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
