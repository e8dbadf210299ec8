import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import bs58 from 'bs58';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimTree } from '../../layers/shared/src/core/merkle/index.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = join(root, 'node_modules/.bin/tsx');
const PROGRAM_ID = 'GnGzNdsQMxMpJfMeqnkGPsvHm8kwaDidiKjNU2dCVZop';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function oracle(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(tsx, ['bin/oracle.ts', ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

interface BuildOutput {
  format: string;
  root: string;
  leaves: Array<{ index: number; leaf: string; proof: string[] }>;
}

describe('oracle tree', () => {
  let dir: string;
  let input: string;
  const rows = Array.from({ length: 5 }, (_, i) => ({
    claimer: bs58.encode(Uint8Array.from({ length: 32 }, (_, j) => (i * 37 + j * 11) & 0xff)),
    index: i,
    amount: `${(i + 1) * 1_000_000}`,
    id: `${i}`.repeat(64),
  }));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oracle-tree-'));
    input = join(dir, 'leaves.json');
    await writeFile(input, JSON.stringify(rows));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('builds a claim-v1 tree whose printed proofs `tree verify` accepts, and writes a loadable dump', async () => {
    const dumpPath = join(dir, 'dump.json');
    const built = await oracle('tree', 'build', '--format', 'claim-v1', '--input', input, '--out', dumpPath);
    expect(built.code).toBe(0);
    const output = JSON.parse(built.stdout) as BuildOutput;
    expect(output.root).toMatch(/^0x[0-9a-f]{64}$/);
    expect(output.leaves.map((leaf) => leaf.index)).toEqual([0, 1, 2, 3, 4]);

    const dump = ClaimTree.load(JSON.parse(await readFile(dumpPath, 'utf8')), { check: 'full' });
    expect(`0x${Buffer.from(dump.root).toString('hex')}`).toBe(output.root);

    const last = output.leaves[4]!;
    const byHash = await oracle(
      'tree',
      'verify',
      '--root',
      output.root,
      '--leaf',
      last.leaf,
      '--proof',
      ...last.proof,
    );
    expect(byHash).toMatchObject({ code: 0, stdout: 'valid\n' });

    const first = output.leaves[0]!;
    const row = rows[0]!;
    const byClaim = await oracle(
      'tree',
      'verify',
      '--root',
      output.root.slice(2),
      '--claimer',
      row.claimer,
      '--index',
      '0',
      '--amount',
      row.amount,
      '--id',
      row.id,
      '--proof',
      first.proof.join(','),
    );
    expect(byClaim).toMatchObject({ code: 0, stdout: 'valid\n' });
  });

  it('exits 1 for a proof that does not connect the leaf to the root', async () => {
    const output = JSON.parse((await oracle('tree', 'build', '--input', input)).stdout) as BuildOutput;
    const [a, b] = [output.leaves[0]!, output.leaves[1]!];
    const run = await oracle(
      'tree',
      'verify',
      '--root',
      output.root,
      '--leaf',
      a.leaf,
      '--proof',
      ...b.proof,
    );
    expect(run).toMatchObject({ code: 1, stdout: 'invalid\n' });
  });

  it('exits 2 with a message naming what is wrong', async () => {
    const missingRoot = await oracle('tree', 'verify', '--leaf', `0x${'00'.repeat(32)}`);
    expect(missingRoot.code).toBe(2);
    expect(missingRoot.stderr).toContain('--root is required');

    const v2WithoutProgram = await oracle('tree', 'build', '--format', 'claim-v2', '--input', input);
    expect(v2WithoutProgram.code).toBe(2);
    expect(v2WithoutProgram.stderr).toContain('--program-id and --epoch');

    const badRows = join(dir, 'bad.json');
    await writeFile(badRows, JSON.stringify([{ ...rows[0], amount: '18446744073709551616' }]));
    const tooLarge = await oracle('tree', 'build', '--input', badRows);
    expect(tooLarge.code).toBe(2);
    expect(tooLarge.stderr).toMatch(/\[0\]\.amount.*u64/);
  });

  it('builds claim-v2 trees bound to the program id and epoch', async () => {
    const args = ['tree', 'build', '--format', 'claim-v2', '--input', input, '--program-id', PROGRAM_ID];
    const [epoch1, epoch2] = await Promise.all([
      oracle(...args, '--epoch', '1'),
      oracle(...args, '--epoch', '2'),
    ]);
    const [out1, out2] = [epoch1, epoch2].map((run) => JSON.parse(run.stdout) as BuildOutput);
    expect(out1!.format).toBe('claim-v2');
    expect(out1!.root).not.toBe(out2!.root);
    const leaf = out1!.leaves[2]!;
    const row = rows[2]!;
    const verified = await oracle(
      'tree',
      'verify',
      '--format',
      'claim-v2',
      '--program-id',
      PROGRAM_ID,
      '--epoch',
      '1',
      '--root',
      out1!.root,
      '--claimer',
      row.claimer,
      '--index',
      '2',
      '--amount',
      row.amount,
      '--id',
      row.id,
      '--proof',
      ...leaf.proof,
    );
    expect(verified).toMatchObject({ code: 0, stdout: 'valid\n' });
  });
});
