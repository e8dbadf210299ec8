import { SendTransactionError, SolanaJSONRPCError } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import {
  isAlreadyProcessed,
  toChainError,
} from '../../layers/shared/src/adapters/solana/solana-chain-error.ts';

function preflight(message: string): SendTransactionError {
  return new SendTransactionError({
    action: 'simulate',
    signature: '',
    transactionMessage: message,
    logs: ['log'],
  });
}

describe('Solana error mapping', () => {
  it('maps an unknown blockhash to a blockhash error, to be signed again', () => {
    expect(toChainError(preflight('Transaction simulation failed: Blockhash not found'), 'send').kind).toBe(
      'blockhash',
    );
  });

  it('maps a program refusing the transaction to a non-retryable execution error with its logs', () => {
    const error = toChainError(
      preflight(
        'Transaction simulation failed: Error processing Instruction 0: custom program error: 0x1771',
      ),
      'send',
    );
    expect(error).toMatchObject({ kind: 'execution', retryable: false, details: { logs: ['log'] } });
  });

  it('maps rate limits, refused connections and timeouts to retryable network errors', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    for (const error of [
      new Error('429 Too Many Requests: {"error":{"code":429}}'),
      refused,
      new Error('failed to get recent blockhash: TimeoutError: The operation was aborted due to timeout'),
      new SolanaJSONRPCError({ code: -32005, message: 'Node is behind' }, 'failed to get slot'),
    ]) {
      expect(toChainError(error, 'call')).toMatchObject({ kind: 'network', retryable: true });
    }
  });

  it('recognises the answer to a resend of a transaction that already landed', () => {
    expect(
      isAlreadyProcessed(
        preflight('Transaction simulation failed: This transaction has already been processed'),
      ),
    ).toBe(true);
    expect(isAlreadyProcessed(preflight('Transaction simulation failed: Blockhash not found'))).toBe(false);
  });

  it('leaves anything else as unknown', () => {
    expect(toChainError(new Error('something odd'), 'call').kind).toBe('unknown');
  });
});
