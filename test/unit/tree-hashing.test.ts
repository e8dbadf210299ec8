import { randomBytes } from 'node:crypto';
import bs58 from 'bs58';
import { afterAll, describe, expect, it } from 'vitest';
import { ClaimTree, type LeafOptions } from '../../layers/shared/src/core/merkle/index.ts';
import {
  DUMP_PART_CHARS,
  dumpTextParts,
  hashTree,
  hashTreeBytes,
  type TreeHashJob,
} from '../../layers/shared/src/services/attention/tree-hashing.ts';
import { WorkerTreeHasher } from '../../local/tree-hash-pool.ts';

const V2: LeafOptions = {
  format: 'claim-v2',
  programId: bs58.decode('GnGzNdsQMxMpJfMeqnkGPsvHm8kwaDidiKjNU2dCVZop'),
  epoch: 1767261600n,
};

function job(count: number, options: LeafOptions = { format: 'claim-v1' }): TreeHashJob {
  const claimers = new Uint8Array(randomBytes(count * 32));
  const amounts = new BigUint64Array(count);
  const ids: string[] = [];
  const wallets: string[] = [];
  for (let i = 0; i < count; i++) {
    amounts[i] = BigInt(i + 1) * 1_000_000_007n;
    ids.push(randomBytes(32).toString('hex'));
    wallets.push(bs58.encode(claimers.subarray(i * 32, i * 32 + 32)));
  }
  return { options, claimers, amounts, ids: ids.join(','), wallets: wallets.join(',') };
}

/** A copy: a job handed to the pool has its arrays transferred away. */
const copy = (j: TreeHashJob): TreeHashJob => ({
  ...j,
  claimers: j.claimers.slice(),
  amounts: j.amounts.slice(),
});

describe('hashTree', () => {
  it.each([
    ['claim-v1', { format: 'claim-v1' } as LeafOptions],
    ['claim-v2', V2],
  ])('answers the root and dump ClaimTree builds from the same leaves (%s)', (_name, options) => {
    const j = job(37, options);
    const ids = j.ids.split(',');
    const tree = ClaimTree.build(
      ids.map((id, i) => ({
        claimer: j.claimers.subarray(i * 32, i * 32 + 32),
        index: i,
        amount: j.amounts[i] as bigint,
        id,
      })),
      options,
    );
    const result = hashTree(j);
    expect(result.root).toBe(`0x${Buffer.from(tree.root).toString('hex')}`);
    expect(JSON.parse(result.dump.join(''))).toEqual(JSON.parse(JSON.stringify(tree.compactDump())));
    expect(result.ms).toBeGreaterThanOrEqual(0);
  });

  it('answers the dump in parts of at most DUMP_PART_CHARS characters, as bytes the same text', () => {
    // 1,024 leaves: about 170 kB of text, in three parts; ids of multi-byte characters, so the
    // bytes are cut only where a character begins.
    const j = job(1_024);
    const ids = j.ids.split(',').map((id, i) => (i % 2 === 0 ? id : `é€😀${id.slice(0, 40)}`));
    const withWide = { ...j, ids: ids.join(',') };
    const text = hashTree(withWide).dump;
    expect(text.length).toBeGreaterThan(2);
    expect(text.every((part) => part.length <= DUMP_PART_CHARS)).toBe(true);
    const parsed = JSON.parse(text.join(''));
    expect(parsed.claims.map((c: { id: string }) => c.id)).toEqual(ids);
    const bytes = hashTreeBytes(withWide).dump;
    expect(Buffer.from(bytes).toString('utf8')).toBe(text.join(''));
    // A cut that would fall inside a character moves back to where it begins.
    const straddling = new Uint8Array(Buffer.from(`${'a'.repeat(DUMP_PART_CHARS - 1)}€b`));
    expect(dumpTextParts(straddling)).toEqual(['a'.repeat(DUMP_PART_CHARS - 1), '€b']);
    const parts = dumpTextParts(bytes);
    expect(parts.join('')).toBe(text.join(''));
    expect(
      parts.every((part) => Buffer.byteLength(part) <= DUMP_PART_CHARS && !part.includes('\ufffd')),
    ).toBe(true);
  });

  it('refuses a job whose lists disagree', () => {
    expect(() => hashTree({ ...job(3), ids: 'a,b' })).toThrow(/3 amounts, 2 ids, 3 wallets, 3 claimers/);
  });
});

describe('WorkerTreeHasher', () => {
  const pool = WorkerTreeHasher.start(2);
  afterAll(() => pool.close());

  it('hashes jobs on worker threads to what this thread answers', async () => {
    const jobs = Array.from({ length: 12 }, (_, i) =>
      job(1 + i * 50, i % 2 === 0 ? { format: 'claim-v1' } : V2),
    );
    const expected = jobs.map((j) => hashTree(copy(j)));
    const results = await Promise.all(jobs.map((j) => pool.hash(j)));
    // Sent to a worker: the leaf arrays were transferred away from this thread.
    expect(jobs.every((j) => j.claimers.byteLength === 0 && j.amounts.byteLength === 0)).toBe(true);
    expect(results.map((r) => [r.root, r.dump.join('')])).toEqual(
      expected.map((r) => [r.root, r.dump.join('')]),
    );
  });

  it('fails a bad job with the worker’s message and keeps serving', async () => {
    await expect(pool.hash({ ...job(3), wallets: 'x' })).rejects.toThrow(/3 amounts, 3 ids, 1 wallets/);
    const good = job(5);
    const expected = hashTree(copy(good));
    expect((await pool.hash(good)).root).toBe(expected.root);
  });

  it('fails the jobs in flight when closed, and hashes later ones on this thread', async () => {
    const closed = WorkerTreeHasher.start(1);
    const inFlight = expect(closed.hash(job(1_000))).rejects.toThrow(/pool was closed/);
    await closed.close();
    await inFlight;
    const j = job(4);
    expect((await closed.hash(copy(j))).root).toBe(hashTree(j).root);
  });
});
