/**
 * The claims page: a viewer signs in with Twitch (the API's authorization-code flow, this page
 * being the redirect URI), connects a Solana wallet through the Wallet Standard and binds it by
 * signing the binding message, sees what is claimable, carried and claimed per channel and epoch,
 * and claims: the API prepares the transactions, the wallet signs, the page sends them to the
 * RPC and follows each to its confirmation.
 *
 * New roots show up by polling GET /claims/{user} every 15 s while the tab is visible: roots
 * land at most once a minute (the publisher's schedule), and the HTTP API has no push channel
 * for viewers.
 */

import type { Wallet } from '@wallet-standard/base';
import { canonicalBindingMessage } from '../../../../layers/shared/src/core/attention/binding-message-text.ts';
import { ClaimsApi, type UserClaims, type ViewerSession } from './api.ts';
import { type ClaimsPageConfig, loadClaimsPageConfig, walletChainOf } from './config.ts';
import { type Problem, problemOf, problemOfTransactionError, problems } from './problems.ts';
import { fromBase64, SolanaRpc, toBase64 } from './solana-rpc.ts';
import {
  addActivity,
  announce,
  element,
  renderClaims,
  renderSession,
  renderWallet,
  showProblem,
} from './view.ts';
import { ConnectedWallet, NoWalletError, watchWallets } from './wallet.ts';

const POLL_MS = 15_000;
const SESSION_KEY = 'claims-page.session';
const BINDING_VALIDITY_MS = 10 * 60_000;
const CLAIMED_REFRESH_ATTEMPTS = 6;
const CLAIMED_REFRESH_MS = 1_500;

interface PageState {
  readonly config: ClaimsPageConfig;
  readonly api: ClaimsApi;
  readonly rpc: SolanaRpc;
  readonly chain: `solana:${string}`;
  session: ViewerSession | undefined;
  wallets: Wallet[];
  wallet: ConnectedWallet | undefined;
  claims: UserClaims | undefined;
  busy: boolean;
}

function storedSession(): ViewerSession | undefined {
  const text = sessionStorage.getItem(SESSION_KEY);
  if (text === null) return undefined;
  const session = JSON.parse(text) as ViewerSession;
  if (Date.parse(session.expiresAt) <= Date.now()) {
    sessionStorage.removeItem(SESSION_KEY);
    return undefined;
  }
  return session;
}

/** The page's own address without query or fragment: the redirect URI registered for it. */
function pageAddress(): string {
  return `${location.origin}${location.pathname}`;
}

function render(state: PageState): void {
  renderSession(state.session);
  renderWallet({
    names: state.wallets.map((w) => w.name),
    connected: state.wallet?.address,
    bound: state.claims?.wallet?.wallet,
    signedIn: state.session !== undefined,
  });
  renderClaims(state.claims, Date.now());
  for (const id of ['sign-in', 'connect', 'bind', 'claim-all', 'refresh']) {
    element<HTMLButtonElement>(id).disabled = state.busy;
  }
}

/** Runs one viewer action: one at a time, its failure shown as a problem the viewer can act on. */
async function act(state: PageState, what: string, action: () => Promise<void>): Promise<void> {
  if (state.busy) return;
  state.busy = true;
  showProblem(undefined);
  announce(what);
  render(state);
  try {
    await action();
  } catch (error) {
    report(state, problemOf(error, { rpcUrl: state.config.solanaRpcUrl, chain: state.chain }));
  } finally {
    state.busy = false;
    render(state);
  }
}

function report(state: PageState, problem: Problem): void {
  if (problem.kind === 'session-expired') {
    state.session = undefined;
    sessionStorage.removeItem(SESSION_KEY);
  }
  announce('');
  showProblem(problem);
  element('problem').focus();
}

async function refresh(state: PageState): Promise<void> {
  if (state.session === undefined) {
    state.claims = undefined;
    return;
  }
  const before = new Set(state.claims?.claims.map((c) => `${c.epoch}:${c.channel}`) ?? []);
  state.claims = await state.api.claims(state.session.login);
  const arrived = state.claims.claims.filter((c) => !before.has(`${c.epoch}:${c.channel}`)).length;
  if (before.size > 0 && arrived > 0) announce(`${arrived} new reward${arrived === 1 ? '' : 's'} arrived.`);
}

