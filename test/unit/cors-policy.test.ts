import { describe, expect, it } from 'vitest';
import { API_ORIGIN_MARKER, claimsPageSolana, withConnectPolicy } from '../../lib/claims-page-config.ts';
import { corsHeaders, corsPolicy, parseOriginList } from '../../lib/cors.ts';
import { parseStageSettings } from '../../lib/stage-config.ts';

const PAGE = 'https://d111111abcdef8.cloudfront.net';
const policy = corsPolicy([PAGE], [{ method: 'GET' }, { method: 'POST' }, { method: 'GET' }]);
const preflight = (origin: string, extra: Record<string, string> = {}) => ({
  method: 'OPTIONS',
  headers: {
    origin,
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'authorization,content-type',
    ...extra,
  },
});

describe('the CORS policy', () => {
  it('answers a preflight from the page origin with its methods, headers and max age', () => {
    expect(corsHeaders(policy, preflight(PAGE))).toEqual({
      'access-control-allow-origin': PAGE,
      'access-control-allow-methods': 'GET,OPTIONS,POST',
      'access-control-allow-headers': 'authorization,content-type',
      'access-control-max-age': '600',
      vary: 'origin',
    });
  });

  it('gives a foreign origin no CORS header at all', () => {
    expect(corsHeaders(policy, preflight('https://evil.example.com'))).toEqual({});
    expect(corsHeaders(policy, { method: 'GET', headers: { origin: 'https://evil.example.com' } })).toEqual(
      {},
    );
  });

  it('refuses a preflight asking for a method or header the routes do not use', () => {
    expect(corsHeaders(policy, preflight(PAGE, { 'access-control-request-method': 'PATCH' }))).toEqual({});
    expect(corsHeaders(policy, preflight(PAGE, { 'access-control-request-headers': 'x-api-key' }))).toEqual(
      {},
    );
  });

  it('echoes the page origin on an actual request', () => {
    expect(corsHeaders(policy, { method: 'GET', headers: { origin: PAGE } })).toEqual({
      'access-control-allow-origin': PAGE,
      vary: 'origin',
    });
  });

  it('never takes a wildcard origin', () => {
    expect(() => corsPolicy(['*'], [])).toThrow(/wildcards are not allowed/);
    expect(() => parseOriginList('https://*.example.com')).toThrow(/wildcard/);
  });

  it('takes https origins only, without a path, unless http is allowed (the local runtime)', () => {
    expect(parseOriginList(' https://a.example.com , https://b.example.com:8443')).toEqual([
      'https://a.example.com',
      'https://b.example.com:8443',
    ]);
    expect(() => parseOriginList('http://a.example.com')).toThrow(/https origin/);
    expect(() => parseOriginList('https://a.example.com/claims')).toThrow(/no path/);
    expect(parseOriginList('http://127.0.0.1:3000', { allowHttp: true })).toEqual(['http://127.0.0.1:3000']);
    expect(parseOriginList(undefined)).toEqual([]);
  });
});

describe('the claims page configuration', () => {
  const stage = (settings: Record<string, unknown>) =>
    parseStageSettings(
      {
        systems: {
          attention: {
            enabled: true,
            settings: { PUBLISH_MODE: 'memo', TOKEN_GROUP_MINTS: {}, ...settings },
          },
          creator: { enabled: false },
          delivery: { enabled: false },
          market: { enabled: false },
        },
      },
      'lib/stages/test.json',
    );

  it('names the cluster of the RPC host, or the one the stage gives', () => {
    expect(claimsPageSolana(stage({ SOLANA_RPC_URL: 'https://api.devnet.solana.com' }))).toEqual({
      rpcUrl: 'https://api.devnet.solana.com',
      cluster: 'devnet',
    });
    expect(claimsPageSolana(stage({ SOLANA_RPC_URL: 'https://rpc.example.com' })).cluster).toBe(
      'mainnet-beta',
    );
    expect(
      claimsPageSolana(
        stage({ SOLANA_RPC_URL: 'https://rpc.example.com', CLAIMS_PAGE_SOLANA_CLUSTER: 'testnet' }),
      ).cluster,
    ).toBe('testnet');
  });

  it("gives the page its own RPC where the publisher's carries a private key", () => {
    const settings = stage({
      SOLANA_RPC_URL: 'https://rpc.example.com/?api-key=private',
      CLAIMS_PAGE_SOLANA_RPC_URL: 'https://public-rpc.example.com',
    });
    expect(claimsPageSolana(settings).rpcUrl).toBe('https://public-rpc.example.com');
  });

  it('refuses a * among the extra origins', () => {
    expect(() =>
      stage({ SOLANA_RPC_URL: 'https://rpc.example.com', CLAIMS_PAGE_EXTRA_ORIGINS: ['*'] }),
    ).toThrow(/CLAIMS_PAGE_EXTRA_ORIGINS/);
  });

  it("puts the connect-src policy first in index.html's head", () => {
    const html = withConnectPolicy(
      '<!doctype html><html lang="en"><head><title>x</title></head></html>',
      'https://rpc.example.com',
    );
    expect(html).toContain(
      `<head>\n    <meta http-equiv="Content-Security-Policy" content="connect-src 'self' ${API_ORIGIN_MARKER} https://rpc.example.com"><title>`,
    );
    expect(() => withConnectPolicy('<html><body></body></html>', 'https://rpc.example.com')).toThrow(
      /no <head>/,
    );
  });
});
