/**
 * While `oracle local` runs it writes where everything listens to `.local/runtime.json`, so
 * other `oracle` commands in another terminal talk to the same database and chains without
 * copying URLs around. A variable already set in the environment always wins.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../.local/', import.meta.url));
const FILE = `${DIR}runtime.json`;

export interface RuntimeState {
  readonly pid: number;
  readonly startedAt: string;
  readonly env: Record<string, string>;
}

export function writeRuntimeState(env: Record<string, string>): void {
  mkdirSync(DIR, { recursive: true });
  const state: RuntimeState = { pid: process.pid, startedAt: new Date().toISOString(), env };
  writeFileSync(FILE, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export function removeRuntimeState(): void {
  if (!existsSync(FILE)) return;
  try {
    const state = JSON.parse(readFileSync(FILE, 'utf8')) as RuntimeState;
    if (state.pid === process.pid) rmSync(FILE);
  } catch {
    rmSync(FILE, { force: true });
  }
}

/** The running local runtime's environment, if one is running; otherwise undefined. */
export function readRuntimeState(): RuntimeState | undefined {
  if (!existsSync(FILE)) return undefined;
  try {
    const state = JSON.parse(readFileSync(FILE, 'utf8')) as RuntimeState;
    process.kill(state.pid, 0);
    return state;
  } catch {
    return undefined;
  }
}

/** Fills unset variables from the running local runtime. */
export function adoptRuntimeEnvironment(env: NodeJS.ProcessEnv = process.env): boolean {
  const state = readRuntimeState();
  if (state === undefined) return false;
  for (const [name, value] of Object.entries(state.env)) env[name] ??= value;
  return true;
}