/**
 * After confirmed claims: the API reads the claimed bitmaps through a cache of a few seconds, so
 * it is asked again until it lists the leaves as claimed, rather than showing them claimable.
 */
async function refreshUntilClaimed(state: PageState, keys: readonly string[]): Promise<void> {
  for (let attempt = 0; attempt < CLAIMED_REFRESH_ATTEMPTS; attempt++) {
    await refresh(state);
    const open = new Set(state.claims?.claims.map((c) => `${c.epoch}:${c.channel}:${c.index}`));
    if (!keys.some((key) => open.has(key))) return;
    render(state);
    await new Promise((resolve) => setTimeout(resolve, CLAIMED_REFRESH_MS));
  }
}

/** Back from Twitch: `code` and `state` (or `error`) in the query become a viewer session. */
async function finishSignIn(state: PageState): Promise<void> {
  const query = new URLSearchParams(location.search);
  if (!query.has('code') && !query.has('error')) return;
  history.replaceState(null, '', pageAddress());
  const error = query.get('error');
  if (error !== null) {
    report(
      state,
      problems.signInFailed(
        error === 'access_denied'
          ? 'You cancelled the sign-in at Twitch.'
          : `Twitch answered: ${query.get('error_description') ?? error}.`,
      ),
    );
    return;
  }
  const session = await state.api.signIn(query.get('code') ?? '', query.get('state') ?? '');
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  state.session = session;
  announce(`Signed in as ${session.login}.`);
}

async function signIn(state: PageState): Promise<void> {
  const { authorizeUrl } = await state.api.authorize(pageAddress());
  location.assign(authorizeUrl);
}

async function connect(state: PageState): Promise<void> {
  const index = Number(element<HTMLSelectElement>('wallet-select').value || '0');
  const chosen = state.wallets[index] ?? state.wallets[0];
  if (chosen === undefined) throw new NoWalletError();
  state.wallet = await ConnectedWallet.connect(chosen, state.chain);
  announce(`Connected ${chosen.name}: ${state.wallet.address}.`);
}

