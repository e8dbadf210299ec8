import { randomBytes } from 'node:crypto';
import bs58 from 'bs58';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpEvent, HttpResult } from '../../functions/api/http.ts';
import type { Platform } from '../../functions/platform.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { fromHex, verifyClaim } from '../../layers/shared/src/core/merkle/index.ts';
import { SILENT_TELEMETRY } from '../../layers/shared/src/ports/telemetry.ts';
import { writeIngestBatch } from '../../layers/shared/src/services/attention/ingest-writer.ts';
import { finalizeEpoch } from '../../layers/shared/src/services/attention/sealing.ts';
import { bindWalletDirect } from '../../layers/shared/src/services/attention/wallet-binding.ts';
import { conformingBody } from '../fixtures/api-contract.ts';
import { testAttentionSettings } from '../fixtures/attention-settings.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { BASE_EPOCH_MS, HOUR_MS, makeEvent } from '../fixtures/events.ts';
import { makeHttpEvent } from '../fixtures/http-event.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

const EPOCH = BASE_EPOCH_MS / 1000;
// One tree of 3 per channel: the overflow answers below need a cap that is reached.
const SETTINGS = testAttentionSettings({ capacity: 3, maxShards: { MILO: 1 } });

let t: TestDatabase;
let platform: Platform;
let claims: (event: HttpEvent) => Promise<HttpResult>;
let epochs: (event: HttpEvent) => Promise<HttpResult>;
const aliceWallet = bs58.encode(randomBytes(32));

const get = (
  handler: () => (event: HttpEvent) => Promise<HttpResult>,
  routeKey: string,
  path: string,
  params: Record<string, string>,
  query?: Record<string, string>,
) =>
  handler()({
    ...makeHttpEvent({
      method: 'GET',
      path,
      pathParameters: params,
      ...(query === undefined ? {} : { query }),
    }),
    routeKey,
  });
const claim = (epoch: string, channel: string, user: string) =>
  get(() => claims, 'GET /claims/{epoch}/{channel}/{user}', `/claims/${epoch}/${channel}/${user}`, {
    epoch,
    channel,
    user,
  });
const userClaims = (user: string) => get(() => claims, 'GET /claims/{user}', `/claims/${user}`, { user });
const body = <T = Record<string, unknown>>(result: HttpResult) => JSON.parse(result.body) as T;
const message = (result: HttpResult) => body<{ error: { message: string } }>(result).error.message;

beforeAll(async () => {
  t = await createTestDatabase();
  const during = new Date(BASE_EPOCH_MS + 30 * 60_000);
  await t.sql`insert into attention.channel_config (channel, token_group, category_override) values ('music_chan', 'MILO', 'music')`;
  await writeIngestBatch(
    t.sql,
    [
      makeEvent({ channel: 'music_chan', user: 'alice_1', ts: BASE_EPOCH_MS + 1000, kind: 'sub' }),
      makeEvent({ channel: 'music_chan', user: 'bob_2', ts: BASE_EPOCH_MS + 2000 }),
      makeEvent({ channel: 'music_chan', user: 'carol_3', ts: BASE_EPOCH_MS + 3000 }),
      makeEvent({ channel: 'music_chan', user: 'dave_4', ts: BASE_EPOCH_MS + 4000 }),
    ],
    during,
  );
  await bindWalletDirect(t.sql, 'alice_1', aliceWallet, new Date(BASE_EPOCH_MS));
  await bindWalletDirect(t.sql, 'carol_3', bs58.encode(randomBytes(32)), new Date(BASE_EPOCH_MS));
  await finalizeEpoch(
    { telemetry: SILENT_TELEMETRY, sql: t.sql, settings: SETTINGS },
    EPOCH,
    new Date(BASE_EPOCH_MS + HOUR_MS + 10 * 60_000),
  );
  Object.assign(process.env, { ORACLE_MODE: 'local', DATABASE_URL: t.url, LOG_LEVEL: 'SILENT' });
  platform = platformFromEnv();
  claims = (await import('../../functions/api/claims/index.ts')).handler.on(platform);
  epochs = (await import('../../functions/api/epochs/index.ts')).handler.on(platform);
});

afterAll(async () => {
  await platform.close();
  await t.close();
});

interface ClaimBody {
  index: number;
  amount: string;
  id: string;
  claimer: string;
  leaf: string;
  proof: string[];
  root: string;
  format: 'claim-v1';
  channel: string;
  publication: { status: string; mode: string } | null;
}

