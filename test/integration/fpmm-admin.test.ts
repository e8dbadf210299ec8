/**
 * FPMM updates in production (issue 18, item 2): the admin routes and `oracle fpmm` queue
 * `updateRaffleProbability` and `updateMarketSentiment` through the delivery engine, checked
 * against the reference contract's ranges, audited in the enqueue's transaction, and delivered
 * to the FixedProductMarketMaker on anvil. Through the local HTTP server (admin tokens checked as
 * the authorizer does), fauxqs and the test database.
 */
import { execFile } from 'node:child_process';
import { hostname, userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Platform } from '../../functions/platform.ts';
import { StaticSecretStore } from '../../layers/shared/src/adapters/aws/secrets-manager-store.ts';
import { checksumAddress } from '../../layers/shared/src/core/delivery/evm-address.ts';
import { ANVIL_DEV_ACCOUNTS } from '../../local/anvil.ts';
import { type LocalHttpServer, startHttpServer } from '../../local/http-server.ts';
import { ROUTES } from '../../local/routes.ts';
import { type DeliveryHarness, startDeliveryHarness } from '../fixtures/delivery.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'token-of-oncall';
// anvil's well-known dev accounts, as players: addresses only, no key is used.
const PLAYER = ANVIL_DEV_ACCOUNTS[2].address;
const OTHER_PLAYER = ANVIL_DEV_ACCOUNTS[3].address;

let h: DeliveryHarness;
let http: LocalHttpServer;
let platform: Platform;
let env: Record<string, string>;

beforeAll(async () => {
  h = await startDeliveryHarness();
  // The routes stamp calls with the real time; the harness's engine follows the same clock.
  h.clock.t = Date.now();
  env = {
    ORACLE_MODE: 'local',
    LOG_LEVEL: 'SILENT',
    DATABASE_URL: h.db.url,
    ORACLE_CALLS_QUEUE_URL: h.queue.queueUrl,
    ORACLE_CALLS_DLQ_URL: h.queue.deadLetterQueueUrl ?? '',
    SQS_ENDPOINT: h.sqsEndpoint,
    EVM_CHAIN_ID: String(h.anvil.chainId),
    EVM_SIGNER_ADDRESS: h.signer.address,
  };
  Object.assign(process.env, env);
  platform = platformFromEnv();
  http = await startHttpServer({
    routes: ROUTES,
    platform: Promise.resolve(platform),
    secrets: new StaticSecretStore({
      'fpmm/ingest': JSON.stringify({ partner: 'key-of-partner' }),
      'fpmm/admin': JSON.stringify({ oncall: TOKEN }),
    }),
    ingestKeysSecretId: 'fpmm/ingest',
    adminTokensSecretId: 'fpmm/admin',
  });
});

afterAll(async () => {
  await platform?.close();
  await http?.close();
  await h?.close();
});

beforeEach(() => {
  h.clock.t = Math.max(h.clock.t, Date.now());
});

interface Answer {
  readonly call?: {
    id: number;
    status: string;
    functionName: string;
    targetAddress: string;
    requestId: string;
  };
  readonly created?: boolean;
  readonly error?: { readonly message: string };
}

