/**
 * Dependencies are passed in (issue 21, item 3): a handler's come from the platform it runs on
 * (functions/platform.ts), never from module state a test or a runtime swaps. So no module under
 * functions/ or layers/shared/src/ holds a mutable module-level binding (a `let` cache of a
 * client, a config), exports a `use*`/`reset*` setter that writes module state, or makes an SDK
 * client when it loads. Read with the TypeScript parser: top-level statements only, so a `let`
 * inside a function or a `useNonce(sql, ...)` store query is not taken for one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../lib/functions.ts';

/**
 * Module-level state allowed, `<path>: <name>`, each with its reason.
 */
const ALLOWED: Readonly<Record<string, string>> = {
  'layers/shared/src/core/merkle/keccak.ts: memoryBytes':
    "a view of the keccak wasm instance's memory, made again when the memory grows: no client or setting",
  'layers/shared/src/observability.ts: logger':
    'the Powertools logger: one per process by design; injectLambdaContext resets its keys per invocation',
  'layers/shared/src/observability.ts: metrics':
    'the Powertools metrics: one per process by design; logMetrics publishes and clears them per invocation',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const SETTER_NAME = /^(use|reset)[A-Z]/;
/** A client made at module load: an SDK client, or a Powertools logger, metrics or tracer. */
const CLIENT_CLASS = /(Client|^Logger|^Metrics|^Tracer)$/;
const COLLECTION_WRITES = new Set(['set', 'delete', 'clear', 'add']);

const isExported = (node: ts.Node) =>
  ts.canHaveModifiers(node) &&
  (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** What in one module's top level keeps state: each finding `<name>: <what>`. */
function moduleState(source: string, fileName = 'module.ts'): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const findings: string[] = [];
  /** Top-level bindings a function could write: every `let`/`var`, and `const` collections. */
  const state = new Set<string>();
  const functions: { name: string; body: ts.Node }[] = [];

  for (const statement of file.statements) {
    if (ts.isVariableStatement(statement)) {
      const mutable =
        (statement.declarationList.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) !== ts.NodeFlags.Const;
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name)) continue;
        const name = declaration.name.text;
        const init = declaration.initializer;
        if (mutable) {
          state.add(name);
          findings.push(`${name}: module-level let`);
        } else if (init !== undefined && ts.isNewExpression(init) && ts.isIdentifier(init.expression)) {
          const made = init.expression.text;
          if (/^(Map|WeakMap|Set|WeakSet)$/.test(made)) state.add(name);
          if (CLIENT_CLASS.test(made)) findings.push(`${name}: ${made} made at module load`);
        }
        if (
          isExported(statement) &&
          SETTER_NAME.test(name) &&
          init !== undefined &&
          (ts.isArrowFunction(init) || ts.isFunctionExpression(init))
        )
          functions.push({ name, body: init.body });
      }
    } else if (
      ts.isFunctionDeclaration(statement) &&
      statement.name !== undefined &&
      statement.body !== undefined &&
      isExported(statement) &&
      SETTER_NAME.test(statement.name.text)
    ) {
      functions.push({ name: statement.name.text, body: statement.body });
    }
  }

  for (const { name, body } of functions) {
    const written = writesOf(body, state);
    if (written.length > 0) findings.push(`${name}: exported setter of ${written.join(', ')}`);
  }
  return findings;
}

/** The names of `state` that `body` assigns, or changes through set/delete/clear/add. */
function writesOf(body: ts.Node, state: ReadonlySet<string>): string[] {
  const written = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      node.operatorToken.kind <= ts.SyntaxKind.LastAssignment &&
      ts.isIdentifier(node.left) &&
      state.has(node.left.text)
    )
      written.add(node.left.text);
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      ts.isIdentifier(node.expression.expression) &&
      state.has(node.expression.expression.text) &&
      COLLECTION_WRITES.has(node.expression.name.text)
    )
      written.add(node.expression.expression.text);
    ts.forEachChild(node, visit);
  };
  visit(body);
  return [...written];
}

describe('module state', () => {
  it('is found: a let cache, its use*/reset* setters, a client made at load', () => {
    const source = `
      import { SQSClient } from '@aws-sdk/client-sqs';
      let db: Promise<Handle> | undefined;
      const queues = new Map<string, Queue>();
      const sqs = new SQSClient({});
      export function database() { db ??= open(); return db; }
      export function useDatabase(handle: Handle | undefined) { db = handle && Promise.resolve(handle); }
      export const resetQueues = () => queues.clear();
    `;
    expect(moduleState(source)).toEqual([
      'db: module-level let',
      'sqs: SQSClient made at module load',
      'useDatabase: exported setter of db',
      'resetQueues: exported setter of queues',
    ]);
  });

  it('is not a query named use*/reset*, a let inside a function, or a cache keyed by platform', () => {
    const source = `
      const built = new WeakMap<Platform, Deps>();
      export async function useNonce(q: Queryable, nonce: string) { await q\`delete from n where v = \${nonce}\`; }
      export async function resetAlertStates(q: Queryable) { let n = 0; n += 1; return n; }
      export function depsOf(platform: Platform) { built.set(platform, make(platform)); return built.get(platform); }
    `;
    expect(moduleState(source)).toEqual([]);
  });

  it('is held by no module under functions/ or layers/shared/src/ beyond the allowed', () => {
    const files = [
      ...sourceFiles(join(REPO_ROOT, 'functions')),
      ...sourceFiles(join(REPO_ROOT, 'layers/shared/src')),
    ];
    const found = files.flatMap((file) => {
      const path = relative(REPO_ROOT, file);
      return moduleState(readFileSync(file, 'utf8'), path).map((finding) => `${path}: ${finding}`);
    });
    const unexplained = found.filter(
      (finding) => ALLOWED[finding.slice(0, finding.lastIndexOf(':'))] === undefined,
    );
    expect(unexplained).toEqual([]);
    // Every exception still exists: one that went is taken off the list.
    const used = new Set(found.map((finding) => finding.slice(0, finding.lastIndexOf(':'))));
    expect(Object.keys(ALLOWED).filter((key) => !used.has(key))).toEqual([]);
  });
});
