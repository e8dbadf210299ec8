/**
 * The claims page in headless Chromium against the local runtime (program mode on its LiteSVM
 * chain): viewers sign in through the Twitch fixture, connect a Wallet Standard wallet and bind it,
 * watch their rewards arrive without reloading, and claim them on chain. Each state is scanned
 * with axe-core and photographed at desktop and phone width into .local/screenshots/claims-page/.
 */
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Web3SolanaClient } from '../../layers/shared/src/adapters/solana/web3-solana-client.ts';
import { writeIngestBatch } from '../../layers/shared/src/services/attention/ingest-writer.ts';
import { drain } from '../../local/queue-poller.ts';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { associatedTokenAddress, readTokenAccount } from '../../local/token-2022.ts';
import { launchChromium, screenshotBothWidths, seriousAxeViolations } from '../fixtures/browser.ts';
import { makeEvent } from '../fixtures/events.ts';
import { installTestWallet, type TestWallet } from '../fixtures/test-wallet.ts';

const SCREENSHOTS = fileURLToPath(new URL('../../.local/screenshots/claims-page/', import.meta.url));
const ALICE = 'alice_claims';
const BOB = 'bob_claims';

interface Viewer {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly wallet: TestWallet;
}

interface UserClaimsAnswer {
  claims: {
    epoch: number;
    channel: string;
    index: number;
    amount: string;
    publication: { status: string } | null;
  }[];
}

let runtime: LocalRuntime;
let browser: Browser;

