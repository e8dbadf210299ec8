/**
 * One way to reach PostgreSQL: postgres.js underneath, drizzle on top, with the whole schema.
 * Lambdas keep one client per container; the local runtime and tests one per process.
 */
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from '../../../../../drizzle/schema/index.ts';

export type Schema = typeof schema;
export type Database = PostgresJsDatabase<Schema>;
export type Sql = postgres.Sql;
/** A client or an open transaction: what a statement that must join the caller's transaction takes. */
export type Queryable = Sql | postgres.TransactionSql;

export interface DbHandle {
  readonly sql: Sql;
  readonly db: Database;
  close(): Promise<void>;
}

export interface DbOptions {
  /** Connections in the pool. @default 10 */
  readonly max?: number;
  /** Seconds a connection may stay idle before it is closed. @default 20 */
  readonly idleTimeout?: number;
}

export function createDb(url: string, options: DbOptions = {}): DbHandle {
  const sql = postgres(url, {
    max: options.max ?? 10,
    idle_timeout: options.idleTimeout ?? 20,
    connect_timeout: 10,
    onnotice: () => {},
    // bigint columns come back as JS bigint only where drizzle asks for it (mode: 'bigint').
    types: { bigint: postgres.BigInt },
    connection: { application_name: 'engagement-oracle' },
  });
  // drizzle installs its own date parsers on this client: raw `sql` queries return timestamps
  // as PostgreSQL's text (`new Date(value)` reads them), drizzle queries as Date.
  const db = drizzle(sql, { schema });
  return { sql, db, close: () => sql.end({ timeout: 5 }) };
}
