/**
 * What the page tells a viewer when something goes wrong: what happened, and what to do next.
 * Every error the page meets becomes one of these; the API's own message is shown where it
 * names the problem better than we could.
 */
import { ApiError, ApiUnreachableError } from './api.ts';
import { RpcError, RpcUnreachableError } from './solana-rpc.ts';
import { NoWalletError, SignatureRefusedError, WrongNetworkError } from './wallet.ts';

export interface Problem {
  readonly kind: string;
  readonly title: string;
  readonly detail: string;
  readonly next: string;
}

/** The attention program's `SlotMismatch` (6000 + its position in ProtocolError). */
const SLOT_MISMATCH = 6017;
/** The attention program's `AlreadyClaimed`. */
const ALREADY_CLAIMED = 6006;

export const problems = {
  noWallet: (): Problem => ({
    kind: 'no-wallet',
    title: 'No Solana wallet found',
    detail:
      'This browser has no wallet that supports the Wallet Standard, or it is not enabled for this site.',
    next: 'Install Phantom, Solflare or Backpack (or enable it for this site), then reload this page.',
  }),
  wrongNetwork: (wanted: string, offered: readonly string[]): Problem => ({
    kind: 'wrong-network',
    title: 'Your wallet is on another network',
    detail: `These rewards are on ${wanted.replace('solana:', 'Solana ')}; your wallet offers ${
      offered.length === 0 ? 'no Solana network' : offered.join(', ')
    }.`,
    next: `Switch your wallet to ${wanted.replace('solana:', 'Solana ')} and press “Connect wallet” again.`,
  }),
  signatureRefused: (what: string): Problem => ({
    kind: 'signature-refused',
    title: 'The wallet did not sign',
    detail: `The ${what} was refused or closed in your wallet, so nothing was sent.`,
    next: 'Press the button again and approve the request in your wallet.',
  }),
  nothingToClaim: (skipped: readonly { reason: string }[]): Problem => ({
    kind: 'nothing-to-claim',
    title: 'Nothing to claim right now',
    detail:
      skipped.length === 0
        ? 'You have no rewards waiting on chain.'
        : `Your rewards cannot be claimed yet: ${[...new Set(skipped.map((s) => s.reason))].join('; ')}.`,
    next: 'Keep this page open: new rewards appear here when their root lands on chain, about an hour after you watched.',
  }),
  rootExpired: (): Problem => ({
    kind: 'root-expired',
    title: 'A reward’s root has left the chain',
    detail:
      'A newer root took its ring slot before the claim landed. The amount is not lost: it returns to your carried balance and is paid in a later carry tree.',
    next: 'Press “Refresh now”, then “Claim all” for what is still claimable.',
  }),
  alreadyClaimed: (): Problem => ({
    kind: 'already-claimed',
    title: 'Already claimed',
    detail: 'One of these rewards was claimed already (perhaps from another tab).',
    next: 'Press “Refresh now” to see what is left.',
  }),
  rpcDown: (url: string): Problem => ({
    kind: 'rpc-down',
    title: 'The Solana network is not answering',
    detail: `The RPC at ${new URL(url).host} did not answer. Anything signed but not sent can be claimed again.`,
    next: 'Wait a minute and press “Claim all” again. If it keeps failing, check the Solana status page.',
  }),
  apiDown: (): Problem => ({
    kind: 'api-down',
    title: 'The rewards service is not answering',
    detail: 'We could not reach the rewards API. Nothing was changed.',
    next: 'Check your connection and try again in a minute.',
  }),
  blockhashExpired: (): Problem => ({
    kind: 'blockhash-expired',
    title: 'The claim took too long to land',
    detail: 'The transaction’s blockhash expired before the network confirmed it, so it can no longer land.',
    next: 'Press “Claim all” again: fresh transactions are prepared for what is still unclaimed.',
  }),
  notEnoughSol: (): Problem => ({
    kind: 'not-enough-sol',
    title: 'Your wallet needs a little SOL',
    detail:
      'Claiming pays a network fee, and the first claim of a token opens its account (about 0.002 SOL).',
    next: 'Add about 0.01 SOL to your wallet, then press “Claim all” again.',
  }),
  sessionExpired: (): Problem => ({
    kind: 'session-expired',
    title: 'Your sign-in has expired',
    detail: 'For your safety a sign-in lasts a limited time.',
    next: 'Press “Sign in with Twitch” again.',
  }),
  walletMismatch: (bound: string): Problem => ({
    kind: 'wallet-mismatch',
    title: 'Another wallet is bound to your account',
    detail: `Your rewards are built for the wallet ${bound}.`,
    next: 'Connect that wallet to claim, or press “Bind this wallet” to bind the connected one for future rewards.',
  }),
  signInFailed: (detail: string): Problem => ({
    kind: 'sign-in-failed',
    title: 'Twitch sign-in did not complete',
    detail,
    next: 'Press “Sign in with Twitch” again.',
  }),
  refused: (detail: string): Problem => ({
    kind: 'refused',
    title: 'The rewards service refused the request',
    detail,
    next: 'Follow what the message says, or reload the page and try again.',
  }),
};

function customProgramError(instructionError: unknown): number | undefined {
  if (instructionError === null || typeof instructionError !== 'object') return undefined;
  const pair = (instructionError as { InstructionError?: [number, unknown] }).InstructionError;
  const inner = pair?.[1];
  if (inner !== null && typeof inner === 'object' && 'Custom' in inner) {
    return (inner as { Custom: number }).Custom;
  }
  return undefined;
}

/** The transaction error a confirmed-but-failed claim reports, as a problem. */
export function problemOfTransactionError(err: unknown, logs: readonly string[] = []): Problem {
  const custom = customProgramError(err);
  if (custom === SLOT_MISMATCH) return problems.rootExpired();
  if (custom === ALREADY_CLAIMED) return problems.alreadyClaimed();
  if (
    err === 'InsufficientFundsForFee' ||
    err === 'AccountNotFound' ||
    logs.some((line) => /insufficient lamports/i.test(line))
  ) {
    return problems.notEnoughSol();
  }
  if (err === 'BlockhashNotFound') return problems.blockhashExpired();
  return problems.refused(`The network refused the claim: ${JSON.stringify(err)}`);
}

export function problemOf(error: unknown, context: { rpcUrl: string; chain: string }): Problem {
  if (error instanceof NoWalletError) return problems.noWallet();
  if (error instanceof WrongNetworkError) return problems.wrongNetwork(error.wanted, error.offered);
  if (error instanceof SignatureRefusedError) return problems.signatureRefused(error.what);
  if (error instanceof RpcUnreachableError) return problems.rpcDown(context.rpcUrl);
  if (error instanceof RpcError) return problemOfTransactionError(error.instructionError, error.logs);
  if (error instanceof ApiUnreachableError) return problems.apiDown();
  if (error instanceof ApiError) {
    if (error.status === 401 && /session/i.test(error.message)) return problems.sessionExpired();
    if (error.status === 503 && /solana|rpc/i.test(error.message)) return problems.rpcDown(context.rpcUrl);
    return problems.refused(error.message);
  }
  return problems.refused(error instanceof Error ? error.message : String(error));
}
