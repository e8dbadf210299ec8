/**
 * Compiles the reference contracts in `contracts/*.sol` with solc-js and keeps one artifact per
 * contract in `contracts/artifacts/<Name>.json`. An artifact records which source files went into
 * it and a hash over their text, the compiler version and the settings, so a stale artifact is
 * recompiled on load and a fresh one is read without starting the compiler.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InterfaceAbi } from 'ethers';

export const CONTRACTS_DIR = fileURLToPath(new URL('.', import.meta.url));
export const ARTIFACTS_DIR = join(CONTRACTS_DIR, 'artifacts');

// anvil runs every fork up to its default; cancun keeps the bytecode valid on Filecoin EVM too.
export const COMPILER_SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'metadata'] } },
} as const;

export interface ContractArtifact {
  readonly contractName: string;
  readonly sourceName: string;
  readonly compiler: string;
  /** Every source file the contract was compiled from (its own and its imports). */
  readonly sources: readonly string[];
  readonly sourcesHash: string;
  readonly abi: InterfaceAbi;
  readonly bytecode: string;
}

interface SolcCompiler {
  version(): string;
  compile(
    input: string,
    callbacks?: { import(path: string): { contents: string } | { error: string } },
  ): string;
}

interface SolcError {
  severity: 'error' | 'warning' | 'info';
  formattedMessage: string;
  sourceLocation?: { file: string };
}

interface SolcOutput {
  errors?: SolcError[];
  contracts?: Record<
    string,
    Record<string, { abi: InterfaceAbi; evm: { bytecode: { object: string } }; metadata: string }>
  >;
}

let compiler: SolcCompiler | undefined;
function solc(): SolcCompiler {
  compiler ??= createRequire(import.meta.url)('solc') as SolcCompiler;
  return compiler;
}

export function compilerVersion(): string {
  return solc().version();
}

function readSource(file: string): string | undefined {
  const path = join(CONTRACTS_DIR, file);
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

export function solidityFiles(): string[] {
  return readdirSync(CONTRACTS_DIR)
    .filter((file) => file.endsWith('.sol'))
    .sort();
}

/** The hash an artifact must carry to be fresh: compiler, settings and the text of its sources. */
export function hashSources(files: readonly string[], version: string): string {
  const hash = createHash('sha256');
  hash.update(version);
  hash.update(JSON.stringify(COMPILER_SETTINGS));
  for (const file of [...files].sort()) {
    hash.update(`\0${file}\0`);
    hash.update(readSource(file) ?? '\0missing');
  }
  return hash.digest('hex');
}

export class ContractCompileError extends Error {
  constructor(
    message: string,
    readonly errors: readonly string[],
  ) {
    super(`${message}\n${errors.join('\n')}`);
    this.name = 'ContractCompileError';
  }
}

function runSolc(files: readonly string[]): SolcOutput {
  const sources: Record<string, { content: string }> = {};
  for (const file of files) sources[file] = { content: readSource(file) ?? '' };
  const input = { language: 'Solidity', sources, settings: COMPILER_SETTINGS };
  const findImports = (path: string) => {
    const content = readSource(path.replace(/^\.\//, ''));
    return content === undefined ? { error: `not found: ${path}` } : { contents: content };
  };
  return JSON.parse(solc().compile(JSON.stringify(input), { import: findImports })) as SolcOutput;
}

function writeAtomically(path: string, text: string): void {
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}

/**
 * Compiles all contracts together; when one file does not compile (someone's work in progress),
 * falls back to compiling each file on its own so the others still get their artifacts.
 * Returns the artifacts written and the errors of the files that failed.
 */
export function compileAll(files: readonly string[] = solidityFiles()): {
  artifacts: ContractArtifact[];
  failures: Map<string, string[]>;
} {
  const version = compilerVersion();
  const failures = new Map<string, string[]>();
  const outputs: SolcOutput[] = [];
  const together = runSolc(files);
  const hasErrors = (output: SolcOutput) => (output.errors ?? []).some((e) => e.severity === 'error');
  if (!hasErrors(together)) outputs.push(together);
  else {
    for (const file of files) {
      const alone = runSolc([file]);
      if (hasErrors(alone)) {
        failures.set(
          file,
          (alone.errors ?? []).filter((e) => e.severity === 'error').map((e) => e.formattedMessage),
        );
      } else outputs.push(alone);
    }
  }
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const artifacts: ContractArtifact[] = [];
  for (const output of outputs) {
    for (const [sourceName, contracts] of Object.entries(output.contracts ?? {})) {
      for (const [contractName, compiled] of Object.entries(contracts)) {
        const bytecode = compiled.evm.bytecode.object;
        // Interfaces and abstract contracts have no bytecode and nothing to deploy.
        if (bytecode.length === 0) continue;
        const metadata = JSON.parse(compiled.metadata) as { sources: Record<string, unknown> };
        const sources = Object.keys(metadata.sources).sort();
        const artifact: ContractArtifact = {
          contractName,
          sourceName,
          compiler: version,
          sources,
          sourcesHash: hashSources(sources, version),
          abi: compiled.abi,
          bytecode: `0x${bytecode}`,
        };
        writeAtomically(
          join(ARTIFACTS_DIR, `${contractName}.json`),
          `${JSON.stringify(artifact, null, 2)}\n`,
        );
        artifacts.push(artifact);
      }
    }
  }
  return { artifacts, failures };
}

export function readArtifact(name: string): ContractArtifact | undefined {
  const path = join(ARTIFACTS_DIR, `${name}.json`);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as ContractArtifact;
}

/** Whether the artifact was built from the sources as they are now, by this compiler. */
export function isFresh(artifact: ContractArtifact): boolean {
  return (
    artifact.compiler.startsWith(`${installedSolcVersion()}+`) &&
    artifact.sourcesHash === hashSources(artifact.sources, artifact.compiler)
  );
}

// Read from the package, so checking an artifact does not load the (slow to start) compiler.
function installedSolcVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('solc/package.json') as { version: string }).version;
}

/** The ABI and creation bytecode of contract `name`, compiling first when its artifact is stale. */
export async function loadArtifact(name: string): Promise<{ abi: InterfaceAbi; bytecode: string }> {
  const cached = readArtifact(name);
  if (cached !== undefined && isFresh(cached)) return { abi: cached.abi, bytecode: cached.bytecode };
  const { artifacts, failures } = compileAll();
  const built = artifacts.find((artifact) => artifact.contractName === name);
  if (built !== undefined) return { abi: built.abi, bytecode: built.bytecode };
  const errors = [...failures.values()].flat();
  throw new ContractCompileError(`contract ${name} was not produced by contracts/*.sol`, errors);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { artifacts, failures } = compileAll();
  for (const artifact of artifacts)
    process.stdout.write(`${artifact.contractName} <- ${artifact.sourceName}\n`);
  for (const [file, errors] of failures) process.stderr.write(`${file} failed:\n${errors.join('\n')}\n`);
  process.exitCode = failures.size > 0 ? 1 : 0;
}