describe('GET /claims/{epoch}/{channel}/{user}', () => {
  it('returns a leaf whose proof verifies against the root, by login or by user_hash', async () => {
    const byLogin = await claim(String(EPOCH), 'music_chan', 'alice_1');
    expect(byLogin.statusCode).toBe(200);
    const leaf = body<ClaimBody>(byLogin);
    expect(leaf).toMatchObject({
      index: 0,
      amount: String(11n * 1_000_000n),
      id: userHash('alice_1'),
      claimer: aliceWallet,
      format: 'claim-v1',
      publication: { status: 'pending', mode: 'memo' },
    });
    const ok = verifyClaim(
      fromHex(leaf.root, 'root', 32),
      { claimer: bs58.decode(leaf.claimer), index: leaf.index, amount: BigInt(leaf.amount), id: leaf.id },
      leaf.proof.map((p) => fromHex(p, 'proof', 32)),
      { format: 'claim-v1' },
    );
    expect(ok).toBe(true);
    const byHash = await claim(String(EPOCH), 'MUSIC_CHAN', userHash('alice_1'));
    expect(body(byHash)).toEqual(leaf);
  });

  it('answers for pseudo-channels, colons plain or URL-encoded', async () => {
    const encoded = await claim(String(EPOCH), encodeURIComponent('category:music:milo'), 'carol_3');
    expect(encoded.statusCode).toBe(200);
    expect(body<ClaimBody>(encoded)).toMatchObject({
      channel: 'category:music:milo',
      index: 1,
      amount: '10',
    });
    expect((await claim(String(EPOCH), 'category:Music:MILO', 'alice_1')).statusCode).toBe(200);
  });

  it('is accepted by `oracle tree verify`', async () => {
    const leaf = body<ClaimBody>(await claim(String(EPOCH), 'music_chan', 'carol_3'));
    const { run } = await import('../../bin/commands/tree.ts');
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      expect(await run(['verify', '--root', leaf.root, '--leaf', leaf.leaf, '--proof', ...leaf.proof])).toBe(
        0,
      );
      const otherLeaf = `${leaf.leaf.slice(0, -1)}${leaf.leaf.endsWith('0') ? '1' : '0'}`;
      expect(await run(['verify', '--root', leaf.root, '--leaf', otherLeaf, '--proof', ...leaf.proof])).toBe(
        1,
      );
    } finally {
      process.stdout.write = write;
    }
  });

  it('says why there is no leaf: carried for the unbound, overflow beyond capacity, absent otherwise', async () => {
    const unbound = await claim(String(EPOCH), 'music_chan', 'bob_2');
    expect(unbound.statusCode).toBe(404);
    expect(message(unbound)).toMatch(/no wallet was bound when it was built, so the amount was carried/);
    const overflow = await claim(String(EPOCH), 'music_chan', 'dave_4');
    expect(message(overflow)).toMatch(/participant 4 of music_chan .* beyond the tree's capacity/);
    const absent = await claim(String(EPOCH), 'music_chan', 'zed_999');
    expect(message(absent)).toMatch(/zed_999 did not participate in music_chan/);
  });

  it('answers 404 naming what is missing: an unsealed epoch, a channel without participation, a pseudo-channel without a tree', async () => {
    const next = await claim(String(EPOCH + 3600), 'music_chan', 'alice_1');
    expect(next.statusCode).toBe(404);
    expect(message(next)).toMatch(/music_chan has no participation in epoch/);
    const carry = await claim(String(EPOCH), 'carry:milo', 'alice_1');
    expect(carry.statusCode).toBe(404);
    expect(message(carry)).toMatch(/carry:milo has no tree in epoch .*no participant had a bound wallet/);
  });

  it('answers 400 for an epoch that is not an hour, a channel or user that cannot exist', async () => {
    const epoch = await claim(String(EPOCH + 5), 'music_chan', 'alice_1');
    expect(epoch.statusCode).toBe(400);
    expect(message(epoch)).toMatch(/multiple of 3600.*did you mean/);
    expect(message(await claim('yesterday', 'music_chan', 'alice_1'))).toMatch(/epoch must be the unix time/);
    expect(message(await claim(String(EPOCH), 'bad:pseudo:channel:x', 'alice_1'))).toMatch(
      /channel must be a Twitch login .* or a pseudo-channel category:<category>:<group> or carry:<group>/,
    );
    expect(message(await claim(String(EPOCH), 'music_chan', 'x!'))).toMatch(
      /user must be a Twitch login .* or a user_hash/,
    );
  });
});

