/**
 * SolanaClient over JSON-RPC with @solana/web3.js `Connection`. Confirmation polls
 * getSignatureStatuses and the block height (no WebSocket), so it works against any cluster
 * and the local LiteSVM-backed server alike. Every request has a timeout, and web3.js's own
 * retry on HTTP 429 is off: a rate limit surfaces as a 'network' ChainError and the caller's
 * backoff decides, instead of a hidden wait of up to 15 s.
 */
import {
  Connection,
  type FetchFn,
  PublicKey,
  type TransactionSignature,
  VersionedTransaction,
} from '@solana/web3.js';
import { ChainError, ValidationError } from '../../errors.ts';
import type {
  AccountAtSlot,
  AddressSignature,
  AddressSignatureQuery,
  BlockhashLifetime,
  ConfirmedTransaction,
  ConfirmOptions,
  PrioritizationFeeSample,
  SignatureStatus,
  SignedTransaction,
  SolanaAccount,
  SolanaClient,
  SolanaCommitment,
  SolanaInstruction,
  SolanaSigner,
  SolanaTransactionRecord,
  TransactionOptions,
} from '../../ports/solana.ts';
import { isAlreadyProcessed, toChainError } from './solana-chain-error.ts';
import { toAccount, toTransactionRecord } from './web3-rpc-records.ts';
import { serializeUnsignedLegacyTransaction, signLegacyTransaction } from './web3-transaction-builder.ts';

export interface Web3SolanaClientOptions {
  readonly url: string;
  /** @default 'confirmed' */
  readonly commitment?: SolanaCommitment;
  /** Per HTTP request. @default 10_000 */
  readonly requestTimeoutMs?: number;
  /** Between signature status polls. @default 400 (one slot) */
  readonly pollIntervalMs?: number;
  /** Upper bound on one confirmation, whatever the block height says. @default 120_000 */
  readonly confirmTimeoutMs?: number;
}

const COMMITMENT_RANK: Record<SolanaCommitment, number> = { processed: 0, confirmed: 1, finalized: 2 };

export class Web3SolanaClient implements SolanaClient {
  readonly connection: Connection;
  private readonly commitment: SolanaCommitment;
  private readonly pollIntervalMs: number;
  private readonly confirmTimeoutMs: number;

  constructor(options: Web3SolanaClientOptions) {
    this.commitment = options.commitment ?? 'confirmed';
    this.pollIntervalMs = options.pollIntervalMs ?? 400;
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? 120_000;
    const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    const timedFetch = (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) =>
      fetch(input, { ...init, signal: AbortSignal.timeout(requestTimeoutMs) });
    this.connection = new Connection(options.url, {
      commitment: this.commitment,
      disableRetryOnRateLimit: true,
      httpAgent: false,
      fetch: timedFetch as unknown as FetchFn,
    });
  }

  getLatestBlockhash(): Promise<BlockhashLifetime> {
    return this.call('getLatestBlockhash', async () => {
      const latest = await this.connection.getLatestBlockhash(this.commitment);
      return { blockhash: latest.blockhash, lastValidBlockHeight: BigInt(latest.lastValidBlockHeight) };
    });
  }

  getBlockHeight(): Promise<bigint> {
    return this.call('getBlockHeight', async () =>
      BigInt(await this.connection.getBlockHeight(this.commitment)),
    );
  }

  getSlot(): Promise<bigint> {
    return this.call('getSlot', async () => BigInt(await this.connection.getSlot(this.commitment)));
  }

  async signTransaction(
    instructions: readonly SolanaInstruction[],
    signer: SolanaSigner,
    lifetime: BlockhashLifetime,
    options: TransactionOptions = {},
  ): Promise<SignedTransaction> {
    return signLegacyTransaction(instructions, signer, lifetime, options);
  }

  serializeUnsignedTransaction(
    instructions: readonly SolanaInstruction[],
    feePayer: string,
    lifetime: BlockhashLifetime,
  ): Uint8Array | undefined {
    return serializeUnsignedLegacyTransaction(instructions, feePayer, lifetime);
  }

