import { describe, expect, it } from 'vitest';
import { creatorThresholds, loadConfig, oracleCallMaxAttempts } from '../../layers/shared/src/config.ts';
import { ATTO_PER_FIL, MILESTONES } from '../../layers/shared/src/core/creator/milestones.ts';
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

  it("defaults the sources' thresholds: 5 retries, alert at 3, the milestone table, coin at 50,000 plays and 5,000 followers", () => {
    const config = loadConfig({});
    expect(config.ORACLE_MAX_RETRIES).toBe(5);
    expect(oracleCallMaxAttempts(config)).toBe(6);
    expect(config.ORACLE_ALERT_CUTOFF).toBe(3);
    const { milestones, coinLaunch } = creatorThresholds(config);
    expect(milestones).toEqual(MILESTONES);
    expect(coinLaunch).toEqual({ minPlays: 50_000, minFollowers: 5_000 });
    expect(config.REVENUE_SHARING_MIN_FIL).toBe(100n * ATTO_PER_FIL);
    expect(loadConfig({ REVENUE_SHARING_MIN_FIL: '12.5' }).REVENUE_SHARING_MIN_FIL).toBe(
      (25n * ATTO_PER_FIL) / 2n,
    );
  });

  it('reads milestone lists in any order, without repeats, FIL with decimals, and none for an empty list', () => {
    const config = loadConfig({
      CREATOR_MILESTONES_PLAYS: '2500, 100,100',
      CREATOR_MILESTONES_FOLLOWERS: 'none',
      CREATOR_MILESTONES_REVENUE_FIL: '0.5,250',
    });
    expect(creatorThresholds(config).milestones.map((m) => [m.id, m.threshold, m.description])).toEqual([
      ['plays_100', 100n, '100 plays'],
      ['plays_2_5k', 2_500n, '2.5K plays'],
      ['revenue_0_5fil_month', ATTO_PER_FIL / 2n, '0.5 FIL monthly revenue'],
      ['revenue_250fil_month', 250n * ATTO_PER_FIL, '250 FIL monthly revenue'],
    ]);
  });

  it.each([
    [
      'CREATOR_MILESTONES_PLAYS',
      '1000,lots',
      /CREATOR_MILESTONES_PLAYS: expected a comma-separated list of play counts/,
    ],
    ['CREATOR_MILESTONES_FOLLOWERS', '0', /CREATOR_MILESTONES_FOLLOWERS: expected a comma-separated list/],
    ['CREATOR_MILESTONES_REVENUE_FIL', '1.0000000000000000001', /CREATOR_MILESTONES_REVENUE_FIL: expected/],
    ['ORACLE_MAX_RETRIES', '-1', /ORACLE_MAX_RETRIES: Number must be greater than or equal to 0/],
    ['ORACLE_ALERT_CUTOFF', '0', /ORACLE_ALERT_CUTOFF: Number must be greater than 0/],
    ['COIN_LAUNCH_MIN_PLAYS', '5e4x', /COIN_LAUNCH_MIN_PLAYS: Expected number/],
    ['REVENUE_SHARING_MIN_FIL', 'a hundred', /REVENUE_SHARING_MIN_FIL: expected an amount of FIL/],
  ])('refuses %s=%s, naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
