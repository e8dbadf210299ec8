/**
 * One way to reach PostgreSQL: postgres.js underneath, drizzle on top, with the whole schema.
 * Lambdas keep one client per container; the local runtime and tests one per process.
 */
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from '../../../../../drizzle/schema/index.ts';
import type { Database, Sql } from '../../ports/sql.ts';

export type { Database, Queryable, Sql } from '../../ports/sql.ts';
export type Schema = typeof schema;

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
  /** The server cancels a statement that runs longer than this (`statement_timeout`). @default - none */
  readonly statementTimeoutMs?: number;
  /**
   * TLS that verifies the server's certificate chain and host name: against `ca` (PEM) when given,
   * else against Node's own trust store. @default - whatever the URL's `sslmode` says
   */
  readonly tls?: { readonly ca?: string };
  /**
   * The server is RDS Proxy, which multiplexes client sessions over its own connections: no
   * named prepared statements and no startup parameters besides the usual ones, so that only
   * what README.md ("RDS Proxy") lists pins a session. @default false
   */
  readonly viaProxy?: boolean;
  /**
   * Called for every new connection instead of the URL's password: an IAM auth token lives 15
   * minutes, longer than a cold start but not than a warm pool. @default - the URL's password
   */
  readonly password?: () => Promise<string>;
}

export function createDb(url: string, options: DbOptions = {}): DbHandle {
  const timeout = options.statementTimeoutMs;
  const viaProxy = options.viaProxy === true;
  const sql = postgres(url, {
    max: options.max ?? 10,
    idle_timeout: options.idleTimeout ?? 20,
    connect_timeout: 10,
    onnotice: () => {},
    // Named prepared statements pin an RDS Proxy session; unnamed ones (prepare: false) do not.
    prepare: !viaProxy,
    ...(options.tls === undefined ? {} : { ssl: verifiedTls(url, options.tls) }),
    ...(options.password === undefined ? {} : { pass: options.password }),
    // bigint columns come back as JS bigint only where drizzle asks for it (mode: 'bigint').
    types: { bigint: postgres.BigInt },
    connection: {
      application_name: 'engagement-oracle',
      // A direct connection takes the timeout as a startup parameter, for every statement of the
      // session. RDS Proxy refuses startup options, so through it see applyToTransactions below.
      ...(timeout !== undefined && !viaProxy ? { statement_timeout: timeout } : {}),
    },
  });
  if (timeout !== undefined && viaProxy) applyToTransactions(sql, timeout);
  // drizzle installs its own date parsers on this client: raw `sql` queries return timestamps
  // as PostgreSQL's text (`new Date(value)` reads them), drizzle queries as Date.
  const db = drizzle(sql, { schema });
  return { sql, db, close: () => sql.end({ timeout: 5 }) };
}

/**
 * postgres.js names the server (SNI) only for host names; `host` makes Node check the certificate
 * against an IP address too, instead of against its `localhost` fallback.
 */
function verifiedTls(url: string, tls: NonNullable<DbOptions['tls']>) {
  return {
    rejectUnauthorized: true,
    host: new URL(url).hostname.replace(/^\[|\]$/g, ''),
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
  };
}

type Begin = (first: unknown, second?: unknown) => Promise<unknown>;

/**
 * Through RDS Proxy the timeout is set per transaction (`SET LOCAL`, gone at commit), on every
 * transaction of this client and of drizzle over it: a session-level SET would pin the session
 * for its whole life. Statements outside a transaction are single reads; see README.md.
 */
function applyToTransactions(sql: Sql, timeoutMs: number): void {
  const setLocal = `set local statement_timeout = ${Math.trunc(timeoutMs)}`;
  const begin = (sql.begin as unknown as Begin).bind(sql);
  const withTimeout =
    (fn: (tx: postgres.TransactionSql) => unknown) => async (tx: postgres.TransactionSql) => {
      await tx.unsafe(setLocal);
      return fn(tx);
    };
  (sql as unknown as { begin: Begin }).begin = (first, second) =>
    typeof first === 'function'
      ? begin(withTimeout(first as (tx: postgres.TransactionSql) => unknown))
      : begin(first, withTimeout(second as (tx: postgres.TransactionSql) => unknown));
}