  sendTransaction(
    transaction: SignedTransaction,
    options: { skipPreflight?: boolean } = {},
  ): Promise<string> {
    return this.call('sendTransaction', async () => {
      let returned: TransactionSignature;
      try {
        returned = await this.connection.sendRawTransaction(transaction.wireTransaction, {
          skipPreflight: options.skipPreflight ?? false,
          preflightCommitment: this.commitment,
          maxRetries: 0,
        });
      } catch (error) {
        if (isAlreadyProcessed(error)) return transaction.signature;
        throw error;
      }
      if (returned !== transaction.signature) {
        throw new ChainError(
          `RPC returned signature ${returned}, expected ${transaction.signature}`,
          'unknown',
        );
      }
      return returned;
    });
  }

  async confirmTransaction(
    signature: string,
    lastValidBlockHeight: bigint,
    options: ConfirmOptions = {},
  ): Promise<ConfirmedTransaction> {
    const wanted = COMMITMENT_RANK[options.commitment ?? this.commitment];
    const deadline = Date.now() + (options.timeoutMs ?? this.confirmTimeoutMs);
    let lastNetworkError: ChainError | undefined;
    for (;;) {
      try {
        const status = await this.getSignatureStatus(signature, false);
        if (status !== null) {
          if (status.err !== null && status.err !== undefined) {
            throw new ChainError(
              `transaction ${signature} landed and failed: ${JSON.stringify(status.err)}`,
              'execution',
              {
                details: { signature, slot: status.slot.toString(), err: status.err },
              },
            );
          }
          if (status.confirmationStatus !== null && COMMITMENT_RANK[status.confirmationStatus] >= wanted) {
            return { signature, slot: status.slot };
          }
        } else if ((await this.getBlockHeight()) > lastValidBlockHeight) {
          // The status may have appeared between the two calls; ask once more, searching history.
          const last = await this.getSignatureStatus(signature, true);
          if (last === null) {
            throw new ChainError(
              `transaction ${signature} expired unseen: block height passed ${lastValidBlockHeight}`,
              'blockhash',
              { details: { signature, lastValidBlockHeight: lastValidBlockHeight.toString() } },
            );
          }
          continue;
        }
      } catch (error) {
        if (!(error instanceof ChainError) || error.kind !== 'network') throw error;
        lastNetworkError = error;
      }
      if (Date.now() >= deadline) {
        throw (
          lastNetworkError ??
          new ChainError(
            `transaction ${signature} not confirmed in time; its blockhash is still valid`,
            'network',
            {
              details: { signature },
            },
          )
        );
      }
      await sleep(this.pollIntervalMs);
    }
  }

  async sendAndConfirmTransaction(
    instructions: readonly SolanaInstruction[],
    signer: SolanaSigner,
    options: TransactionOptions & ConfirmOptions = {},
  ): Promise<ConfirmedTransaction> {
    const lifetime = await this.getLatestBlockhash();
    const signed = await this.signTransaction(instructions, signer, lifetime, options);
    await this.sendTransaction(signed);
    return this.confirmTransaction(signed.signature, lifetime.lastValidBlockHeight, options);
  }

  getSignatureStatus(signature: string, searchTransactionHistory = true): Promise<SignatureStatus | null> {
    return this.call('getSignatureStatuses', async () => {
      const [status] = await this.fetchStatuses([signature], searchTransactionHistory);
      return status ?? null;
    });
  }

  getSignatureStatuses(signatures: readonly string[]): Promise<(SignatureStatus | null)[]> {
    return this.call('getSignatureStatuses', () => this.fetchStatuses(signatures, true));
  }

  getTransaction(signature: string): Promise<SolanaTransactionRecord | null> {
    return this.call('getTransaction', async () => {
      const response = await this.connection.getTransaction(signature, {
        commitment: this.commitment === 'processed' ? 'confirmed' : this.commitment,
        maxSupportedTransactionVersion: 0,
      });
      return response === null ? null : toTransactionRecord(signature, response);
    });
  }

