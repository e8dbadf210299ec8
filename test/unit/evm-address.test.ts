import { getAddress, hexlify } from 'ethers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressProblem, checksumAddress } from '../../layers/shared/src/core/delivery/evm-address.ts';

const addressBytes = fc.uint8Array({ minLength: 20, maxLength: 20 });

describe('EIP-55 addresses', () => {
  it('checksums every address as ethers does', () => {
    fc.assert(
      fc.property(addressBytes, (bytes) => {
        const hex = hexlify(bytes);
        expect(checksumAddress(hex)).toBe(getAddress(hex));
        expect(checksumAddress(hex.toUpperCase().replace('0X', '0x'))).toBe(getAddress(hex));
      }),
    );
  });

  it('takes an address as written when it carries no checksum, and refuses one whose mixed case is wrong', () => {
    fc.assert(
      fc.property(addressBytes, fc.nat(39), (bytes, position) => {
        const checksummed = getAddress(hexlify(bytes));
        expect(addressProblem(checksummed)).toBe(/^0x0{40}$/.test(checksummed) ? 'zero' : undefined);
        expect(addressProblem(checksummed.toLowerCase())).toBe(addressProblem(checksummed));
        const i = position + 2;
        const c = checksummed.charAt(i);
        const flipped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
        const typo = checksummed.slice(0, i) + flipped + checksummed.slice(i + 1);
        const digits = typo.slice(2);
        const stillUnchecked = digits === digits.toLowerCase() || digits === digits.toUpperCase();
        // A digit has no case to flip; flipping a letter breaks the checksum unless no case is left.
        if (typo !== checksummed && !stillUnchecked) expect(addressProblem(typo)).toBe('bad-checksum');
      }),
    );
  });

  it('names what is wrong with a value that is no address', () => {
    expect(addressProblem('0x1234')).toBe('not-hex');
    expect(addressProblem(`0x${'g'.repeat(40)}`)).toBe('not-hex');
    expect(addressProblem(`${'a'.repeat(42)}`)).toBe('not-hex');
    expect(addressProblem(`0x${'0'.repeat(40)}`)).toBe('zero');
  });
});
