import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../layers/shared/src/config.ts';
import { ConfigError } from '../../layers/shared/src/errors.ts';

describe('loadConfig', () => {
  it('fills defaults in local mode with nothing set', () => {
    const config = loadConfig({});
    expect(config.ORACLE_MODE).toBe('local');
    expect(config.TREE_CAPACITY).toBe(1024);
    expect(config.BASE_UNITS_PER_WEIGHT).toBe(1_000_000_000n);
  });

  it('fails in production naming a missing required variable', () => {
    expect(() =>
      loadConfig({ ORACLE_MODE: 'production', AWS_REGION: 'eu-west-1' }, { require: ['INGEST_QUEUE_URL'] }),
    ).toThrow(/INGEST_QUEUE_URL: required in production/);
  });

  it('names a malformed variable and what was expected', () => {
    try {
      loadConfig({ EVM_RPC_URL: 'not a url' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/EVM_RPC_URL: Invalid url \(got "not a url"\)/);
    }
  });

  it('rejects a token group map that is not JSON', () => {
    expect(() => loadConfig({ TOKEN_GROUP_MINTS: '{nope' })).toThrow(
      /TOKEN_GROUP_MINTS: expected a JSON object/,
    );
  });

  it('reads the API origin as an origin and refuses one with a path', () => {
    expect(loadConfig({ API_ORIGIN: 'https://API.example.org:8443/' }).API_ORIGIN).toBe(
      'https://api.example.org:8443',
    );
    expect(() => loadConfig({ API_ORIGIN: 'https://api.example.org/prod' })).toThrow(
      /API_ORIGIN: must be an origin \(scheme:\/\/host\[:port\]\) with no path/,
    );
  });

  it('reads the Twitch redirect URIs as a comma-separated list of URLs', () => {
    expect(loadConfig({}).TWITCH_REDIRECT_URIS).toEqual([]);
    expect(
      loadConfig({ TWITCH_REDIRECT_URIS: 'https://claims.example.org/, http://127.0.0.1:3000/cb' })
        .TWITCH_REDIRECT_URIS,
    ).toEqual(['https://claims.example.org/', 'http://127.0.0.1:3000/cb']);
    expect(() => loadConfig({ TWITCH_REDIRECT_URIS: 'https://ok.example.org/,not a url' })).toThrow(
      /TWITCH_REDIRECT_URIS: Invalid url/,
    );
  });

  it('reads confirmation depths by chain id and refuses a depth that is not a whole number of blocks', () => {
    expect(loadConfig({}).EVM_CONFIRMATION_DEPTHS).toEqual({});
    expect(loadConfig({ EVM_CONFIRMATION_DEPTHS: '{"314": 40}' }).EVM_CONFIRMATION_DEPTHS).toEqual({
      '314': 40,
    });
    expect(() => loadConfig({ EVM_CONFIRMATION_DEPTHS: '{"314": -1}' })).toThrow(
      /EVM_CONFIRMATION_DEPTHS: expected a JSON object of chain id → blocks/,
    );
    expect(() => loadConfig({ EVM_CONFIRMATION_DEPTHS: '{"filecoin": 40}' })).toThrow(/keys are chain ids/);
  });

  it('accepts a production configuration that has what the function requires', () => {
    const config = loadConfig(
      {
        ORACLE_MODE: 'production',
        AWS_REGION: 'eu-west-1',
        INGEST_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/ingest',
      },
      { require: ['INGEST_QUEUE_URL'] },
    );
    expect(config.INGEST_QUEUE_URL).toBe('https://sqs.eu-west-1.amazonaws.com/1/ingest');
  });
});
