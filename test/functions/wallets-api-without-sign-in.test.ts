import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpResult } from '../../functions/api/http.ts';
import { bindWalletDirect } from '../../layers/shared/src/services/attention/wallet-binding.ts';
import { conformingBody } from '../fixtures/api-contract.ts';
import { exchangeAtApi, startSignIn } from '../fixtures/twitch-sign-in.ts';
import { makeWallet } from '../fixtures/wallet-binding-client.ts';
import { startWalletsApi, type WalletsApiUnderTest } from '../fixtures/wallets-api.ts';

// A stage that has not registered a sign-in page with Twitch yet (lib/stages/dev.json as committed).
let api: WalletsApiUnderTest;

beforeAll(async () => {
  api = await startWalletsApi({
    deployment: { stage: 'dev', apiOrigin: 'https://api.dev.oracle.example.test' },
    redirectUris: [],
  });
});

afterAll(() => api.close());

const error = (result: HttpResult) =>
  (JSON.parse(result.body) as { error: { code: string; message: string } }).error;

describe('WalletsApi without TWITCH_REDIRECT_URIS', () => {
  it('starts, and answers 503 naming the missing setting on both sign-in routes, writing nothing', async () => {
    expect(process.env['TWITCH_REDIRECT_URIS']).toBeUndefined();
    const authorize = await startSignIn(api.handler);
    const session = await exchangeAtApi(api.handler, { code: 'a-code', state: 'a-state' });

    for (const result of [authorize, session]) {
      expect(result.statusCode).toBe(503);
      expect(error(result).message).toContain('TWITCH_REDIRECT_URIS is not set');
    }
    const states = await api.t.sql`select 1 from attention.twitch_auth_states`;
    expect(states).toHaveLength(0);
    expect(api.twitch.requests.filter((r) => r.path.startsWith('/oauth2/token'))).toEqual([]);
  });

  it('still serves wallet lookups, and refuses a bind without a viewer session', async () => {
    const wallet = makeWallet();
    await bindWalletDirect(api.t.sql, 'early_viewer', wallet.address, new Date());

    const found = await api.client.lookup('early_viewer');
    expect(found.statusCode).toBe(200);
    expect(conformingBody('GET /wallets/{user}', found)).toMatchObject({ wallet: wallet.address });
    const bind = await api.client.post(
      { wallet: wallet.address, nonce: 'n-1', expiresAt: new Date().toISOString(), signature: 'x' },
      'not-a-session',
    );
    expect(bind.statusCode).toBe(401);
  });
});
