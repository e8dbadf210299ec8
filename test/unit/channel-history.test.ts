import { Keypair } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import { createAttentionProgram } from '../../layers/shared/src/adapters/solana/attention-program.ts';
import { channelStateCalls } from '../../layers/shared/src/core/solana/channel-history.ts';

const program = createAttentionProgram();
const mint = Keypair.generate().publicKey.toBase58();
const claimer = Keypair.generate().publicKey.toBase58();
const channelState = program.channelStateAddress(mint, 'lacy');
const target = { programAddress: program.programAddress, channelState };

function claim(channel: string, epoch: bigint, index: number) {
  return program.claimChannelOpen({
    claimer,
    mint,
    channel,
    epoch,
    index,
    amount: 5n,
    id: 'ab'.repeat(32),
    proof: [new Uint8Array(32)],
  });
}

function setRoot(channel: string, epoch: bigint) {
  return program.setChannelMerkleRoot({ payer: claimer, mint, channel, epoch, root: new Uint8Array(32) });
}

describe("a transaction's calls on one ChannelState", () => {
  it('reads the epoch and index of each claim and the epoch of each root set, in order', () => {
    const calls = [claim('lacy', 491_003n, 7), setRoot('lacy', 491_013n), claim('Lacy', 491_002n, 1023)].map(
      (ix) => ({ ...ix, accounts: ix.accounts.map((a) => a.address) }),
    );

    expect(channelStateCalls(calls, target)).toEqual({
      claims: [
        { epoch: 491_003n, index: 7 },
        { epoch: 491_002n, index: 1023 },
      ],
      rootsSet: [491_013n],
    });
  });

  it('counts a claim whose data carries trailing bytes, which the program ignores', () => {
    const padded = claim('lacy', 491_003n, 4);
    const data = new Uint8Array(padded.data.length + 16);
    data.set(padded.data);

    const found = channelStateCalls(
      [{ ...padded, data, accounts: padded.accounts.map((a) => a.address) }],
      target,
    );

    expect(found.claims).toEqual([{ epoch: 491_003n, index: 4 }]);
  });

  it("ignores another channel's account, another program, and data too short to be a call", () => {
    const other = claim('xqc', 491_003n, 2);
    const elsewhere = {
      ...claim('lacy', 491_003n, 3),
      programAddress: Keypair.generate().publicKey.toBase58(),
    };
    const truncated = claim('lacy', 491_003n, 5);
    const calls = [other, elsewhere, { ...truncated, data: truncated.data.subarray(0, 14) }].map((ix) => ({
      ...ix,
      accounts: ix.accounts.map((a) => a.address),
    }));

    expect(channelStateCalls(calls, target)).toEqual({ claims: [], rootsSet: [] });
  });
});
