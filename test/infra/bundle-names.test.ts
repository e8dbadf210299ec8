/**
 * What CloudWatch shows of an error is what the bundle keeps: a Lambda bundled with the options
 * every function is bundled with (ESBUILD_OPTIONS) still throws its errors under their class names.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleOptions } from '../../lib/constructs/node-function.ts';
import { REPO_ROOT } from '../../lib/functions.ts';

// Inside the repository, so the bundle resolves the externals (@aws-sdk/*) as the runtime does.
const outdir = join(REPO_ROOT, 'node_modules', '.cache', `bundle-names-${process.pid}`);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('a bundled Lambda', () => {
  it('throws ValidationError by that name from the discovery bundle, minified', async () => {
    mkdirSync(outdir, { recursive: true });
    const outfile = join(outdir, 'index.mjs');
    await build({
      ...bundleOptions(join(REPO_ROOT, 'functions/scheduled/discovery/index.ts'), outdir),
      logLevel: 'silent',
    });
    const bundle = (await import(pathToFileURL(outfile).href)) as {
      handler(event: unknown): Promise<unknown>;
    };
    const thrown = await bundle.handler({ mode: 'full' }).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(thrown?.name).toBe('ValidationError');
    expect(thrown?.constructor.name).toBe('ValidationError');
  });
});