beforeAll(async () => {
  // The browser first: without one the test fails at once, naming how to install it, before
  // anything is started that would then have to be stopped.
  browser = await launchChromium();
  runtime = await startLocalRuntime();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

async function openViewer(chains?: readonly string[]): Promise<Viewer> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const wallet = await installTestWallet(context, chains);
  const page = await context.newPage();
  await page.goto(`${runtime.apiUrl}/`);
  await page.locator('#signed-out').waitFor();
  return { context, page, wallet };
}

/** The state's screenshots, and no serious or critical accessibility violation in it. */
async function record(page: Page, state: string): Promise<void> {
  await screenshotBothWidths(page, SCREENSHOTS, state);
  expect(await seriousAxeViolations(page), `axe in state ${state}`).toEqual([]);
}

async function signInAndBind(viewer: Viewer, login: string): Promise<void> {
  const { page } = viewer;
  await page.getByRole('button', { name: 'Sign in with Twitch' }).click();
  await page.waitForURL(/\/oauth2\/authorize/);
  await page.getByLabel('Twitch login').fill(login);
  await page.getByRole('button', { name: 'Authorize' }).click();
  await page.waitForURL(`${runtime.apiUrl}/`);
  await expect.poll(() => page.locator('#login').textContent()).toBe(login);
  await page.getByRole('button', { name: 'Connect wallet' }).click();
  await page.getByRole('button', { name: 'Bind this wallet' }).click();
  await expect
    .poll(() => page.locator('#wallet-summary').getAttribute('data-bound'))
    .toBe(viewer.wallet.address);
}

async function apiClaims(login: string): Promise<UserClaimsAnswer> {
  const response = await fetch(`${runtime.apiUrl}/claims/${login}`);
  expect(response.status).toBe(200);
  return (await response.json()) as UserClaimsAnswer;
}

const claimableOf = (answer: UserClaimsAnswer) =>
  answer.claims.filter((c) => c.publication?.status === 'published');
const keyOf = (c: { epoch: number; channel: string; index: number }) => `${c.epoch}:${c.channel}:${c.index}`;
const sum = (amounts: readonly string[]) => amounts.reduce((total, a) => total + BigInt(a), 0n);

async function rows(page: Page, state: string): Promise<{ key: string; amount: string }[]> {
  return page.locator(`#claims-rows tr[data-state="${state}"]`).evaluateAll((trs) =>
    trs.map((tr) => {
      const data = (tr as unknown as { dataset: Record<string, string> }).dataset;
      return { key: data['key'] ?? '', amount: data['amount'] ?? '' };
    }),
  );
}

/** The viewer's token balance over every token group's mint. */
async function tokenBalance(owner: string): Promise<bigint> {
  const client = new Web3SolanaClient({ url: runtime.solanaRpcUrl });
  const mints = JSON.parse(runtime.env['TOKEN_GROUP_MINTS'] ?? '{}') as Record<string, { mint: string }>;
  let total = 0n;
  for (const { mint } of Object.values(mints)) {
    const account = await client.getAccount(associatedTokenAddress(owner, mint));
    total += account === null ? 0n : (readTokenAccount(account.data)?.amount ?? 0n);
  }
  return total;
}

async function fund(address: string): Promise<void> {
  const client = new Web3SolanaClient({ url: runtime.solanaRpcUrl, pollIntervalMs: 50 });
  const signature = await client.requestAirdrop(address, 1_000_000_000n);
  await client.confirmTransaction(signature, (await client.getLatestBlockhash()).lastValidBlockHeight);
}

/**
 * Chat of an hour that is over, sealed and published as the hourly seal and the every-minute
 * publisher do it: alice watches two channels and cheers in one, bob watches one.
 */
async function sealAndPublishAnHour(): Promise<number> {
  const epoch = Math.floor(Date.now() / 3_600_000) * 3600 - 3 * 3600;
  const at = (s: number) => epoch * 1000 + s * 1000;
  const { sql } = await runtime.platform.database();
  await writeIngestBatch(
    sql,
    [
      makeEvent({ channel: 'page_chan_one', user: ALICE, kind: 'presence', ts: at(60) }),
      makeEvent({ channel: 'page_chan_one', user: ALICE, kind: 'bits', amount: 250, ts: at(61) }),
      makeEvent({ channel: 'page_chan_two', user: ALICE, kind: 'presence', ts: at(62) }),
      makeEvent({ channel: 'page_chan_one', user: BOB, kind: 'presence', ts: at(63) }),
    ],
    new Date(),
  );
  const seal = (await import('../../functions/scheduled/seal/index.ts')).handler.on(runtime.platform);
  await seal({ epoch });
  const schedule = (await import('../../functions/scheduled/publish-roots/index.ts')).handler.on(
    runtime.platform,
  );
  const consume = (await import('../../functions/queue/publisher/index.ts')).handler.on(runtime.platform);
  for (let tick = 0; tick < 5; tick++) {
    const { queued } = await schedule({});
    await drain(runtime.sqs.client, runtime.sqs.queues.publish.url, consume, { batchSize: 10 });
    if (queued === 0) break;
  }
  return epoch;
}

describe('the claims page', () => {
  it('a viewer signs in with Twitch, binds a wallet, sees what GET /claims answers arrive without reloading, claims all, and the token balance grows by exactly that sum', async () => {
    const alice = await openViewer();
    await record(alice.page, 'signed-out');
    await signInAndBind(alice, ALICE);
    const bob = await openViewer();
    await signInAndBind(bob, BOB);
    await Promise.all([fund(alice.wallet.address), fund(bob.wallet.address)]);

    const epoch = await sealAndPublishAnHour();
    // No reload: the page's polling brings the published roots in.
    await alice.page.locator('#claims-rows tr[data-state="claimable"]').nth(1).waitFor({ timeout: 30_000 });
    const served = claimableOf(await apiClaims(ALICE));
    expect(served.map((c) => c.epoch)).toEqual([epoch, epoch]);
    const shown = await rows(alice.page, 'claimable');
    expect(shown.map((r) => r.key).sort()).toEqual(served.map(keyOf).sort());
    expect(shown.map((r) => r.amount).sort()).toEqual(served.map((c) => c.amount).sort());
    const claimable = sum(served.map((c) => c.amount));
    expect(await alice.page.locator('#claims-summary').getAttribute('data-claimable')).toBe(
      claimable.toString(),
    );
    await record(alice.page, 'claimable');

    const before = await tokenBalance(alice.wallet.address);
    const release = alice.wallet.holdTransactions();
    await alice.page.getByRole('button', { name: 'Claim all' }).click();
    await alice.page.locator('#activity li[data-state="signing"]').first().waitFor();
    await record(alice.page, 'claiming');
    release();
    await expect
      .poll(() => rows(alice.page, 'claimed').then((r) => r.length), { timeout: 20_000 })
      .toBe(served.length);
    const items = alice.page.locator('#activity li');
    expect(await items.count()).toBeGreaterThan(0);
    expect(await alice.page.locator('#activity li:not([data-state="confirmed"])').count()).toBe(0);
    await expect
      .poll(() => items.first().locator('code').textContent())
      .toMatch(/^[1-9A-HJ-NP-Za-km-z]{64,88}$/);
    await record(alice.page, 'claimed');
    expect(await tokenBalance(alice.wallet.address)).toBe(before + claimable);
    expect(claimableOf(await apiClaims(ALICE))).toEqual([]);

    // Bob's page shows his leaf only, and his session cannot have alice's claims prepared.
    await bob.page.getByRole('button', { name: 'Refresh now' }).click();
    await bob.page.locator('#claims-rows tr[data-state="claimable"]').first().waitFor();
    const bobServed = claimableOf(await apiClaims(BOB));
    expect((await rows(bob.page, 'claimable')).map((r) => r.key)).toEqual(bobServed.map(keyOf));
    const aliceKeys = new Set(served.map(keyOf));
    const bobShown = [...(await rows(bob.page, 'claimable')), ...(await rows(bob.page, 'claimed'))];
    expect(bobShown.filter((r) => aliceKeys.has(r.key))).toEqual([]);
    const stolen = await bob.page.evaluate(async (victim) => {
      const store = (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } })
        .sessionStorage;
      const session = JSON.parse(store.getItem('claims-page.session') ?? '{}') as { session?: string };
      const response = await fetch(`/claims/${victim}/transactions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.session}` },
      });
      return response.status;
    }, ALICE);
    expect(stolen).toBe(403);

    // A refused signature and an RPC that does not answer are errors the viewer can act on; pressing again claims.
    const bobBefore = await tokenBalance(bob.wallet.address);
    bob.wallet.refuseNext();
    await bob.page.getByRole('button', { name: 'Claim all' }).click();
    await expect.poll(() => bob.page.locator('#problem').getAttribute('data-kind')).toBe('signature-refused');
    expect(await bob.page.locator('#problem').isVisible()).toBe(true);
    await record(bob.page, 'error-signature-refused');
    // The RPC unreachable from the viewer's browser: signed, not sent, and the viewer told to retry.
    const rpcOrigin = new URL(runtime.solanaRpcUrl).origin;
    const rpcDown = (url: URL) => url.origin === rpcOrigin;
    await bob.page.route(rpcDown, (route) => route.abort('connectionrefused'));
    await bob.page.getByRole('button', { name: 'Claim all' }).click();
    await expect.poll(() => bob.page.locator('#problem').getAttribute('data-kind')).toBe('rpc-down');
    await record(bob.page, 'error-rpc-down');
    await bob.page.unroute(rpcDown);
    expect(await tokenBalance(bob.wallet.address)).toBe(bobBefore);
    await bob.page.getByRole('button', { name: 'Claim all' }).click();
    await expect
      .poll(() => rows(bob.page, 'claimed').then((r) => r.length), { timeout: 20_000 })
      .toBe(bobServed.length);
    expect(await tokenBalance(bob.wallet.address)).toBe(bobBefore + sum(bobServed.map((c) => c.amount)));
    expect(await tokenBalance(alice.wallet.address)).toBe(before + claimable);
    await Promise.all([alice.context.close(), bob.context.close()]);
  }, 120_000);

  it('by keyboard, without a wallet, or with one on another network, the page says what to do', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${runtime.apiUrl}/`);
    await page.locator('#signed-out').waitFor();
    // By keyboard alone: the skip link, "Sign in with Twitch", then "Connect wallet".
    const focused = () =>
      page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document
            .activeElement?.id,
      );
    for (const id of ['', 'sign-in', 'connect']) {
      await page.keyboard.press('Tab');
      if (id !== '') expect(await focused()).toBe(id);
    }
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#problem').getAttribute('data-kind')).toBe('no-wallet');
    // The problem takes the focus, so a screen reader or keyboard user lands on it.
    expect(await focused()).toBe('problem');
    expect(await page.locator('#problem-next').textContent()).toMatch(
      /Install Phantom, Solflare or Backpack/,
    );
    await record(page, 'error-no-wallet');
    await context.close();

    const devnet = await openViewer(['solana:devnet']);
    await devnet.page.getByRole('button', { name: 'Connect wallet' }).click();
    await expect.poll(() => devnet.page.locator('#problem').getAttribute('data-kind')).toBe('wrong-network');
    expect(await devnet.page.locator('#problem-next').textContent()).toMatch(
      /Switch your wallet to Solana localnet/,
    );
    await record(devnet.page, 'error-wrong-network');
    await devnet.context.close();
  }, 60_000);
});
