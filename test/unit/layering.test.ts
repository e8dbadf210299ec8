/**
 * The layering README.md ("Code layout") states, held to: dependencies point inward, a service
 * reaches the database only through the Sql port and the stores, and no hand-written module grows
 * past 400 lines.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
const SQL_FREE_DOMAINS = ['attention', 'creator', 'delivery', 'market', 'platform'];

/** A string or template literal in a file: its text (a template's `${…}` parts left out) and its tag, if any. */
interface Literal {
  readonly text: string;
  readonly tag?: string;
}

/**
 * The code of a file (comments, string and template text left out) and its literals: enough of a
 * TypeScript lexer to tell a tagged template from a template that follows a word, and a statement
 * in a string from one in a comment. A `/` after an operator or bracket starts a regular expression.
 */
function lex(text: string): { code: string; literals: Literal[] } {
  const literals: Literal[] = [];
  let code = '';
  let i = 0;
  const quoted = (quote: string): string => {
    let out = '';
    for (i++; i < text.length && text[i] !== quote; i++) {
      if (text[i] === '\\') i++;
      out += text[i] ?? '';
    }
    i++;
    return out;
  };
  const template = (tag: string | undefined): void => {
    let out = '';
    for (i++; i < text.length && text[i] !== '`'; i++) {
      if (text[i] === '\\') {
        out += text[++i] ?? '';
      } else if (text[i] === '$' && text[i + 1] === '{') {
        i += 2;
        code += scan('}');
        i--; // the loop steps over the `}` scan stopped after
        out += ' ';
      } else out += text[i];
    }
    i++;
    literals.push(tag === undefined ? { text: out } : { text: out, tag });
  };
  /** The tag right before a template's backtick: `name` or `name<Type>`, no space between. */
  const tagBefore = (before: string): string | undefined => {
    let end = before.length;
    if (before.endsWith('>') && !before.endsWith('=>')) {
      let depth = 0;
      for (end = before.length - 1; end >= 0; end--) {
        if (before[end] === '>') depth++;
        else if (before[end] === '<' && --depth === 0) break;
      }
    }
    return /([A-Za-z_$][\w$]*)$/.exec(before.slice(0, Math.max(end, 0)))?.[1];
  };
  const scan = (close: string | undefined): string => {
    let out = '';
    let depth = 0;
    while (i < text.length) {
      const c = text[i] as string;
      if (close !== undefined && c === close && depth === 0) {
        i++;
        return out;
      }
      if (c === '{') depth++;
      if (c === '}') depth--;
      if (c === '/' && text[i + 1] === '/') {
        while (i < text.length && text[i] !== '\n') i++;
      } else if (c === '/' && text[i + 1] === '*') {
        i = text.indexOf('*/', i + 2) + 2;
        if (i === 1) i = text.length;
      } else if (c === '/' && /[(,=:[!&|?{};]\s*$|^\s*$/.test(out.slice(-20))) {
        for (i++; i < text.length && text[i] !== '/'; i++) {
          if (text[i] === '\\') i++;
          else if (text[i] === '[') while (i < text.length && text[i] !== ']') i += text[i] === '\\' ? 2 : 1;
        }
        i++;
        out += ' /regex/ ';
      } else if (c === "'" || c === '"') {
        literals.push({ text: quoted(c) });
        out += ' "" ';
      } else if (c === '`') {
        template(tagBefore(out));
        out += ' `` ';
      } else {
        out += c;
        i++;
      }
    }
    return out;
  };
  code = scan(undefined) + code;
  return { code, literals };
}

/**
 * SQL written in a file: a tagged template (`sql\`…\``, `tx<Row[]>\`…\``: the only tagged
 * templates a service would write are statements), `.unsafe(`, or a statement in any string.
 */
function sqlIn(file: string): string[] {
  const { code, literals } = lex(readFileSync(file, 'utf8'));
  const found: string[] = [];
  for (const literal of literals)
    if (literal.tag !== undefined) found.push(`tagged template ${literal.tag}\``);
  if (code.includes('.unsafe(')) found.push('.unsafe(');
  const statement =
    /\b(select\s[\s\S]*?\bfrom\s+[a-z_]+\.[a-z_]+|insert\s+into\s|update\s+[a-z_]+\.[a-z_]+\s+set\s|delete\s+from\s|on\s+conflict\b)/i;
  for (const literal of literals) {
    const match = statement.exec(literal.text);
    if (match !== null) found.push(`SQL text "${match[1]?.replace(/\s+/g, ' ')}"`);
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
    const importing = sourceFiles(join(SRC, 'services'))
      .filter((file) =>
        importsOf(file).some((spec) => target(file, spec) === 'layers/shared/src/observability.ts'),
      )
      .map((file) => relative(REPO_ROOT, file));
    expect(importing).toEqual([]);
  });

  it('no market service holds SQL text: its statements are named queries in adapters/db/market/', () => {
    // The query builder counts too: a service reaches neither drizzle nor the schema's tables.
    const builder = (file: string) =>
      importsOf(file)
        .filter(
          (spec) => spec.startsWith('drizzle-orm') || target(file, spec)?.startsWith('drizzle/') === true,
        )
        .map((spec) => `imports ${spec}`);
    const offending = sourceFiles(join(SRC, 'services/market')).flatMap((file) =>
      [...sqlIn(file), ...builder(file)].map((what) => `${relative(REPO_ROOT, file)}: ${what}`),
    );
    expect(offending).toEqual([]);
  });

  it('the SQL check finds a statement in each of the forms it looks for', () => {
    const dir = mkdtempSync(join(tmpdir(), 'layering-'));
    try {
      const forms = {
        tagged: 'await tx<{ id: number }[]>`select id from market.claims`;',
        unsafe: 'await sql.unsafe(query);',
        text: "const query = 'delete from market.sessions where expires_at < now()';",
      };
      for (const [name, line] of Object.entries(forms)) {
        const file = join(dir, `${name}.ts`);
        writeFileSync(file, `// select id from market.claims (a comment is no statement)\n${line}\n`);
        expect(sqlIn(file), name).toHaveLength(name === 'tagged' ? 2 : 1);
      }
      const clean = join(dir, 'clean.ts');
      // A template after a word, and one with a placeholder, are no tagged templates.
      const placeholder = (name: string) => `$\{${name}}`;
      writeFileSync(
        clean,
        `throw new Error(\`select a token from the list: ${placeholder('name')}\`);\nconst x = \`${placeholder('a')}\`;\n`,
      );
      expect(sqlIn(clean)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
