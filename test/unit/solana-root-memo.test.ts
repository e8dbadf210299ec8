import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MEMO_PROGRAM_ID } from '../../layers/shared/src/core/solana/program-ids.ts';
import {
  buildRootMemo,
  parseRootMemo,
  rootMemoInstruction,
} from '../../layers/shared/src/core/solana/root-memo.ts';
import { ValidationError } from '../../layers/shared/src/errors.ts';

const ROOT = '0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20';

describe('root memo', () => {
  it('writes aor1:<channel>:<epoch>:<root as 64 lowercase hex>', () => {
    expect(buildRootMemo({ channel: 'lacy', epoch: 491_003n, root: Buffer.from(ROOT, 'hex') })).toBe(
      `aor1:lacy:491003:${ROOT}`,
    );
    expect(buildRootMemo({ channel: 'lacy', epoch: 491_003, root: `0x${ROOT.toUpperCase()}` })).toBe(
      `aor1:lacy:491003:${ROOT}`,
    );
  });

  it.each(['category:music:milo', 'category:music:MILO', 'carry:milo', 'xqc'])(
    'reads back the channel %s, colons included, by parsing from the right',
    (channel) => {
      const memo = buildRootMemo({ channel, epoch: 1_764_061_200n, root: ROOT });
      expect(parseRootMemo(memo)).toEqual({ channel, epoch: 1_764_061_200n, root: ROOT });
    },
  );

  it('round-trips any channel without whitespace, epoch and root', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-zA-Z0-9_:]{1,40}$/),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (channel, epoch, root) => {
          const parsed = parseRootMemo(buildRootMemo({ channel, epoch, root }));
          expect(parsed).toEqual({ channel, epoch, root: Buffer.from(root).toString('hex') });
        },
      ),
    );
  });

  it.each([
    ['another prefix', `aor2:lacy:1:${ROOT}`],
    ['no channel', `aor1::1:${ROOT}`],
    ['uppercase hex', `aor1:lacy:1:${ROOT.toUpperCase()}`],
    ['a short root', `aor1:lacy:1:${ROOT.slice(2)}`],
    ['a non-numeric epoch', `aor1:lacy:x1:${ROOT}`],
    ['a non-canonical epoch', `aor1:lacy:01:${ROOT}`],
    ['an epoch beyond u64', `aor1:lacy:18446744073709551616:${ROOT}`],
    ['no epoch at all', `aor1:${ROOT}`],
  ])('does not take a memo with %s for a root publication', (_, text) => {
    expect(parseRootMemo(text)).toBeUndefined();
  });

  it('refuses to write a memo for an empty channel or a root that is not 32 bytes', () => {
    expect(() => buildRootMemo({ channel: '', epoch: 1n, root: ROOT })).toThrow(ValidationError);
    expect(() => buildRootMemo({ channel: 'lacy', epoch: 1n, root: ROOT.slice(2) })).toThrow(ValidationError);
  });

  it('is carried by a Memo program instruction with no accounts and the memo as UTF-8 data', () => {
    const ix = rootMemoInstruction({ channel: 'carry:milo', epoch: 5n, root: ROOT });

    expect(ix.programAddress).toBe(MEMO_PROGRAM_ID);
    expect(ix.accounts).toEqual([]);
    expect(new TextDecoder().decode(ix.data)).toBe(`aor1:carry:milo:5:${ROOT}`);
  });
});
