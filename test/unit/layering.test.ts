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

/** The services domains held to "no SQL in a service": every statement lives in a store. */
const SQL_FREE_DOMAINS = ['attention', 'creator', 'delivery', 'platform'];

/** The text of a file without its comments (block comments and whole-line `//` comments). */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
}

/** A template tagged with a client or transaction: sql`...`, tx<Row[]>`...`, deps.sql`...`. */
const SQL_TAG = /(?:\b(?:sql|tx|trx|t|q|db)|\.sql)\s*(?:<[^`;()]*>)?`/;
/** A statement's words, in any template literal. */
const SQL_TEXT =
  /\b(?:select\b[\s\S]*\bfrom|insert\s+into|update\s+[a-z_]+\.[a-z_]+\s+set|delete\s+from|on\s+conflict|pg_advisory\w*)\b/i;

/** Where `file` holds SQL text: a tagged template on a client, `.unsafe(`, or statement words in a template. */
function sqlIn(file: string): string[] {
  const text = code(file);
  const found: string[] = [];
  const tag = SQL_TAG.exec(text);
  if (tag !== null) found.push(`tagged template ${tag[0]}`);
  if (text.includes('.unsafe(')) found.push('.unsafe(');
  for (const template of text.matchAll(/`(?:[^`\\]|\\.)*`/g)) {
    const words = SQL_TEXT.exec(template[0]);
    if (words !== null) found.push(`SQL in a template: ${words[0].slice(0, 40)}`);
  }
  return found;
}

describe('layering', () => {
  it('no service of the SQL-free domains holds SQL text: its statements are named queries in a store', () => {
    const offending = SQL_FREE_DOMAINS.flatMap((domain) =>
      sourceFiles(join(SRC, 'services', domain)).flatMap((file) =>
        sqlIn(file).map((what) => `${relative(REPO_ROOT, file)}: ${what}`),
      ),
    );
    expect(offending).toEqual([]);
  });

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

  it('no service imports observability.ts: services report through the Telemetry port in their deps', () => {
    // Not converted yet, each named: the tree builder's modules (being reworked for sealing speed)
    // and the API key ring, which loads the logger lazily so the local server's LOG_LEVEL applies.
    const pending = new Set([
      'layers/shared/src/services/attention/carry-trees.ts',
      'layers/shared/src/services/attention/tree-builder.ts',
      'layers/shared/src/services/attention/tree-shards.ts',
      'layers/shared/src/services/attention/tree-storage.ts',
      'layers/shared/src/services/platform/api-auth.ts',
    ]);
    const importing = sourceFiles(join(SRC, 'services'))
      .filter((file) =>
        importsOf(file).some((spec) => target(file, spec) === 'layers/shared/src/observability.ts'),
      )
      .map((file) => relative(REPO_ROOT, file));
    expect(importing.filter((path) => !pending.has(path))).toEqual([]);
    // A module converted leaves the list.
    expect([...pending].filter((path) => !importing.includes(path))).toEqual([]);
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