describe('GET /claims/{user}', () => {
  it('lists every leaf of a claimable root, and carried balances waiting for a binding', async () => {
    const alice = body<{ claims: ClaimBody[]; carried: unknown[]; wallet: { wallet: string } }>(
      await userClaims('alice_1'),
    );
    expect(alice.claims.map((c) => c.channel)).toEqual(['category:music:milo', 'music_chan']);
    expect(alice.wallet.wallet).toBe(aliceWallet);
    expect(alice.carried).toEqual([]);
    const bob = body<{ claims: ClaimBody[]; carried: unknown[]; wallet: null }>(await userClaims('bob_2'));
    expect(bob.claims).toEqual([]);
    expect(bob.wallet).toBeNull();
    // sealed amount 1 × 1,000,000 plus the category tree's 1 × 10
    expect(bob.carried).toEqual([{ tokenGroup: 'MILO', amount: '1000010', waitingForBinding: true }]);
  });

  it('leaves out roots that expired', async () => {
    await t.sql`update attention.publications set status = 'expired' where channel = 'music_chan'`;
    try {
      const alice = body<{ claims: ClaimBody[] }>(await userClaims('alice_1'));
      expect(alice.claims.map((c) => c.channel)).toEqual(['category:music:milo']);
    } finally {
      await t.sql`update attention.publications set status = 'pending' where channel = 'music_chan'`;
    }
  });
});

describe('GET /epochs', () => {
  it('lists sealed epochs and describes an epoch and one of its channels', async () => {
    const list = await get(() => epochs, 'GET /epochs', '/epochs', {});
    expect(body<{ epochs: unknown[] }>(list).epochs).toEqual([
      expect.objectContaining({ epoch: EPOCH, channels: 1, participants: 4, trees: 2 }),
    ]);
    const epoch = body<{ channels: unknown[]; pooledTrees: { channel: string }[] }>(
      await get(() => epochs, 'GET /epochs/{epoch}', `/epochs/${EPOCH}`, { epoch: String(EPOCH) }),
    );
    expect(epoch.channels).toEqual([
      expect.objectContaining({
        channel: 'music_chan',
        tokenGroup: 'MILO',
        category: 'music',
        tree: expect.objectContaining({ outcome: 'stored', leaves: 2, carried: 1, overflow: 1 }),
        publication: expect.objectContaining({ status: 'pending' }),
      }),
    ]);
    expect(epoch.pooledTrees.map((tr) => tr.channel)).toEqual(['carry:milo', 'category:music:milo']);
    const one = await get(
      () => epochs,
      'GET /epochs/{epoch}/channels/{channel}',
      `/epochs/${EPOCH}/channels/carry%3Amilo`,
      {
        epoch: String(EPOCH),
        channel: 'carry%3Amilo',
      },
    );
    expect(body(one)).toMatchObject({
      channel: 'carry:milo',
      kind: 'carry',
      tree: { outcome: 'empty' },
      publication: null,
    });
  });

  it('answers 404 for an epoch with nothing sealed and 400 for a bad limit', async () => {
    const missing = await get(() => epochs, 'GET /epochs/{epoch}', `/epochs/${EPOCH + 3600}`, {
      epoch: String(EPOCH + 3600),
    });
    expect(missing.statusCode).toBe(404);
    expect(message(missing)).toMatch(/has no sealed channel/);
    const bad = await get(() => epochs, 'GET /epochs', '/epochs', {}, { limit: '0' });
    expect(bad.statusCode).toBe(400);
    expect(message(bad)).toMatch(/limit must be between 1 and 500/);
  });
});

describe('the claims and epochs answers', () => {
  it('have the shapes their route contracts (and so the API document) describe', async () => {
    const epoch = String(EPOCH);
    conformingBody('GET /claims/{epoch}/{channel}/{user}', await claim(epoch, 'music_chan', 'alice_1'));
    conformingBody(
      'GET /claims/{epoch}/{channel}/{user}',
      await claim(epoch, 'category:music:milo', 'carol_3'),
    );
    conformingBody('GET /claims/{user}', await userClaims('alice_1'));
    conformingBody('GET /claims/{user}', await userClaims('bob_2'));
    conformingBody('GET /epochs', await get(() => epochs, 'GET /epochs', '/epochs', {}));
    conformingBody(
      'GET /epochs/{epoch}',
      await get(() => epochs, 'GET /epochs/{epoch}', `/epochs/${epoch}`, { epoch }),
    );
    for (const channel of ['music_chan', 'carry:milo'])
      conformingBody(
        'GET /epochs/{epoch}/channels/{channel}',
        await get(
          () => epochs,
          'GET /epochs/{epoch}/channels/{channel}',
          `/epochs/${epoch}/channels/${channel}`,
          { epoch, channel },
        ),
      );
  });

  it('answer a malformed percent-encoding with 400 naming the parameter', async () => {
    const result = await claim(String(EPOCH), '%E0%A4%A', 'alice_1');
    expect(result.statusCode).toBe(400);
    expect(message(result)).toBe('channel: not valid percent-encoding');
  });
});
