/**
 * The local runtime's database logins, as on AWS: each handler runs as its function's database
 * role (lib/functions.ts `databaseRole`), never as the owner of the tables, so a grant a function
 * lacks fails here (`npm run local -- --once`) before it fails in a deployment. Code outside any
 * handler (the migrations, the demo seed, the cycle's own checks) runs as the owner.
 *
 * All handlers share one process and one platform's `database()` (functions/platform.ts), and the
 * dependency caches built on it (market, delivery, claims) hold its `sql`. So the handle given
 * to them routes each query, when it is made, to the pool of the function whose invocation is
 * running (an AsyncLocalStorage scope that `asFunction` opens around every handler call).
 *
 *   const seal = asFunction('Seal', (await import('../functions/scheduled/seal/index.ts')).handler);
 *   await seal({ epoch });   // every statement of the seal runs as oracle_attention
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createDb, type DbHandle } from '../layers/shared/src/adapters/db/client.ts';
import { ConfigError } from '../layers/shared/src/errors.ts';
import { DATABASE_ROLES, type DatabaseRole, FUNCTIONS } from '../lib/functions.ts';

interface Invocation {
  readonly name: string;
  /** Undefined for a function registered without the database. */
  readonly role: DatabaseRole | undefined;
}

const running = new AsyncLocalStorage<Invocation>();

/** The handler of function `name` (lib/functions.ts), each call of it run as that function's role. */
export function asFunction<A extends unknown[], R>(
  name: string,
  handler: (...args: A) => R,
): (...args: A) => R {
  const spec = FUNCTIONS.find((s) => s.name === name);
  if (spec === undefined) throw new ConfigError(`no function named ${name} in lib/functions.ts`);
  const invocation: Invocation = { name, role: spec.database === true ? spec.databaseRole : undefined };
  return (...args) => running.run(invocation, () => handler(...args));
}

/** Generates a password for every function role and sets it, as the cluster's superuser. */
export async function setRolePasswords(adminUrl: string): Promise<Record<DatabaseRole, string>> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const passwords = {} as Record<DatabaseRole, string>;
    for (const role of DATABASE_ROLES) {
      // base64url: nothing a quoted literal would need escaped.
      passwords[role] = randomBytes(24).toString('base64url');
      await admin.unsafe(`alter role ${role} with password '${passwords[role]}'`);
    }
    return passwords;
  } finally {
    await admin.end({ timeout: 5 });
  }
}

export interface FunctionDatabases {
  /**
   * What `database()` gives the handlers: per query, the pool of the function running, or the
   * owner's outside any function.
   */
  readonly routed: DbHandle;
  /** The tables' owner, who ran the migrations. */
  readonly owner: DbHandle;
  /** The role pool `role` (for a test, or code that runs as a function outside a handler). */
  pool(role: DatabaseRole): DbHandle;
  close(): Promise<void>;
}

/**
 * One lazily opened pool per role on the database at `url` (the owner's login), logged in with
 * `passwords`.
 */
export function openFunctionDatabases(
  url: string,
  passwords: Readonly<Record<DatabaseRole, string>>,
  options: { readonly maxPerRole?: number } = {},
): FunctionDatabases {
  const owner = createDb(url, { max: options.maxPerRole ?? 4 });
  const pools = new Map<DatabaseRole, DbHandle>();
  const pool = (role: DatabaseRole): DbHandle => {
    let handle = pools.get(role);
    if (handle === undefined) {
      const login = new URL(url);
      login.username = role;
      login.password = passwords[role];
      handle = createDb(login.toString(), { max: options.maxPerRole ?? 4 });
      pools.set(role, handle);
    }
    return handle;
  };
  const current = (): DbHandle => {
    const invocation = running.getStore();
    if (invocation === undefined) return owner;
    if (invocation.role === undefined) {
      throw new ConfigError(
        `${invocation.name} has no database role (lib/functions.ts) yet reached the database`,
      );
    }
    return pool(invocation.role);
  };
  return {
    routed: {
      sql: routedTo(
        () => current().sql,
        () => {},
      ),
      db: routedTo(() => current().db, {}),
      // The pools outlive the platform given this handle; the runtime closes them with `close` below.
      close: async () => {},
    },
    owner,
    pool,
    async close() {
      const handles = [owner, ...pools.values()];
      pools.clear();
      await Promise.all(handles.map((h) => h.close()));
    },
  };
}

/**
 * A stand-in for the object `target()` returns at each use: calls and property reads go to it,
 * methods bound to it. `then` reads as absent, so awaiting the stand-in (outside any function,
 * as a promise chain does) never reaches the database.
 */
function routedTo<T extends object>(target: () => T, shape: object): T {
  return new Proxy(shape, {
    apply: (_shape, _this, args: unknown[]) =>
      Reflect.apply(target() as (...a: unknown[]) => unknown, undefined, args),
    get: (_shape, key) => {
      if (key === 'then') return undefined;
      const object = target();
      const value: unknown = Reflect.get(object, key, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
    has: (_shape, key) => Reflect.has(target(), key),
  }) as T;
}