async function bind(state: PageState): Promise<void> {
  const { session, wallet } = state;
  if (session === undefined || wallet === undefined) return;
  const nonce = [...crypto.getRandomValues(new Uint8Array(16))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
  const expiresAt = new Date(Date.now() + BINDING_VALIDITY_MS).toISOString();
  const message = canonicalBindingMessage({
    ...session.deployment,
    twitchUserId: session.twitchUserId,
    username: session.login,
    wallet: wallet.address,
    nonce,
    expiresAt,
  });
  const signature = await wallet.signMessage(new TextEncoder().encode(message));
  await state.api.bind(session.session, {
    wallet: wallet.address,
    nonce,
    expiresAt,
    signature: toBase64(signature),
  });
  await refresh(state);
  announce(`Bound ${wallet.address} to ${session.login}. Rewards from now on are built for it.`);
}

async function claimAll(state: PageState): Promise<void> {
  const { session } = state;
  if (session === undefined) return;
  if (state.wallet === undefined) await connect(state);
  const wallet = state.wallet as ConnectedWallet;
  const prepared = await state.api.claimTransactions(session.session, session.login);
  if (prepared.wallet !== wallet.address) {
    report(state, problems.walletMismatch(prepared.wallet));
    return;
  }
  if (prepared.transactions.length === 0) {
    report(state, problems.nothingToClaim(prepared.skipped));
    return;
  }
  const lastValid = BigInt(prepared.lastValidBlockHeight);
  const total = prepared.transactions.length;
  for (const [i, { transaction, claims }] of prepared.transactions.entries()) {
    const amount = claims.reduce((sum, c) => sum + BigInt(c.amount), 0n);
    const rewards = `${claims.length} reward${claims.length === 1 ? '' : 's'}`;
    const update = addActivity(
      `Claim ${i + 1} of ${total} (${rewards}, ${amount.toLocaleString('en-US')} base units)`,
    );
    update('signing', 'waiting for your wallet to sign');
    announce(`Claim ${i + 1} of ${total}: approve it in your wallet.`);
    let signature: string;
    try {
      const signed = await wallet.signTransaction(fromBase64(transaction));
      signature = 'sent' in signed ? base58(signed.sent) : await state.rpc.sendTransaction(signed.signed);
    } catch (error) {
      update('failed', 'not sent');
      throw error;
    }
    update('sent', 'sent, waiting for confirmation', signature);
    announce(`Claim ${i + 1} of ${total} sent; waiting for confirmation.`);
    const outcome = await state.rpc.confirm(signature, lastValid);
    if (outcome === 'expired') {
      update('failed', 'expired before it was confirmed', signature);
      report(state, problems.blockhashExpired());
      await refresh(state);
      return;
    }
    if (outcome.err !== null) {
      update('failed', 'refused by the network', signature);
      report(state, problemOfTransactionError(outcome.err));
      await refresh(state);
      return;
    }
    update('confirmed', `confirmed in slot ${outcome.slot}`, signature);
  }
  await refreshUntilClaimed(
    state,
    prepared.transactions.flatMap((t) => t.claims.map((c) => `${c.epoch}:${c.channel}:${c.index}`)),
  );
  announce(
    total === 1 ? 'The claim transaction is confirmed.' : `All ${total} claim transactions are confirmed.`,
  );
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** A signature as base58, for a wallet that sent the transaction itself. */
function base58(bytes: Uint8Array): string {
  let value = 0n;
  for (const byte of bytes) value = value * 256n + BigInt(byte);
  let text = '';
  while (value > 0n) {
    text = (BASE58[Number(value % 58n)] ?? '') + text;
    value /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    text = `1${text}`;
  }
  return text;
}

async function start(): Promise<void> {
  let config: ClaimsPageConfig;
  try {
    config = await loadClaimsPageConfig(document.baseURI);
  } catch (error) {
    showProblem({
      kind: 'config',
      title: 'This page is not set up',
      detail: (error as Error).message,
      next: 'Tell the operator of this site; there is nothing to do on your side.',
    });
    return;
  }
  const state: PageState = {
    config,
    api: new ClaimsApi(config.apiBaseUrl),
    rpc: new SolanaRpc(config.solanaRpcUrl),
    chain: walletChainOf(config.solanaCluster),
    session: storedSession(),
    wallets: [],
    wallet: undefined,
    claims: undefined,
    busy: false,
  };
  state.wallets = watchWallets((wallets) => {
    state.wallets = wallets;
    render(state);
  });
  const on = (id: string, what: string, action: (s: PageState) => Promise<void>) =>
    element(id).addEventListener('click', () => void act(state, what, () => action(state)));
  on('sign-in', 'Sending you to Twitch…', signIn);
  on('connect', 'Connecting your wallet…', connect);
  on('bind', 'Approve the binding message in your wallet…', bind);
  on('claim-all', 'Preparing your claim transactions…', claimAll);
  on('refresh', 'Refreshing…', refresh);
  element('sign-out').addEventListener('click', () => {
    sessionStorage.removeItem(SESSION_KEY);
    state.session = undefined;
    state.claims = undefined;
    announce('Signed out.');
    render(state);
  });
  element('problem-dismiss').addEventListener('click', () => showProblem(undefined));
  element('problem').tabIndex = -1;

  await act(state, 'Loading…', async () => {
    await finishSignIn(state);
    await refresh(state);
    announce(state.session === undefined ? '' : `Signed in as ${state.session.login}.`);
  });
  setInterval(() => {
    if (document.visibilityState !== 'visible' || state.busy || state.session === undefined) return;
    refresh(state)
      .then(() => render(state))
      .catch(() => {
        // A missed poll is retried at the next; a problem shown now would interrupt the viewer.
      });
  }, POLL_MS);
}

void start();
