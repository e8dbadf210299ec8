/**
 * Sorts a failed chain call into the four classes of the source's BlockchainErrorHandler
 * (network / gas / nonce / execution). Works on the shape of the error (ethers v6 codes, the
 * node's message, Node's socket codes), so the core stays free of the chain SDK.
 */
import type { ChainErrorKind } from '../../errors.ts';

export interface ClassifiedChainError {
  readonly kind: ChainErrorKind;
  /** The decoded revert reason for execution errors; otherwise the most specific message found. */
  readonly reason: string;
  /** The code the classification rests on (ethers code, socket code) where there is one. */
  readonly code: string | undefined;
}

const NETWORK_CODES = new Set([
  'NETWORK_ERROR',
  'TIMEOUT',
  'SERVER_ERROR',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'CIRCUIT_OPEN',
]);
const NONCE_CODES = new Set(['NONCE_EXPIRED', 'REPLACEMENT_UNDERPRICED', 'TRANSACTION_REPLACED']);
const GAS_CODES = new Set(['INSUFFICIENT_FUNDS']);

const NONCE_MESSAGES = [
  /nonce too low/i,
  /nonce too high/i,
  /nonce has already been used/i,
  /replacement transaction underpriced/i,
  /invalid nonce/i,
];
const GAS_MESSAGES = [
  /insufficient funds/i,
  /max fee per gas less than block base fee/i,
  /fee cap .*less than/i,
  /intrinsic gas too low/i,
  /gas required exceeds/i,
  /out of gas/i,
  /transaction underpriced/i,
  /exceeds block gas limit/i,
  /max priority fee per gas higher than max fee/i,
];
const NETWORK_MESSAGES = [
  /fetch failed/i,
  /socket hang up/i,
  /ECONNREFUSED/,
  /ECONNRESET/,
  /timeout/i,
  /network/i,
  /503|502|504/,
];
const EXECUTION_MESSAGES = [/execution reverted/i, /revert/i];

interface ErrorLike {
  code?: unknown;
  reason?: unknown;
  shortMessage?: unknown;
  message?: unknown;
  revert?: { args?: unknown[] } | null;
  error?: unknown;
  info?: { error?: unknown } | null;
  cause?: unknown;
}

function asObject(value: unknown): ErrorLike | undefined {
  return typeof value === 'object' && value !== null ? (value as ErrorLike) : undefined;
}

/** The error, the errors it wraps (ethers' `error`, `info.error`, `cause`), outermost first. */
function chain(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && out.length < 8) {
    const next = asObject(queue.shift());
    if (next === undefined || out.includes(next)) continue;
    out.push(next);
    queue.push(next.error, next.info?.error, next.cause);
  }
  return out;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function revertReason(layer: ErrorLike): string | undefined {
  const fromArgs = layer.revert?.args?.[0];
  return text(layer.reason) ?? (typeof fromArgs === 'string' ? fromArgs : undefined);
}

export function classifyChainError(error: unknown): ClassifiedChainError {
  const layers = chain(error);
  const messages = layers.flatMap((layer) =>
    [text(layer.shortMessage), text(layer.message)].filter((m) => m !== undefined),
  );
  const message = messages[0] ?? String(error);
  const codes = layers.map((layer) => (typeof layer.code === 'string' ? layer.code : undefined));
  const has = (set: Set<string>) => codes.find((code) => code !== undefined && set.has(code));
  const matches = (patterns: RegExp[]) => messages.find((m) => patterns.some((p) => p.test(m)));

  if (codes.includes('CALL_EXCEPTION')) {
    const reason = layers.map(revertReason).find((r) => r !== undefined);
    return { kind: 'execution', reason: reason ?? 'reverted without a reason', code: 'CALL_EXCEPTION' };
  }
  const nonceCode = has(NONCE_CODES);
  const nonceMessage = matches(NONCE_MESSAGES);
  if (nonceCode !== undefined || nonceMessage !== undefined) {
    return { kind: 'nonce', reason: nonceMessage ?? message, code: nonceCode };
  }
  const gasCode = has(GAS_CODES);
  const gasMessage = matches(GAS_MESSAGES);
  if (gasCode !== undefined || gasMessage !== undefined)
    return { kind: 'gas', reason: gasMessage ?? message, code: gasCode };
  const networkCode = has(NETWORK_CODES);
  if (networkCode !== undefined) return { kind: 'network', reason: message, code: networkCode };
  const executionMessage = matches(EXECUTION_MESSAGES);
  if (executionMessage !== undefined) {
    return {
      kind: 'execution',
      reason: executionMessage.replace(/^execution reverted:?\s*/i, '') || executionMessage,
      code: undefined,
    };
  }
  const networkMessage = matches(NETWORK_MESSAGES);
  if (networkMessage !== undefined) return { kind: 'network', reason: networkMessage, code: undefined };
  return { kind: 'unknown', reason: message, code: codes.find((c) => c !== undefined) };
}
