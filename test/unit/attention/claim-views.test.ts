import { describe, expect, it } from 'vitest';
import { parseChannel, parseEpoch } from '../../../layers/shared/src/core/attention/claim-params.ts';
import { claimView, type TreeMeta } from '../../../layers/shared/src/core/attention/claim-views.ts';
import {
  type Claim,
  ClaimTree,
  claimFromRow,
  fromHex,
  toHex,
  verifyClaim,
} from '../../../layers/shared/src/core/merkle/index.ts';
import { ValidationError } from '../../../layers/shared/src/errors.ts';

const claims: Claim[] = Array.from({ length: 5 }, (_, i) => ({
  claimer: new Uint8Array(32).fill(i + 1),
  index: i,
  amount: BigInt(1000 * (i + 1)),
  id: `${i}`.repeat(64),
}));

describe('claimView', () => {
  it('answers the dump row of the leaf with a proof that verifies against the root', () => {
    const tree = ClaimTree.build(claims, { format: 'claim-v1' });
    const dump = tree.dump();
    const loaded = { tree: ClaimTree.load(dump), rows: dump.claims };
    const meta: TreeMeta = {
      epoch: 7200,
      channel: 'chan',
      kind: 'channel',
      tokenGroup: 'OTHER',
      root: toHex(tree.root),
      format: 'claim-v1',
      leafCount: claims.length,
      totalAmount: '15000',
      publication: null,
    };
    const position = loaded.tree.positionOfId('3'.repeat(64)) as number;
    const view = claimView(meta, loaded, position);
    expect(view).toMatchObject({ epoch: 7200, channel: 'chan', index: 3, amount: '4000', root: meta.root });
    const proof = view.proof.map((hash) => fromHex(hash, 'proof', 32));
    expect(verifyClaim(tree.root, claimFromRow(dump.claims[position]), proof, { format: 'claim-v1' })).toBe(
      true,
    );
    expect(view.leaf).toBe(toHex(loaded.tree.leafHash(position)));
  });
});

describe('claim route parameters', () => {
  it('takes an hour start and refuses anything else, suggesting the hour', () => {
    expect(parseEpoch('7200')).toBe(7200);
    expect(() => parseEpoch('7201')).toThrow(/did you mean 7200\?/);
    expect(() => parseEpoch('-1')).toThrow(ValidationError);
  });

  it('takes a login, a pseudo-channel or a shard and refuses anything else', () => {
    expect(parseChannel('some_streamer~2')).toMatchObject({
      kind: 'channel',
      base: 'some_streamer',
      shard: 2,
    });
    expect(parseChannel('carry:OTHER').kind).toBe('carry');
    expect(() => parseChannel('No Spaces')).toThrow(/channel must be a Twitch login/);
  });
});
