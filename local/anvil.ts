/**
 * A local EVM node: spawns the anvil binary shipped on npm on 127.0.0.1, waits until it answers
 * JSON-RPC, and stops it again (also when the process exits).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JsonRpcProvider, Network } from 'ethers';
import { freePort } from './ports.ts';

/**
 * anvil's well-known development accounts (mnemonic "test test ... junk"). Public, test-only
 * keys: never fund them on a real network.
 */
export const ANVIL_DEV_ACCOUNTS = [
  {
    address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
    privateKey: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  },
  {
    address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    privateKey: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  },
  {
    address: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
    privateKey: '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  },
  {
    address: '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
    privateKey: '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  },
  {
    address: '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65',
    privateKey: '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  },
] as const;

export const ANVIL_CHAIN_ID = 31337;

export interface AnvilOptions {
  /** @default a free port */
  readonly port?: number;
  /** Seconds between blocks when mining on an interval. */
  readonly blockTime?: number;
  /** Mine each transaction as it arrives. @default true unless blockTime is set */
  readonly automine?: boolean;
  readonly chainId?: number;
}

export interface AnvilHandle {
  readonly url: string;
  readonly port: number;
  readonly chainId: number;
  /** The anvil process (for checks that nothing outlives a run). */
  readonly pid: number | undefined;
  /** A provider with the network fixed (no detection retries) and caching off; destroyed on stop(). */
  provider(): JsonRpcProvider;
  stop(): Promise<void>;
}

export function anvilBinary(): string {
  const require = createRequire(import.meta.url);
  // The platform package holds the real binary; spawning it directly (not the node wrapper)
  // means stop() kills anvil itself.
  try {
    const pkg = require.resolve('@foundry-rs/anvil-linux-amd64/package.json');
    const binary = join(dirname(pkg), 'bin', 'anvil');
    if (existsSync(binary)) return binary;
  } catch {
    // another platform: fall through to the wrapper
  }
  return fileURLToPath(new URL('../node_modules/.bin/anvil', import.meta.url));
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

/** A provider for a local chain: static network (no endless re-detection once the node is gone), no cache. */
export function localProvider(url: string, chainId: number): JsonRpcProvider {
  return new JsonRpcProvider(url, Network.from(chainId), { staticNetwork: true, cacheTimeout: -1 });
}

async function waitUntilAnswering(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`anvil exited with ${child.exitCode}: ${output()}`);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`anvil did not answer on ${url} within 20 s: ${output()}`);
}

export async function startAnvil(opts: AnvilOptions = {}): Promise<AnvilHandle> {
  const port = opts.port ?? (await freePort());
  const chainId = opts.chainId ?? ANVIL_CHAIN_ID;
  const args = ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(chainId), '--silent'];
  if (opts.blockTime !== undefined) args.push('--block-time', String(opts.blockTime));
  if (opts.automine === false && opts.blockTime === undefined) args.push('--no-mining');
  const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  installExitHook();
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(url, child, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    running.delete(child);
    throw error;
  }
  const providers: JsonRpcProvider[] = [];
  return {
    url,
    port,
    chainId,
    pid: child.pid,
    provider() {
      const provider = localProvider(url, chainId);
      providers.push(provider);
      return provider;
    },
    async stop() {
      for (const provider of providers.splice(0)) provider.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(child);
    },
  };
}
