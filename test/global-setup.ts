/**
 * One embedded PostgreSQL per test run, with a migrated template database; every test file
 * clones its own database from the template (test/fixtures/db.ts), so files run in parallel
 * without seeing each other's rows.
 */

import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { runMigrations } from '../layers/shared/src/adapters/db/migrate.ts';
import { startEmbeddedPostgres } from '../local/embedded-postgres.ts';
import { setRolePasswords } from '../local/function-databases.ts';

export const TEMPLATE_DATABASE = 'oracle_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplateDatabase: string;
    /** A password generated for this run, by database role (lib/functions.ts DATABASE_ROLES). */
    pgRolePasswords: Record<string, string>;
  }
}

export default async function setup(project: TestProject) {
  const pg = await startEmbeddedPostgres();
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${TEMPLATE_DATABASE}`);
  await runMigrations(pg.urlFor(TEMPLATE_DATABASE));
  await admin.unsafe(`alter database ${TEMPLATE_DATABASE} with is_template true allow_connections false`);
  await admin.end();
  // The migrations create the function roles without passwords; tests log in as them.
  const rolePasswords = await setRolePasswords(pg.url);
  project.provide('pgAdminUrl', pg.url);
  project.provide('pgTemplateDatabase', TEMPLATE_DATABASE);
  project.provide('pgRolePasswords', rolePasswords);
  return async () => {
    await pg.stop();
  };
}
