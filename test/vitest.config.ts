import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root,
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most files wait on PostgreSQL, anvil, LiteSVM or a child process more than they compute:
    // three workers keep two cores busy.
    maxWorkers: 3,
    reporters: ['default'],
  },
});
