/**
 * The database as a service sees it. A service owns its transactions: it opens them with
 * `sql.begin` and runs, inside, the named queries of each aggregate it touches. Those queries live in
 * `adapters/db/<schema>/<aggregate>-store.ts` (row types inferred from `drizzle/schema`); a service
 * imports nothing else from `adapters/`. README.md ("Code layout") states the rule, and
 * test/unit/layering.test.ts holds the code to it.
 */

import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type postgres from 'postgres';
import type * as schema from '../../../../drizzle/schema/index.ts';

/** A postgres.js client: what a service opens its transactions on. */
export type Sql = postgres.Sql;
/** A client or an open transaction: what a statement that must join the caller's transaction takes. */
export type Queryable = Sql | postgres.TransactionSql;
/** The same connection through drizzle's query builder, with the whole schema. */
export type Database = PostgresJsDatabase<typeof schema>;
