/**
 * Rendering: the page's state into the static markup of index.html. Text goes in through
 * textContent only, so nothing the API or a wallet answers is ever parsed as HTML.
 */
import type { UserClaims, ViewerSession } from './api.ts';
import type { Problem } from './problems.ts';

const EPOCH_SECONDS = 3600;
/**
 * The program keeps a channel's roots in 10 ring slots (slot = hour mod 10): the root of epoch E
 * is overwritten once the root of E + 10 h lands, which the publisher sends after that hour is
 * sealed (5 minutes past its end). Until then, at least, it stays claimable.
 */
const RING_HOURS = 10;
const SEAL_DELAY_SECONDS = 5 * 60;

export function claimableUntil(epoch: number): Date {
  return new Date((epoch + (RING_HOURS + 1) * EPOCH_SECONDS + SEAL_DELAY_SECONDS) * 1000);
}

export function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
}

const utc = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});
const local = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function formatAmount(amount: string): string {
  return BigInt(amount).toLocaleString('en-US');
}

export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 4)}…${address.slice(-4)}` : address;
}

function cell(row: HTMLTableRowElement, label: string, text: string, className?: string): HTMLElement {
  const td = row.insertCell();
  td.dataset['label'] = label;
  td.textContent = text;
  if (className !== undefined) td.className = className;
  return td;
}

export function showProblem(problem: Problem | undefined): void {
  const box = element('problem');
  if (problem === undefined) {
    box.hidden = true;
    return;
  }
  box.dataset['kind'] = problem.kind;
  element('problem-title').textContent = problem.title;
  element('problem-detail').textContent = problem.detail;
  element('problem-next').textContent = problem.next;
  box.hidden = false;
}

export function announce(text: string): void {
  element('status').textContent = text;
}

export function renderSession(session: ViewerSession | undefined): void {
  element('signed-out').hidden = session !== undefined;
  element('signed-in').hidden = session === undefined;
  element('login').textContent = session?.login ?? '';
}

export interface WalletView {
  readonly names: readonly string[];
  readonly connected: string | undefined;
  readonly bound: string | undefined;
  readonly signedIn: boolean;
}

export function renderWallet(view: WalletView): void {
  const summary = element('wallet-summary');
  const choice = element('wallet-choice');
  const select = element<HTMLSelectElement>('wallet-select');
  const connect = element<HTMLButtonElement>('connect');
  const bind = element<HTMLButtonElement>('bind');
  if (select.options.length !== view.names.length) {
    select.replaceChildren(...view.names.map((name, i) => new Option(name, String(i))));
  }
  choice.hidden = view.connected !== undefined || view.names.length < 2;
  connect.hidden = view.connected !== undefined;
  bind.hidden = !view.signedIn || view.connected === undefined || view.connected === view.bound;
  if (view.connected === undefined) {
    summary.textContent =
      view.bound === undefined
        ? 'Connect a wallet that supports the Wallet Standard (Phantom, Solflare, Backpack).'
        : `Your rewards go to ${shortAddress(view.bound)}. Connect that wallet to claim.`;
  } else if (view.connected === view.bound) {
    summary.textContent = `Connected and bound: ${view.connected}. Rewards are built for this wallet.`;
  } else {
    summary.textContent =
      view.bound === undefined
        ? `Connected: ${view.connected}. Bind it to your Twitch account so your rewards are built for it.`
        : `Connected: ${view.connected}. Your account is bound to ${view.bound}; bind this one instead for future rewards.`;
  }
  summary.dataset['connected'] = view.connected ?? '';
  summary.dataset['bound'] = view.bound ?? '';
}

/** The claims table, the carried balances, and the claim button; answers the claimable total. */
export function renderClaims(claims: UserClaims | undefined, nowMs: number): bigint {
  const table = element<HTMLTableElement>('claims-table');
  const rows = element<HTMLTableSectionElement>('claims-rows');
  const carried = element('carried');
  const summary = element('claims-summary');
  const claimAll = element<HTMLButtonElement>('claim-all');
  element('refresh').hidden = claims === undefined;
  if (claims === undefined) {
    table.hidden = true;
    carried.hidden = true;
    claimAll.hidden = true;
    summary.textContent = 'Sign in to see what you can claim.';
    return 0n;
  }
  rows.replaceChildren();
  let claimable = 0n;
  for (const leaf of claims.claims) {
    const row = rows.insertRow();
    const landed = leaf.publication?.status === 'published';
    row.dataset['state'] = landed ? 'claimable' : 'waiting';
    row.dataset['amount'] = leaf.amount;
    row.dataset['key'] = `${leaf.epoch}:${leaf.channel}:${leaf.index}`;
    cell(row, 'Channel', leaf.channel);
    cell(row, 'Epoch', utc.format(new Date(leaf.epoch * 1000)));
    cell(row, 'Amount', `${formatAmount(leaf.amount)} ${leaf.tokenGroup}`, 'number');
    cell(
      row,
      'Status',
      landed ? 'Claimable now' : 'Waiting for its root to land on chain',
      landed ? 'state-claimable' : 'state-waiting',
    );
    const until = claimableUntil(leaf.epoch);
    cell(row, 'Claim before', until.getTime() > nowMs ? `at least ${local.format(until)}` : 'any moment now');
    if (landed) claimable += BigInt(leaf.amount);
  }
  for (const leaf of claims.claimed) {
    const row = rows.insertRow();
    row.dataset['state'] = 'claimed';
    row.dataset['amount'] = leaf.amount;
    row.dataset['key'] = `${leaf.epoch}:${leaf.channel}:${leaf.index}`;
    cell(row, 'Channel', leaf.channel);
    cell(row, 'Epoch', utc.format(new Date(leaf.epoch * 1000)));
    cell(row, 'Amount', formatAmount(leaf.amount), 'number');
    cell(row, 'Status', 'Claimed', 'state-claimed');
    cell(row, 'Claim before', '–');
  }
  table.hidden = rows.rows.length === 0;
  carried.replaceChildren(
    ...claims.carried.map((balance) => {
      const item = document.createElement('li');
      item.dataset['amount'] = balance.amount;
      item.textContent = balance.waitingForBinding
        ? `${formatAmount(balance.amount)} ${balance.tokenGroup} carried: waiting for you to bind a wallet.`
        : `${formatAmount(balance.amount)} ${balance.tokenGroup} carried: paid to your wallet in the next carry tree.`;
      return item;
    }),
  );
  carried.hidden = claims.carried.length === 0;
  summary.dataset['claimable'] = claimable.toString();
  summary.textContent =
    claimable > 0n
      ? `You can claim ${formatAmount(claimable.toString())} tokens (base units) now.`
      : claims.claims.length > 0
        ? 'Your rewards are waiting for their roots to land on chain.'
        : 'Nothing to claim right now. New rewards appear here when their roots land.';
  claimAll.hidden = claimable === 0n;
  element('last-updated').textContent = `Updated ${local.format(new Date(nowMs))}; checked every 15 seconds.`;
  return claimable;
}

export type ActivityState = 'signing' | 'sent' | 'confirmed' | 'failed';

/** One claim transaction in the activity list; answers a function that updates it. */
export function addActivity(label: string): (state: ActivityState, text: string, signature?: string) => void {
  element('activity-section').hidden = false;
  const item = document.createElement('li');
  element('activity').append(item);
  return (state, text, signature) => {
    item.dataset['state'] = state;
    item.replaceChildren(`${label}: ${text}`);
    if (signature !== undefined) {
      item.append(document.createElement('br'), 'Signature ');
      const code = document.createElement('code');
      code.textContent = signature;
      item.append(code);
    }
  };
}
