/**
 * L6 (issue 17): only user hashes go on chain, so a public route must not turn one back into the
 * username. A claimer needs the wallet bound for a hash and when it was bound, nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpEvent, HttpResult } from '../../functions/api/http.ts';
import type { Platform } from '../../functions/platform.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { bindWalletDirect } from '../../layers/shared/src/services/attention/wallet-binding.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { makeHttpEvent } from '../fixtures/http-event.ts';
import { platformFromEnv } from '../fixtures/platform.ts';
import { makeWallet } from '../fixtures/wallet-binding-client.ts';

type Handler = (event: HttpEvent) => Promise<HttpResult>;

let t: TestDatabase;
let wallets: Handler;
let claims: Handler;
let platform: Platform;

beforeAll(async () => {
  t = await createTestDatabase();
  Object.assign(process.env, {
    ORACLE_MODE: 'local',
    DATABASE_URL: t.url,
    LOG_LEVEL: 'SILENT',
    // What the wallets function requires; these lookups never reach Twitch.
    API_ORIGIN: 'https://api.example',
    TWITCH_SECRET_ARN: 'test/twitch',
  });
  delete process.env['SOLANA_RPC_URL'];
  platform = platformFromEnv();
  wallets = (await import('../../functions/api/wallets/index.ts')).handler.on(platform);
  claims = (await import('../../functions/api/claims/index.ts')).handler.on(platform);
});

afterAll(async () => {
  await platform.close();
  await t.close();
});

const get = (handler: Handler, path: string, routeKey: string, user: string) =>
  handler({ ...makeHttpEvent({ method: 'GET', path, pathParameters: { user } }), routeKey });

describe('looking a wallet up by user_hash', () => {
  it('asking GET /wallets/{user} by user_hash does not reveal the username', async () => {
    const wallet = makeWallet();
    await bindWalletDirect(t.sql, 'private_viewer', wallet.address, new Date());
    const hash = userHash('private_viewer');
    const result = await get(wallets, `/wallets/${hash}`, 'GET /wallets/{user}', hash);
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ userHash: hash, wallet: wallet.address });
    expect(result.body).not.toContain('private_viewer');
  });

  it('asking GET /claims/{user} by user_hash does not reveal the username either', async () => {
    const wallet = makeWallet();
    await bindWalletDirect(t.sql, 'quiet_claimer', wallet.address, new Date());
    const hash = userHash('quiet_claimer');
    const result = await get(claims, `/claims/${hash}`, 'GET /claims/{user}', hash);
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ userHash: hash, wallet: { wallet: wallet.address } });
    expect(result.body).not.toContain('quiet_claimer');
  });
});
