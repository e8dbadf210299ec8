/**
 * Merkle targets (issue 5): build plus every proof for 1,024 leaves ≥ 20× faster than
 * merkletreejs and under 5 ms; at 65,536 leaves the same ratio for the build and per proof
 * (1,000 sampled); 1,048,576 leaves built in under 3 s.
 *
 * merkletreejs runs in the same process over leaves encoded the plain way (Buffer.concat),
 * with two hash functions, because the ratio depends mostly on the peer's keccak:
 * - @noble/hashes' keccak_256, the JavaScript keccak of ethers and viem (and the `keccak_256`
 *   the source names). The targets are judged on this pairing, the one under which the
 *   issue's numbers agree with each other: the hashes it suggests (hash-wasm, native keccak)
 *   could never be 20× faster than merkletreejs on native keccak, and a 5 ms bar beside 20×
 *   of a 9 ms peer (0.46 ms) would say nothing.
 * - the native `keccak` package (merkletreejs' README pairing through `keccak256`, the fastest
 *   peer hash), reported beside it with its own ratio. 20× of it would leave 0.46 ms for the
 *   1,024-leaf build and 1,024 proofs, and our floor is above that: 2,047 Keccak permutations
 *   at about 0.21 µs each, two at a time in WebAssembly SIMD (0.43 ms), plus about 0.3 ms to
 *   copy the 10,240 proof hashes out and 0.2 ms to encode the leaves. Its native call costs
 *   about 3.5 µs a hash, most of it crossing N-API.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { keccak_256 } from '@noble/hashes/sha3';
import { createKeccak } from 'hash-wasm';
import { MerkleTree as MerkleTreeJs } from 'merkletreejs';
import { type Claim, ClaimTree, claimFromRow, keccak256 } from '../../layers/shared/src/core/merkle/index.ts';
import { keccakLevels } from '../../layers/shared/src/core/merkle/keccak.ts';
import { type BenchRow, medianMs, ratio } from './harness.ts';

export const title = 'merkle trees (claim-v1)';

type Hash = (data: Buffer) => Buffer;

// `keccak` ships no types; this is the part of its API used here.
const createKeccakHash = createRequire(import.meta.url)('keccak') as (algorithm: 'keccak256') => {
  update(data: Uint8Array): { digest(): Buffer };
};
const hashWasm = await createKeccak(256);
const nativeKeccak: Hash = (data) => createKeccakHash('keccak256').update(data).digest();
const nobleKeccak: Hash = (data) => Buffer.from(keccak_256(data));
const PEERS: ReadonlyArray<{ name: string; hash: Hash }> = [
  { name: 'merkletreejs + @noble/hashes', hash: nobleKeccak },
  { name: 'merkletreejs + keccak (native)', hash: nativeKeccak },
];

function makeClaims(count: number): Claim[] {
  const keys = randomBytes(count * 32);
  const ids = randomBytes(count * 32);
  const claims: Claim[] = new Array(count);
  for (let i = 0; i < count; i++) {
    claims[i] = {
      claimer: keys.subarray(i * 32, i * 32 + 32),
      index: i,
      amount: BigInt(1 + ((i * 7919) % 1_000_000)) * 1_000_000n,
      id: ids.toString('hex', i * 32, i * 32 + 32),
    };
  }
  return claims;
}

/** The claim-v1 leaf as a straightforward implementation writes it. */
function peerLeaf(claim: Claim, hash: Hash): Buffer {
  const index = Buffer.alloc(4);
  index.writeUInt32LE(claim.index);
  const amount = Buffer.alloc(8);
  amount.writeBigUInt64LE(claim.amount);
  return hash(Buffer.concat([claim.claimer, index, amount, Buffer.from(claim.id, 'utf8')]));
}

function peerBuild(claims: readonly Claim[], hash: Hash): { tree: MerkleTreeJs; leaves: Buffer[] } {
  const leaves = claims.map((claim) => peerLeaf(claim, hash));
  return { tree: new MerkleTreeJs(leaves, hash, { sortPairs: true }), leaves };
}

