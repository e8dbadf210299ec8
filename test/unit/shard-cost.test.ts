import { readFileSync } from 'node:fs';
import { LiteSVM } from 'litesvm';
import { describe, expect, it } from 'vitest';
import { CHANNEL_STATE_SIZE } from '../../layers/shared/src/core/solana/channel-state.ts';
import {
  LAMPORTS_PER_SOL,
  publicationFee,
  rentExemptMinimum,
  shardCost,
} from '../../layers/shared/src/core/solana/shard-cost.ts';
import { CHANNEL_STATE_SPACE } from '../../local/attention-program/program-data.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const grouped = (n: bigint) => n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const sol = (n: bigint) => (Number(n) / Number(LAMPORTS_PER_SOL)).toString();
/** A table row's cells, whatever padding the formatter gave them. */
const cells = (text: string) =>
  text.split('\n').map((line) =>
    line
      .split('|')
      .map((cell) => cell.trim())
      .filter((cell) => cell !== ''),
  );

describe('what a shard costs', () => {
  it("computes the channel_state rent from the account's size as the runtime's rent rules do", () => {
    // The account as the program lays it out (the stand-in's own definition) is the one we size.
    expect(CHANNEL_STATE_SIZE).toBe(CHANNEL_STATE_SPACE);
    const svm = new LiteSVM();
    for (const size of [0, 165, CHANNEL_STATE_SIZE]) {
      expect(rentExemptMinimum(size)).toBe(svm.minimumBalanceForRentExemption(BigInt(size)));
    }
  });

  it('charges one signature a root, plus the priority fee over the default 200,000 compute units', () => {
    expect(publicationFee(0n)).toBe(5000n);
    expect(publicationFee(1000n)).toBe(5200n);
    expect(publicationFee(1n)).toBe(5001n); // 0.2 lamports rounds up
  });

  it('states in the README the figures the rules give', () => {
    const { rentLamports, feeLamportsPerRoot, feeLamportsPer30Days } = shardCost(0n);
    const section = readme.slice(
      readme.indexOf('<a id="shard-cost">'),
      readme.indexOf('### The operator CLI'),
    );
    expect(section).toContain(`(128 + ${grouped(BigInt(CHANNEL_STATE_SIZE))} bytes)`);
    const rows = cells(section).map((row) => row.slice(1, 3));
    expect(rows).toContainEqual([grouped(rentLamports), sol(rentLamports)]);
    expect(rows).toContainEqual([grouped(feeLamportsPerRoot), sol(feeLamportsPerRoot)]);
    expect(rows).toContainEqual([grouped(feeLamportsPer30Days), sol(feeLamportsPer30Days)]);
    expect(section).toContain(`8 × ${sol(rentLamports)} = ${sol(8n * rentLamports)} SOL`);
    expect(section).toContain(`100 such channels ${sol(800n * rentLamports)} SOL once`);
  });
});
