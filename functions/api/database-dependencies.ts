/** What the API functions that only read and write the database need: its `sql`. */
import type { Sql } from '../../layers/shared/src/ports/sql.ts';
import type { Platform } from '../platform.ts';

export interface DatabaseDeps {
  readonly sql: Sql;
}

export async function databaseDependencies(platform: Platform): Promise<DatabaseDeps> {
  return { sql: (await platform.database()).sql };
}