function sample(count: number, size: number): number[] {
  const step = count / size;
  return Array.from({ length: size }, (_, i) => Math.floor(i * step + step / 2));
}

/**
 * Medians of several subjects timed in alternating rounds, so that on a shared machine a
 * burst of load falls on all of them rather than on whichever ran at the time.
 */
function interleavedMedians(subjects: ReadonlyArray<() => unknown>, rounds: number, warmup = 1): number[] {
  const samples = subjects.map(() => [] as number[]);
  for (let round = -warmup; round < rounds; round++) {
    subjects.forEach((subject, i) => {
      const start = performance.now();
      subject();
      if (round >= 0) samples[i]!.push(performance.now() - start);
    });
  }
  return samples.map((times) => times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!);
}

const times = (value: number) => `${value.toFixed(1)}x`;
const perCall = (ms: number, calls: number) => (ms * 1000) / calls;

function keccakRow(): BenchRow {
  const inputs = randomBytes(64 * 1024);
  const n = 100_000;
  const views = Array.from({ length: 1024 }, (_, i) => inputs.subarray(i * 64, i * 64 + 64));
  // 2n nodes and every level above them, as a tree is built: one call a level.
  const level = randomBytes(64 * n);
  const [inLevel, single, viaHashWasm, native, noble] = interleavedMedians(
    [
      () => keccakLevels(level, 2 * n, false),
      () => {
        for (let i = 0; i < n; i++) keccak256(views[i & 1023]!);
      },
      () => {
        for (let i = 0; i < n; i++) {
          hashWasm.init();
          hashWasm.update(views[i & 1023]!);
          hashWasm.digest('binary');
        }
      },
      () => {
        for (let i = 0; i < n; i++) nativeKeccak(views[i & 1023]!);
      },
      () => {
        for (let i = 0; i < n; i++) keccak_256(views[i & 1023]!);
      },
    ],
    5,
  );
  const us = (ms: number | undefined) => perCall(ms!, n).toFixed(2);
  return {
    name: 'keccak256 of 64 bytes (node preimage), building levels',
    // 2n nodes hash into 2n - 1 parents, up to the root.
    value: perCall(inLevel!, 2 * n - 1),
    unit: 'µs/hash',
    peer: { name: 'keccak (native), one call a hash', value: perCall(native!, n) },
    notes: `ours one call a hash: ${us(single)} µs; hash-wasm init/update/digest: ${us(viaHashWasm)} µs; @noble/hashes keccak_256: ${us(noble)} µs`,
  };
}

function smallTreeRows(): BenchRow[] {
  const claims = makeClaims(1024);
  const [ours, ...peers] = interleavedMedians(
    [
      () => {
        const tree = ClaimTree.build(claims, { format: 'claim-v1' });
        for (let i = 0; i < claims.length; i++) tree.proof(i);
      },
      ...PEERS.map((peer) => () => {
        const { tree, leaves } = peerBuild(claims, peer.hash);
        for (let i = 0; i < leaves.length; i++) tree.getProof(leaves[i]!, i);
      }),
    ],
    15,
    3,
  );
  const rows: BenchRow[] = PEERS.map((peer, i) => {
    const speedup = ratio(peers[i]!, ours!);
    return {
      name: 'build + all 1,024 proofs, 1,024 leaves',
      value: ours!,
      unit: 'ms',
      peer: { name: `${peer.name}, getProof(leaf, index)`, value: peers[i]! },
      target: '< 5 ms and >= 20x',
      met: ours! < 5 && speedup >= 20,
      notes: `${times(speedup)} faster; the source claims 50 ms per 1,024-leaf tree`,
    };
  });

  const dump = JSON.parse(
    JSON.stringify(ClaimTree.build(claims, { format: 'claim-v1' }).dump()),
  ) as ReturnType<ClaimTree['dump']>;
  const [load, rebuild] = interleavedMedians(
    [
      () => ClaimTree.load(dump).proof(512),
      () =>
        ClaimTree.build(
          dump.claims.map((row, i) => claimFromRow(row, `claims[${i}]`)),
          { format: 'claim-v1' },
        ).proof(512),
    ],
    21,
    5,
  );
  rows.push({
    name: 'load a stored dump and serve a proof, 1,024 leaves',
    value: load!,
    unit: 'ms',
    peer: { name: 'rebuild from the dump claim rows', value: rebuild! },
    target: '~1 ms',
    met: load! < 2,
    notes: 'load rebuilds the inner nodes from the stored leaf hashes and checks the root',
  });
  return rows;
}

