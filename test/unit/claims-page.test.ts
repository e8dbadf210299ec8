import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildClaimsPage, buildClaimsPageSync } from '../../functions/web/claims-page/build.ts';
import { claimsPageConfig, walletChainOf } from '../../functions/web/claims-page/src/config.ts';
import { problemOf, problemOfTransactionError } from '../../functions/web/claims-page/src/problems.ts';
import { RpcError, RpcUnreachableError } from '../../functions/web/claims-page/src/solana-rpc.ts';

const dirs: string[] = [];
async function outDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'claims-page-test-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('building the claims page', () => {
  it('writes index.html, a minified browser bundle with its source map, and styles.css', async () => {
    const dir = await outDir();
    await buildClaimsPage(dir);
    expect((await readdir(dir)).sort()).toEqual(['app.js', 'app.js.map', 'index.html', 'styles.css']);
    const app = await readFile(join(dir, 'app.js'), 'utf8');
    expect(app).toMatch(/\/\/# sourceMappingURL=app\.js\.map\s*$/);
    // A browser bundle: no Node built-ins, nothing left to resolve at run time.
    expect(app).not.toMatch(/require\(|from\s*["']node:|process\.env/);
    // Minified: no indented source lines.
    expect(app).not.toMatch(/\n {2,}\S/);
    const html = await readFile(join(dir, 'index.html'), 'utf8');
    expect(html).toContain('src="./app.js"');
    expect(html).toContain('href="./styles.css"');
  });

  it('builds the same files synchronously, for callers that cannot await', async () => {
    const dir = await outDir();
    buildClaimsPageSync(dir);
    expect((await readdir(dir)).sort()).toEqual(['app.js', 'app.js.map', 'index.html', 'styles.css']);
  });
});

describe('config.json', () => {
  it('takes the API, the RPC and the cluster, without a trailing slash on the API', () => {
    expect(
      claimsPageConfig.parse({
        apiBaseUrl: 'https://api.example.com/',
        solanaRpcUrl: 'https://rpc.example.com',
        solanaCluster: 'mainnet-beta',
      }),
    ).toEqual({
      apiBaseUrl: 'https://api.example.com',
      solanaRpcUrl: 'https://rpc.example.com',
      solanaCluster: 'mainnet-beta',
    });
  });

  it('refuses an unknown cluster and an unknown field, naming them', () => {
    const cluster = claimsPageConfig.safeParse({
      apiBaseUrl: 'https://api.example.com',
      solanaRpcUrl: 'https://rpc.example.com',
      solanaCluster: 'mainnet',
    });
    expect(cluster.error?.issues[0]?.message).toMatch(/solanaCluster must be one of localnet, devnet/);
    const extra = claimsPageConfig.safeParse({
      apiBaseUrl: 'https://api.example.com',
      solanaRpcUrl: 'https://rpc.example.com',
      solanaCluster: 'devnet',
      adminToken: 'x',
    });
    expect(extra.success).toBe(false);
  });

  it("names the cluster as the Wallet Standard does (mainnet-beta is 'solana:mainnet')", () => {
    expect(walletChainOf('mainnet-beta')).toBe('solana:mainnet');
    expect(walletChainOf('localnet')).toBe('solana:localnet');
  });
});

describe('what the page tells a viewer', () => {
  const context = { rpcUrl: 'https://rpc.example.com', chain: 'solana:devnet' };

  it("reads the program's SlotMismatch as a root that left its ring slot", () => {
    expect(problemOfTransactionError({ InstructionError: [0, { Custom: 6017 }] }).kind).toBe('root-expired');
    expect(problemOfTransactionError({ InstructionError: [0, { Custom: 6006 }] }).kind).toBe(
      'already-claimed',
    );
  });

  it('reads a failed preflight for want of lamports as a wallet that needs SOL', () => {
    const error = new RpcError(
      -32002,
      'Transaction simulation failed',
      ['Transfer: insufficient lamports 0, need 2039280'],
      {
        InstructionError: [0, { Custom: 1 }],
      },
    );
    expect(problemOf(error, context).kind).toBe('not-enough-sol');
  });

  it('tells the viewer to wait and claim again when the RPC does not answer', () => {
    const problem = problemOf(new RpcUnreachableError('https://rpc.example.com'), context);
    expect(problem.kind).toBe('rpc-down');
    expect(problem.detail).toContain('rpc.example.com');
    expect(problem.next).toMatch(/Claim all/);
  });
});
