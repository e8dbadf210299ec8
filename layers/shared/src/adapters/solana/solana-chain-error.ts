/**
 * Maps what @solana/web3.js and fetch throw onto ChainError kinds, so callers decide on retries
 * from `kind` alone: 'network' (no answer, refused, rate limited, node unhealthy: retry as is),
 * 'blockhash' (unknown or expired blockhash: sign again with a new one), 'execution' (the
 * transaction was simulated or landed and a program refused it), 'unknown'.
 */
import { SendTransactionError, SolanaJSONRPCError } from '@solana/web3.js';
import { ChainError, type ChainErrorKind } from '../../errors.ts';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

const NETWORK_MESSAGE =
  /TimeoutError|AbortError|aborted due to timeout|fetch failed|socket hang up|other side closed|ECONNREFUSED|ECONNRESET|network/i;

/** JSON-RPC server errors a node answers while it is behind or unhealthy. */
const TRANSIENT_RPC_CODES = new Set([-32004, -32005, -32007, -32014, -32016]);

export function isAlreadyProcessed(error: unknown): boolean {
  return /already been processed|AlreadyProcessed/i.test(rpcMessage(error));
}

export function toChainError(error: unknown, action: string): ChainError {
  if (error instanceof ChainError) return error;
  const message = rpcMessage(error);
  const { kind, details } = classify(error, message);
  return new ChainError(`Solana ${action} failed: ${firstLine(message)}`, kind, { cause: error, details });
}

function classify(
  error: unknown,
  message: string,
): { kind: ChainErrorKind; details: Record<string, unknown> } {
  if (/blockhash not found|BlockhashNotFound|block height exceeded/i.test(message)) {
    return { kind: 'blockhash', details: {} };
  }
  if (error instanceof SendTransactionError) {
    return { kind: 'execution', details: { logs: error.transactionError.logs ?? [] } };
  }
  if (error instanceof SolanaJSONRPCError) {
    const code = typeof error.code === 'number' ? error.code : Number(error.code);
    if (TRANSIENT_RPC_CODES.has(code)) return { kind: 'network', details: { rpcCode: code } };
    if (code === -32002) return { kind: 'execution', details: { rpcCode: code } };
    return { kind: 'unknown', details: { rpcCode: code } };
  }
  const status = /^(\d{3}) /.exec(message)?.[1];
  if (status === '429') return { kind: 'network', details: { httpStatus: 429, rateLimited: true } };
  if (status?.startsWith('5')) return { kind: 'network', details: { httpStatus: Number(status) } };
  if (isNetworkFailure(error)) return { kind: 'network', details: {} };
  return { kind: 'unknown', details: {} };
}

function isNetworkFailure(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current.name === 'AbortError' || current.name === 'TimeoutError') return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    // web3.js rewraps some failures as `new Error('failed to …: ' + error)`, keeping only the text.
    if (NETWORK_MESSAGE.test(current.message)) return true;
    current = current.cause;
  }
  return false;
}

function rpcMessage(error: unknown): string {
  if (error instanceof SendTransactionError) return error.transactionError.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
