import { describe, expect, it } from 'vitest';
import { signInSettings } from '../../../functions/market-dependencies.ts';
import { DependencyError } from '../../../layers/shared/src/errors.ts';
import { loadMarketConfig } from '../../../layers/shared/src/market-config.ts';

const SITE = {
  MARKET_SIWE_DOMAIN: 'app.example.com',
  MARKET_SIWE_URI: 'https://app.example.com',
  MARKET_SIWE_CHAIN_ID: '8453',
};

describe('what a sign-in message must name', () => {
  it('is the configured site and chain on a deployed stage', () => {
    expect(signInSettings(loadMarketConfig({ ...SITE, MARKET_SESSION_TTL_SECONDS: '900' }), false)).toEqual({
      domain: 'app.example.com',
      uri: 'https://app.example.com',
      chainId: 8453,
      sessionTtlSeconds: 900,
      noncesPerSource: 20,
    });
  });

  it.each(Object.keys(SITE))(
    'is refused with 503 naming the settings on a deployed stage without %s',
    (name) => {
      const config = loadMarketConfig({ ...SITE, [name]: undefined });
      let thrown: unknown;
      try {
        signInSettings(config, false);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(DependencyError);
      expect((thrown as DependencyError).httpStatus).toBe(503);
      expect((thrown as Error).message).toContain(name);
    },
  );

  it("is localhost and the market's chain locally", () => {
    expect(signInSettings(loadMarketConfig({ MARKET_CHAIN_ID: '31337' }), true)).toMatchObject({
      domain: 'localhost',
      uri: 'http://localhost',
      chainId: 31337,
    });
  });
});
