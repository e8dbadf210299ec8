import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MarketApi, siweMessage, startMarketApi } from '../fixtures/market-api.ts';

let api: MarketApi;

beforeAll(async () => {
  api = await startMarketApi({ MARKET_SIGN_IN_NONCES_PER_IP: '3' });
});
afterAll(() => api.close());

interface Offer {
  nonce: string;
  domain: string;
  uri: string;
  chainId: number;
  statement: string;
  expiresAt: string;
}

let caller = 0;
/** A nonce for a caller of its own (each IP address holds at most 3 unused ones here). */
async function offer(ip = `192.0.2.${++caller}`): Promise<Offer> {
  const answer = await api.request('POST', '/api/auth/nonce', { ip });
  expect(answer.status, answer.text).toBe(201);
  return answer.body as Offer;
}

/** Signs a message built from `offer` with `changes`, as a wallet would. */
async function signed(
  wallet: Wallet,
  fields: Offer,
  changes: Partial<Parameters<typeof siweMessage>[0]> = {},
) {
  const message = siweMessage({
    ...fields,
    address: wallet.address,
    issuedAt: new Date().toISOString(),
    ...changes,
  });
  return { message, signature: await wallet.signMessage(message) };
}

const errorMessage = (body: unknown) => (body as { error: { message: string } }).error.message;

describe('signing in with Ethereum', () => {
  it('offers a nonce with the domain, URI and chain a message must name', async () => {
    const fields = await offer();
    expect(fields).toMatchObject({
      nonce: expect.stringMatching(/^[0-9a-f]{32}$/),
      domain: 'localhost',
      uri: 'http://localhost',
      chainId: 31337,
      version: '1',
    });
  });

  it('opens a session for the signing address, which ends on sign-out', async () => {
    const wallet = new Wallet(Wallet.createRandom().privateKey);
    const answer = await api.request('POST', '/api/auth/session', {
      body: await signed(wallet, await offer()),
    });
    expect(answer.status, answer.text).toBe(201);
    const session = answer.body as { token: string; address: string; expiresAt: string };
    expect(session.address).toBe(wallet.address.toLowerCase());
    expect(Date.parse(session.expiresAt) - Date.now()).toBeGreaterThan(3500_000);
    const [stored] = await api.db
      .sql`select token_hash from market.sessions where address = ${session.address}`;
    expect(stored?.['token_hash']).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.['token_hash']).not.toContain(session.token);

    const headers = { authorization: `Bearer ${session.token}` };
    expect((await api.request('DELETE', '/api/auth/session', { headers })).status).toBe(200);
    const again = await api.request('DELETE', '/api/auth/session', { headers });
    expect(again.status).toBe(401);
    expect(errorMessage(again.body)).toBe('the session is unknown, expired or signed out; sign in again');
  });

  it('refuses a signed message a second time: a nonce signs in once', async () => {
    const wallet = new Wallet(Wallet.createRandom().privateKey);
    const body = await signed(wallet, await offer());
    expect((await api.request('POST', '/api/auth/session', { body })).status).toBe(201);
    const replay = await api.request('POST', '/api/auth/session', { body });
    expect(replay.status).toBe(401);
    expect(errorMessage(replay.body)).toMatch(/nonce is unknown, already used or expired/);
  });

  it.each([
    ['another domain', { domain: 'phish.example.test' }, /the message is for phish\.example\.test/],
    ['another URI', { uri: 'https://phish.example.test' }, /URI must be http:\/\/localhost/],
    ['another chain', { chainId: 1 }, /chain ID must be 31337/],
    ['a nonce this API never issued', { nonce: 'a1b2c3d4e5f6a7b8' }, /nonce is unknown/],
    [
      'an issue time an hour ago',
      { issuedAt: new Date(Date.now() - 3600_000).toISOString() },
      /too long ago/,
    ],
    [
      'an expiration time already past',
      { expirationTime: new Date(Date.now() - 1000).toISOString() },
      /signature/,
    ],
  ])('refuses a message naming %s', async (_what, changes, reason) => {
    const wallet = new Wallet(Wallet.createRandom().privateKey);
    const answer = await api.request('POST', '/api/auth/session', {
      body: await signed(wallet, await offer(), changes),
    });
    expect(answer.status).toBe(401);
    expect(errorMessage(answer.body)).toMatch(reason);
    expect(
      await api.db.sql`select 1 from market.sessions where address = ${wallet.address.toLowerCase()}`,
    ).toEqual([]);
  });

  it("refuses another key's signature, and a message changed after signing, and keeps the nonce", async () => {
    const wallet = new Wallet(Wallet.createRandom().privateKey);
    const fields = await offer();
    const { message } = await signed(wallet, fields);
    const forged = await new Wallet(Wallet.createRandom().privateKey).signMessage(message);
    const byOther = await api.request('POST', '/api/auth/session', { body: { message, signature: forged } });
    const real = await wallet.signMessage(message);
    const altered = await api.request('POST', '/api/auth/session', {
      body: { message: message.replace('Sign in to', 'Sign into'), signature: real },
    });
    expect([byOther.status, altered.status]).toEqual([401, 401]);
    // The refused attempts did not use the nonce up: the real signature still signs in.
    expect(
      (await api.request('POST', '/api/auth/session', { body: { message, signature: real } })).status,
    ).toBe(201);
  });

  it('answers 400 naming the field for a message that is not EIP-4361 or a signature that is not hex', async () => {
    const notSiwe = await api.request('POST', '/api/auth/session', {
      body: { message: 'please let me in', signature: `0x${'11'.repeat(65)}` },
    });
    const notHex = await api.request('POST', '/api/auth/session', {
      body: { message: 'x', signature: 'not a signature' },
    });
    expect([notSiwe.status, notHex.status]).toEqual([400, 400]);
    expect(errorMessage(notSiwe.body)).toMatch(/^message: not an EIP-4361 sign-in message/);
    expect(errorMessage(notHex.body)).toMatch(/^signature: /);
  });

  it('caps the unused nonces of one IP address and tells when to come back', async () => {
    const ip = '192.0.2.99';
    for (let i = 0; i < 3; i++) await offer(ip);
    const fourth = await api.request('POST', '/api/auth/nonce', { ip });
    const elsewhere = await api.request('POST', '/api/auth/nonce', { ip: '192.0.2.100' });
    expect([fourth.status, elsewhere.status]).toEqual([429, 201]);
    expect(errorMessage(fourth.body)).toMatch(/at most 3 unused sign-in nonces per IP address/);
  });

  it('treats an expired session as none', async () => {
    const wallet = new Wallet(Wallet.createRandom().privateKey);
    const answer = await api.request('POST', '/api/auth/session', {
      body: await signed(wallet, await offer()),
    });
    const { token, address } = answer.body as { token: string; address: string };
    await api.db
      .sql`update market.sessions set expires_at = now() - interval '1 second' where address = ${address}`;
    const out = await api.request('DELETE', '/api/auth/session', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(out.status).toBe(401);
  });
});