function mediumTreeRows(): BenchRow[] {
  const count = 65_536;
  const claims = makeClaims(count);
  const [ours, ...peers] = interleavedMedians(
    [
      () => ClaimTree.build(claims, { format: 'claim-v1' }),
      ...PEERS.map((peer) => () => peerBuild(claims, peer.hash)),
    ],
    3,
  );
  const rows: BenchRow[] = PEERS.map((peer, i) => ({
    name: 'build, 65,536 leaves',
    value: ours!,
    unit: 'ms',
    peer: { name: peer.name, value: peers[i]! },
    target: '>= 20x',
    met: ratio(peers[i]!, ours!) >= 20,
    notes: `${times(ratio(peers[i]!, ours!))} faster`,
  }));

  const tree = ClaimTree.build(claims, { format: 'claim-v1' });
  const { tree: peerTree, leaves } = peerBuild(claims, nativeKeccak);
  const positions = sample(count, 1000);
  // Each getProof(leaf) compares the leaf with every leaf, so 50 of the sample are enough.
  const scanned = positions.slice(0, 50);
  const [oursMs, scanMs, indexedMs] = interleavedMedians(
    [
      () => {
        for (const p of positions) tree.proof(p);
      },
      () => {
        for (const p of scanned) peerTree.getProof(leaves[p]!);
      },
      () => {
        for (const p of positions) peerTree.getProof(leaves[p]!, p);
      },
    ],
    5,
  );
  const oursProof = perCall(oursMs!, positions.length);
  const peerScan = perCall(scanMs!, scanned.length);
  const peerIndexed = perCall(indexedMs!, positions.length);
  rows.push(
    {
      name: 'proof, 65,536 leaves (1,000 sampled)',
      value: oursProof,
      unit: 'µs/proof',
      peer: { name: 'merkletreejs getProof(leaf), O(n) scan', value: peerScan },
      target: '>= 20x',
      met: ratio(peerScan, oursProof) >= 20,
      notes: `${times(ratio(peerScan, oursProof))} faster; peer timed on 50 of the 1,000`,
    },
    {
      name: 'proof, 65,536 leaves (1,000 sampled), peer given the index',
      value: oursProof,
      unit: 'µs/proof',
      peer: { name: 'merkletreejs getProof(leaf, index), O(log n)', value: peerIndexed },
      notes:
        'not the issue comparison (its peer scans, above): with an index merkletreejs skips its scan and returns references to its layer Buffers; ours copies',
    },
  );
  return rows;
}

async function largeTreeRow(): Promise<BenchRow> {
  const count = 1_048_576;
  const claims = makeClaims(count);
  const ours = await medianMs(() => ClaimTree.build(claims, { format: 'claim-v1' }), 3, 1);
  const loadAverage = loadavg()[0]!.toFixed(1);
  return {
    name: 'build, 1,048,576 leaves (leaf hashing included)',
    value: ours,
    unit: 'ms',
    target: '< 3000 ms',
    met: ours < 3000,
    notes: `no peer: merkletreejs is measured at 65,536 leaves only; 1-minute load average ${loadAverage} on ${cpus().length} cores`,
  };
}

export async function bench(): Promise<BenchRow[]> {
  return [keccakRow(), ...smallTreeRows(), ...mediumTreeRows(), await largeTreeRow()];
}
