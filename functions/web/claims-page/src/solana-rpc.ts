/**
 * The few Solana JSON-RPC calls the page makes itself: send a signed transaction, follow its
 * confirmation, read the block height (a claim transaction's blockhash expires after
 * `lastValidBlockHeight`). Confirmation polls signature statuses, as @solana/web3.js does
 * without a WebSocket.
 */

export class RpcUnreachableError extends Error {
  constructor(readonly url: string) {
    super(`the Solana RPC at ${url} did not answer`);
    this.name = 'RpcUnreachableError';
  }
}

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly logs: readonly string[],
    readonly instructionError: unknown,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

export interface SignatureStatus {
  readonly slot: number;
  readonly confirmationStatus: 'processed' | 'confirmed' | 'finalized' | null;
  readonly err: unknown;
}

export class SolanaRpc {
  private id = 0;

  constructor(readonly url: string) {}

  sendTransaction(wire: Uint8Array): Promise<string> {
    return this.call('sendTransaction', [
      toBase64(wire),
      { encoding: 'base64', preflightCommitment: 'confirmed' },
    ]);
  }

  async signatureStatus(signature: string): Promise<SignatureStatus | null> {
    const answer = await this.call<{ value: (SignatureStatus | null)[] }>('getSignatureStatuses', [
      [signature],
    ]);
    return answer.value[0] ?? null;
  }

  blockHeight(): Promise<number> {
    return this.call('getBlockHeight', [{ commitment: 'confirmed' }]);
  }

  /** Polls until `signature` is confirmed, fails, or its blockhash expired unseen. */
  async confirm(
    signature: string,
    lastValidBlockHeight: bigint,
    pollMs = 500,
  ): Promise<{ slot: number; err: unknown } | 'expired'> {
    for (;;) {
      const status = await this.signatureStatus(signature);
      if (
        status !== null &&
        (status.err !== null ||
          status.confirmationStatus === 'confirmed' ||
          status.confirmationStatus === 'finalized')
      ) {
        return { slot: status.slot, err: status.err };
      }
      if (BigInt(await this.blockHeight()) > lastValidBlockHeight) return 'expired';
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  private async call<T>(method: string, params: unknown[]): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++this.id, method, params }),
      });
    } catch {
      throw new RpcUnreachableError(this.url);
    }
    if (response.status >= 500 || response.status === 429) throw new RpcUnreachableError(this.url);
    const body = (await response.json().catch(() => undefined)) as
      | {
          result?: T;
          error?: { code: number; message: string; data?: { logs?: string[]; err?: unknown } };
        }
      | undefined;
    if (body === undefined) throw new RpcUnreachableError(this.url);
    if (body.error !== undefined) {
      throw new RpcError(
        body.error.code,
        body.error.message,
        body.error.data?.logs ?? [],
        body.error.data?.err ?? null,
      );
    }
    return body.result as T;
  }
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