async function post(path: string, body: unknown, token: string | null = TOKEN) {
  const response = await fetch(`${http.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

const raffle = (fpmm: string) => `/admin/fpmm/${fpmm}/raffle-probability`;
const sentiment = (fpmm: string) => `/admin/fpmm/${fpmm}/market-sentiment`;

const audit = () => h.db.sql`
  select actor, action, target_type, target_id, before, after, details from creator.admin_audit_log
  where action like 'fpmm.%' order by id`;

async function counts() {
  const [row] = await h.db.sql<{ calls: number; audited: number }[]>`
    select (select count(*)::int from delivery.oracle_call_history) as calls,
           (select count(*)::int from creator.admin_audit_log) as audited`;
  return row;
}

async function deliver() {
  await h.drain();
  await h.settle();
}

const onChain = {
  raffle: (season: number, player: string) =>
    h.fpmm.getFunction('raffleProbabilityBps')(season, player) as Promise<bigint>,
  sentiment: (season: number, player: string) =>
    h.fpmm.getFunction('marketSentimentBps')(season, player) as Promise<bigint>,
};

/** The address with the case of its first letter flipped: a broken EIP-55 checksum. */
function mistyped(address: string): string {
  const checksummed = checksumAddress(address);
  const i = checksummed.slice(2).search(/[a-fA-F]/) + 2;
  const c = checksummed.charAt(i);
  const flipped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
  return checksummed.slice(0, i) + flipped + checksummed.slice(i + 1);
}

describe('FPMM updates through the admin routes', () => {
  it('queues updateRaffleProbability, audits it under the admin token name, and the FPMM holds the value once delivered', async () => {
    const answer = await post(raffle(checksumAddress(h.fpmmAddress)), {
      seasonId: 1,
      player: PLAYER,
      probabilityBps: 2500,
    });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({
      created: true,
      call: {
        functionName: 'updateRaffleProbability',
        status: 'queued',
        targetAddress: h.fpmmAddress.toLowerCase(),
      },
    });
    const callId = answer.body.call?.id;
    expect(await audit()).toEqual([
      {
        actor: 'oncall',
        action: 'fpmm.raffle-probability',
        target_type: 'fpmm',
        target_id: h.fpmmAddress.toLowerCase(),
        before: null,
        after: { callId, status: 'queued', probabilityBps: 2500 },
        details: { seasonId: 1, player: PLAYER.toLowerCase(), requestId: answer.body.call?.requestId },
      },
    ]);

    await deliver();
    expect(await onChain.raffle(1, PLAYER)).toBe(2500n);
    const [call] = await h.db.sql<{ status: string; transaction_hash: string | null }[]>`
      select status, transaction_hash from delivery.oracle_call_history where id = ${callId ?? 0}`;
    expect(call?.status).toBe('success');
    expect(call?.transaction_hash).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('delivers market sentiment updates in order, the newer value last, each audited with the one before', async () => {
    const first = await post(sentiment(h.fpmmAddress), { seasonId: 1, player: PLAYER, sentimentBps: -1500 });
    const second = await post(sentiment(h.fpmmAddress), { seasonId: 1, player: PLAYER, sentimentBps: 700 });
    expect([first.status, second.status]).toEqual([202, 202]);
    const entries = (await audit()).filter((e) => e['action'] === 'fpmm.market-sentiment');
    expect(entries.map((e) => [e['before'], e['after']])).toEqual([
      [null, { callId: first.body.call?.id, status: 'queued', sentimentBps: -1500 }],
      [
        { callId: first.body.call?.id, status: 'queued', sentimentBps: -1500 },
        { callId: second.body.call?.id, status: 'queued', sentimentBps: 700 },
      ],
    ]);

    await deliver();
    expect(await onChain.sentiment(1, PLAYER)).toBe(700n);
  });

  it('refuses a value outside the contract range, a bad checksum or a zero address with a 400 naming the field, and writes and queues nothing', async () => {
    const fpmm = h.fpmmAddress;
    const good = { seasonId: 3, player: OTHER_PLAYER };
    const cases: [string, unknown, RegExp][] = [
      [raffle('not-an-address'), { ...good, probabilityBps: 1 }, /^fpmm: must be 0x followed by 40 hex/],
      [
        raffle(mistyped(fpmm)),
        { ...good, probabilityBps: 1 },
        /^fpmm: does not match its mixed-case \(EIP-55\)/,
      ],
      [raffle(`0x${'0'.repeat(40)}`), { ...good, probabilityBps: 1 }, /^fpmm: must not be the zero address/],
      [raffle(fpmm), { ...good, probabilityBps: 10_001 }, /^probabilityBps: must be at most 10000/],
      [raffle(fpmm), { ...good, probabilityBps: -1 }, /^probabilityBps: must be at least 0/],
      [raffle(fpmm), { ...good, probabilityBps: 12.5 }, /^probabilityBps: must be a whole number/],
      [raffle(fpmm), { ...good, probabilityBps: '2500' }, /^probabilityBps: Expected number/],
      [raffle(fpmm), { ...good, seasonId: 0, probabilityBps: 1 }, /^seasonId: must be at least 1/],
      [raffle(fpmm), { ...good, seasonId: 2 ** 53, probabilityBps: 1 }, /^seasonId: must be at most/],
      [raffle(fpmm), { seasonId: 3, probabilityBps: 1 }, /^player: Required/],
      [
        raffle(fpmm),
        { ...good, player: mistyped(OTHER_PLAYER), probabilityBps: 1 },
        /^player: does not match/,
      ],
      [
        raffle(fpmm),
        { ...good, player: `0x${'0'.repeat(40)}`, probabilityBps: 1 },
        /^player: must not be the zero/,
      ],
      [raffle(fpmm), { ...good, sentimentBps: 1 }, /^probabilityBps: Required/],
      [raffle(fpmm), { ...good, probabilityBps: 1, requestId: '' }, /^requestId: must not be empty/],
      [sentiment(fpmm), { ...good, sentimentBps: 10_001 }, /^sentimentBps: must be at most 10000/],
      [sentiment(fpmm), { ...good, sentimentBps: -10_001 }, /^sentimentBps: must be at least -10000/],
      [sentiment(fpmm), { ...good, sentimentBps: 1, extra: true }, /Unrecognized key/],
    ];
    const before = await counts();
    for (const [path, body, message] of cases) {
      const answer = await post(path, body);
      expect(answer.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(answer.body.error?.message, `${path} ${JSON.stringify(body)}`).toMatch(message);
    }
    expect(await counts()).toEqual(before);
    expect(await h.queue.receive({ maxMessages: 10, visibilityTimeoutSeconds: 0 })).toEqual([]);

    // The contract's own bounds are accepted: 0 and 10,000; -10,000 and 10,000.
    for (const [path, body] of [
      [raffle(fpmm), { ...good, probabilityBps: 0 }],
      [raffle(fpmm), { ...good, probabilityBps: 10_000 }],
      [sentiment(fpmm), { ...good, sentimentBps: -10_000 }],
      [sentiment(fpmm), { ...good, sentimentBps: 10_000 }],
    ] as const) {
      expect((await post(path, body)).status).toBe(202);
    }
    await deliver();
    expect(await onChain.raffle(3, OTHER_PLAYER)).toBe(10_000n);
    expect(await onChain.sentiment(3, OTHER_PLAYER)).toBe(10_000n);
  });

  it('answers a repeated request id with the same call, sends and audits it once, and refuses the id for another update', async () => {
    const body = { seasonId: 4, player: PLAYER, probabilityBps: 4200, requestId: 'ticket-42' };
    const first = await post(raffle(h.fpmmAddress), body);
    const again = await post(raffle(h.fpmmAddress), body);
    expect([first.status, again.status]).toEqual([202, 200]);
    expect(again.body).toMatchObject({ created: false, call: { id: first.body.call?.id } });
    const reused = await post(raffle(h.fpmmAddress), { ...body, probabilityBps: 4300 });
    expect(reused.status).toBe(409);
    expect(reused.body.error?.message).toMatch(/^requestId ticket-42 already names oracle call/);
    const [row] = await h.db.sql<{ n: number; audited: number }[]>`
      select (select count(*)::int from delivery.oracle_call_history where request_id = 'ticket-42') as n,
             (select count(*)::int from creator.admin_audit_log where details->>'requestId' = 'ticket-42') as audited`;
    expect(row).toEqual({ n: 1, audited: 1 });
    expect(await h.drain()).toBe(1);
    await h.settle();
    expect(await onChain.raffle(4, PLAYER)).toBe(4200n);
  });

  it('refuses a request without an admin token before anything is recorded', async () => {
    const before = await counts();
    const answer = await post(
      raffle(h.fpmmAddress),
      { seasonId: 5, player: PLAYER, probabilityBps: 1 },
      null,
    );
    expect(answer.status).toBe(401);
    const forged = await post(
      raffle(h.fpmmAddress),
      { seasonId: 5, player: PLAYER, probabilityBps: 1 },
      'key-of-partner',
    );
    expect(forged.status).toBe(401);
    expect(await counts()).toEqual(before);
  });
});

describe('oracle fpmm', () => {
  // Asynchronously: fauxqs runs in this process, and must answer the CLI's queue requests.
  const cli = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'bin/oracle.ts', 'fpmm', ...args],
        {
          cwd: ROOT,
          env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
          encoding: 'utf8',
          timeout: 60_000,
        },
        (error, stdout, stderr) =>
          resolve({ status: error === null ? 0 : (error.code as number | null), stdout, stderr }),
      );
    });

  it('queues a negative market sentiment through the same service, audited as the OS user at this host', async () => {
    const run = await cli(['sentiment', h.fpmmAddress, '-2500', '--season', '6', '--player', PLAYER]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^queued: call \d+ updateMarketSentiment .*oracle calls show \d+\n$/);
    const entries = (await audit()).filter((e) => (e['details'] as { seasonId: number }).seasonId === 6);
    expect(entries).toEqual([
      expect.objectContaining({
        actor: `cli:${userInfo().username}@${hostname()}`,
        action: 'fpmm.market-sentiment',
        after: expect.objectContaining({ sentimentBps: -2500 }),
      }),
    ]);
    await deliver();
    expect(await onChain.sentiment(6, PLAYER)).toBe(-2500n);
  });

  it('refuses a value outside the range with the route message and exit code 2, writing nothing', async () => {
    const before = await counts();
    const run = await cli([
      'raffle-probability',
      h.fpmmAddress,
      '10001',
      '--season',
      '6',
      '--player',
      PLAYER,
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^oracle fpmm: probabilityBps: must be at most 10000/);
    expect(await counts()).toEqual(before);
  });
});