  getSignaturesForAddress(address: string, query: AddressSignatureQuery = {}): Promise<AddressSignature[]> {
    return this.call('getSignaturesForAddress', async () => {
      const found = await this.connection.getSignaturesForAddress(
        new PublicKey(address),
        {
          ...(query.before === undefined ? {} : { before: query.before }),
          ...(query.until === undefined ? {} : { until: query.until }),
          ...(query.limit === undefined ? {} : { limit: query.limit }),
        },
        this.commitment === 'processed' ? 'confirmed' : this.commitment,
      );
      return found.map((entry) => ({
        signature: entry.signature,
        slot: BigInt(entry.slot),
        err: entry.err ?? null,
        blockTime: entry.blockTime ?? null,
        confirmationStatus: entry.confirmationStatus ?? null,
      }));
    });
  }

  getAccount(address: string): Promise<SolanaAccount | null> {
    return this.call('getAccountInfo', async () => {
      const info = await this.connection.getAccountInfo(new PublicKey(address), this.commitment);
      return info === null ? null : toAccount(address, info);
    });
  }

  getAccountAtSlot(address: string): Promise<AccountAtSlot> {
    return this.call('getAccountInfo', async () => {
      const { context, value } = await this.connection.getAccountInfoAndContext(
        new PublicKey(address),
        this.commitment,
      );
      return { slot: BigInt(context.slot), account: value === null ? null : toAccount(address, value) };
    });
  }

  getMultipleAccounts(addresses: readonly string[]): Promise<(SolanaAccount | null)[]> {
    return this.call('getMultipleAccounts', async () => {
      const infos = await this.connection.getMultipleAccountsInfo(
        addresses.map((address) => new PublicKey(address)),
        this.commitment,
      );
      return infos.map((info, i) => (info === null ? null : toAccount(addresses[i] ?? '', info)));
    });
  }

  getBalance(address: string): Promise<bigint> {
    return this.call('getBalance', async () =>
      BigInt(await this.connection.getBalance(new PublicKey(address), this.commitment)),
    );
  }

  getFeeForTransaction(transaction: SignedTransaction): Promise<bigint | null> {
    return this.call('getFeeForMessage', async () => {
      const message = VersionedTransaction.deserialize(transaction.wireTransaction).message;
      const fee = await this.connection.getFeeForMessage(message, this.commitment);
      return fee.value === null ? null : BigInt(fee.value);
    });
  }

  getRecentPrioritizationFees(writableAddresses: readonly string[] = []): Promise<PrioritizationFeeSample[]> {
    return this.call('getRecentPrioritizationFees', async () => {
      const fees = await this.connection.getRecentPrioritizationFees(
        writableAddresses.length === 0
          ? undefined
          : { lockedWritableAccounts: writableAddresses.map((address) => new PublicKey(address)) },
      );
      return fees.map((fee) => ({
        slot: BigInt(fee.slot),
        microLamportsPerComputeUnit: BigInt(fee.prioritizationFee),
      }));
    });
  }

  requestAirdrop(address: string, lamports: bigint): Promise<string> {
    return this.call('requestAirdrop', () =>
      this.connection.requestAirdrop(new PublicKey(address), Number(lamports)),
    );
  }

  private async fetchStatuses(
    signatures: readonly string[],
    searchTransactionHistory: boolean,
  ): Promise<(SignatureStatus | null)[]> {
    const response = await this.connection.getSignatureStatuses([...signatures], {
      searchTransactionHistory,
    });
    return response.value.map((status, i) =>
      status === null
        ? null
        : {
            signature: signatures[i] ?? '',
            slot: BigInt(status.slot),
            confirmationStatus: status.confirmationStatus ?? null,
            err: status.err ?? null,
          },
    );
  }

  private async call<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ValidationError) throw error;
      throw toChainError(error, action);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
