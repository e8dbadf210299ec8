import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assignCoinIdentities,
  deriveCoinIdentity,
  isValidCoinName,
  isValidCoinSymbol,
  meetsCoinLaunchThresholds,
} from '../../../layers/shared/src/core/creator/coin-launch.ts';

const address = '0xab12cd34ef56ab12cd34ef56ab12cd34ef56ab12';
const none = { names: [], symbols: [] };

describe('coin launch thresholds', () => {
  it('requires both 50,000 plays and 5,000 followers', () => {
    expect(meetsCoinLaunchThresholds({ totalPlays: 50_000, followers: 5_000 })).toBe(true);
    expect(meetsCoinLaunchThresholds({ totalPlays: 49_999, followers: 5_000 })).toBe(false);
    expect(meetsCoinLaunchThresholds({ totalPlays: 50_000, followers: 4_999 })).toBe(false);
    expect(meetsCoinLaunchThresholds({ totalPlays: 1_000_000, followers: 0 })).toBe(false);
    expect(meetsCoinLaunchThresholds({ totalPlays: 0, followers: 1_000_000 })).toBe(false);
  });

  it('applies configured thresholds instead', () => {
    const thresholds = { minPlays: 100, minFollowers: 10 };
    expect(meetsCoinLaunchThresholds({ totalPlays: 100, followers: 10 }, thresholds)).toBe(true);
    expect(meetsCoinLaunchThresholds({ totalPlays: 99, followers: 10 }, thresholds)).toBe(false);
    expect(meetsCoinLaunchThresholds({ totalPlays: 100, followers: 9 }, thresholds)).toBe(false);
  });
});

describe('coin name and symbol', () => {
  it('names the coin after the stage name and takes the first eight letters as the symbol', () => {
    expect(deriveCoinIdentity('DJ Shadow', address, none)).toEqual({
      name: 'DJ Shadow Coin',
      symbol: 'DJSHADOW',
    });
    expect(deriveCoinIdentity('Taylor Swift', address, none)).toEqual({
      name: 'Taylor Swift Coin',
      symbol: 'TAYLORSW',
    });
  });

  it('drops accents and pads a short symbol to three characters', () => {
    expect(deriveCoinIdentity('Björk', address, none)).toEqual({ name: 'Bjork Coin', symbol: 'BJORK' });
    expect(deriveCoinIdentity('Mø', address, none)).toEqual({ name: 'Mo Coin', symbol: 'MOX' });
  });

  it('falls back to the address for a stage name without Latin letters or digits', () => {
    expect(deriveCoinIdentity('🎧🎧', address, none)).toEqual({
      name: 'Creator AB12C Coin',
      symbol: 'CAB12C',
    });
  });

  it('keeps a long name within 32 characters', () => {
    const identity = deriveCoinIdentity('The Extraordinarily Long Orchestra of Midnight', address, none);
    expect(identity.name).toBe('The Extraordinarily Long Or Coin');
    expect(identity.name.length).toBeLessThanOrEqual(32);
  });

  it('resolves a symbol collision with the smallest free numeric suffix, on name and symbol alike', () => {
    const taken = { names: ['DJ Shadow Coin'], symbols: ['DJSHADOW', 'DJSHADO2'] };
    expect(deriveCoinIdentity('DJ Shadow', address, taken)).toEqual({
      name: 'DJ Shadow 3 Coin',
      symbol: 'DJSHADO3',
    });
  });

  it('treats names as taken whatever their case', () => {
    expect(deriveCoinIdentity('Nova', address, { names: ['NOVA COIN'], symbols: [] })).toEqual({
      name: 'Nova 2 Coin',
      symbol: 'NOVA2',
    });
  });

  it('assigns distinct identities to creators with the same stage name launched together', () => {
    const creators = [
      { stageName: 'Echo', address: '0x01' },
      { stageName: 'echo', address: '0x02' },
      { stageName: 'ECHO!', address: '0x03' },
    ];
    expect(assignCoinIdentities(creators, none)).toEqual([
      { name: 'Echo Coin', symbol: 'ECHO' },
      { name: 'echo 2 Coin', symbol: 'ECHO2' },
      { name: 'ECHO 3 Coin', symbol: 'ECHO3' },
    ]);
  });

  it('always derives valid, unique identities, the same ones for the same input', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 60 }), { minLength: 1, maxLength: 30 }), (stageNames) => {
        const creators = stageNames.map((stageName, i) => ({
          stageName,
          address: `0x${i.toString(16).padStart(40, 'a')}`,
        }));
        const identities = assignCoinIdentities(creators, none);
        for (const { name, symbol } of identities) {
          expect(isValidCoinSymbol(symbol)).toBe(true);
          expect(isValidCoinName(name)).toBe(true);
        }
        expect(new Set(identities.map((i) => i.symbol)).size).toBe(identities.length);
        expect(new Set(identities.map((i) => i.name.toLowerCase())).size).toBe(identities.length);
        expect(assignCoinIdentities(creators, none)).toEqual(identities);
      }),
    );
  });
});
