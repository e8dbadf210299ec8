import { describe, expect, it } from 'vitest';
import { emissionConfig, loadMarketConfig } from '../../../layers/shared/src/market-config.ts';

describe('market configuration', () => {
  it('names the variable that is malformed', () => {
    expect(() => loadMarketConfig({ MARKET_FACTORY_ADDRESS: 'factory' })).toThrow(
      /MARKET_FACTORY_ADDRESS: expected a 0x/,
    );
    expect(() => loadMarketConfig({ EMISSION_TIER_MULTIPLIERS_BPS: '{"gold":"x"}' })).toThrow(
      /EMISSION_TIER_MULTIPLIERS_BPS: expected a JSON object/,
    );
  });

  it('reads emission rates and tier multipliers, tiers case-insensitively', () => {
    const config = loadMarketConfig({
      EMISSION_BASE_RATE_PER_SECOND: '5',
      EMISSION_TIER_MULTIPLIERS_BPS: '{"Gold":25000}',
    });
    expect(emissionConfig(config)).toEqual({
      baseRatePerSecond: 5n,
      tierMultiplierBps: { gold: 25_000 },
      defaultMultiplierBps: 10_000,
    });
  });
});
