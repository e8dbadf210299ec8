/**
 * The layering README.md ("Code layout") states, held to: dependencies point inward, a service
 * reaches the database only through the Sql port and the stores, and no hand-written module grows
 * past 400 lines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../lib/functions.ts';

const SRC = join(REPO_ROOT, 'layers/shared/src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every module a file imports, statically or with `import()`, as written. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)'([^']+)'/g)) {
    specifiers.push(match[1] as string);
  }
  return specifiers;
}

/** `spec` imported by `file`, as a path under the repository (relative imports only). */
function target(file: string, spec: string): string | undefined {
  return spec.startsWith('.') ? relative(REPO_ROOT, resolve(dirname(file), spec)) : undefined;
}

/** A store of one schema's aggregate, or (no schema) a statement on no table, as the advisory locks. */
const STORE =
  /^layers\/shared\/src\/adapters\/db\/((attention|creator|delivery|market)\/)?[a-z0-9-]+-store\.ts$/;

describe('layering', () => {
  it('a service imports from adapters/ only the stores under adapters/db/', () => {
    const offending = sourceFiles(join(SRC, 'services')).flatMap((file) =>
      importsOf(file)
        .map((spec) => target(file, spec))
        .filter((path): path is string => path?.startsWith('layers/shared/src/adapters/') === true)
        .filter((path) => !STORE.test(path))
        .map((path) => `${relative(REPO_ROOT, file)} imports ${path}`),
    );
    expect(offending).toEqual([]);
  });

  it('core/ imports no adapter, service, AWS SDK or chain SDK', () => {
    const forbidden =
      /^(@aws-sdk\/|@solana\/|ethers$|ethers\/|postgres$|drizzle-orm|@aws-lambda-powertools\/)/;
    const offending = sourceFiles(join(SRC, 'core')).flatMap((file) =>
      importsOf(file)
        .filter((spec) => {
          const path = target(file, spec);
          return path === undefined
            ? forbidden.test(spec)
            : path.startsWith('layers/shared/src/adapters/') ||
                path.startsWith('layers/shared/src/services/');
        })
        .map((spec) => `${relative(REPO_ROOT, file)} imports ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it('no hand-written module under layers/shared/src/ or functions/ is over 400 lines', () => {
    // Generated: the AssemblyScript keccak's wasm bytes (npm run build:keccak).
    const generated = new Set(['layers/shared/src/core/merkle/keccak-wasm.ts']);
    const files = [...sourceFiles(SRC), ...sourceFiles(join(REPO_ROOT, 'functions'))];
    const long = files
      .map((file) => ({
        path: relative(REPO_ROOT, file),
        lines: readFileSync(file, 'utf8').split('\n').length - 1,
      }))
      .filter(({ path, lines }) => lines > 400 && !generated.has(path))
      .map(({ path, lines }) => `${path}: ${lines} lines`);
    expect(long).toEqual([]);
  });
});
