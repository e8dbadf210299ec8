/**
 * The EvmChain port over an ethers JSON-RPC provider. The provider is given its network
 * (`staticNetwork`), so a dead endpoint fails each call instead of retrying detection forever.
 */
import { computeAddress, Interface, JsonRpcProvider, Network, SigningKey, Transaction } from 'ethers';
import { classifyChainError } from '../../core/delivery/chain-error-class.ts';
import type { FeeHistory } from '../../core/delivery/fee-policy.ts';
import type {
  EvmCallEncoder,
  EvmCallRequest,
  EvmChain,
  EvmReceipt,
  EvmSigner,
  SignedEvmTransaction,
  UnsignedEvmTransaction,
} from '../../ports/evm-chain.ts';

export function evmProvider(
  url: string,
  chainId: number,
  options: { local?: boolean } = {},
): JsonRpcProvider {
  return new JsonRpcProvider(url, Network.from(chainId), {
    staticNetwork: true,
    // On a local chain every block matters: no cached answers.
    ...(options.local === true ? { cacheTimeout: -1 } : {}),
    batchStallTime: 0,
  });
}

const toBigInt = (hex: unknown): bigint => (typeof hex === 'string' ? BigInt(hex) : 0n);

export class EthersEvmChain implements EvmChain {
  constructor(
    readonly provider: JsonRpcProvider,
    readonly endpoint: string,
    readonly chainId: number,
  ) {}

  static connect(url: string, chainId: number, options: { local?: boolean } = {}): EthersEvmChain {
    return new EthersEvmChain(evmProvider(url, chainId, options), url, chainId);
  }

  /** Reads are retried once after a network error: a keep-alive socket the node closed, say. */
  async #read<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (classifyChainError(error).kind !== 'network') throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
      return fn();
    }
  }

  estimateGas(request: EvmCallRequest): Promise<bigint> {
    return this.#read(() => this.provider.estimateGas(request));
  }

  async feeHistory(blocks: number, percentile: number): Promise<FeeHistory> {
    const answer = (await this.#read(() =>
      this.provider.send('eth_feeHistory', [`0x${blocks.toString(16)}`, 'latest', [percentile]]),
    )) as {
      baseFeePerGas?: string[];
      reward?: string[][];
    };
    return {
      baseFeePerGas: (answer.baseFeePerGas ?? []).map(toBigInt),
      reward: (answer.reward ?? []).map((row) => row.map(toBigInt)),
    };
  }

  async blockNumber(): Promise<number> {
    // Asked each time: the provider's cached block number may be older than the receipts read.
    return Number(toBigInt(await this.#read(() => this.provider.send('eth_blockNumber', []))));
  }

  getTransactionCount(address: string, blockTag: 'latest' | 'pending'): Promise<number> {
    return this.#read(() => this.provider.getTransactionCount(address, blockTag));
  }

  async sendRawTransaction(raw: string): Promise<string> {
    const hash = Transaction.from(raw).hash;
    try {
      return (await this.provider.send('eth_sendRawTransaction', [raw])) as string;
    } catch (error) {
      if (
        /already known|already imported|known transaction/i.test(String((error as Error).message)) &&
        hash !== null
      ) {
        return hash;
      }
      throw error;
    }
  }

  async getReceipt(hash: string): Promise<EvmReceipt | null> {
    const receipt = (await this.#read(() =>
      this.provider.send('eth_getTransactionReceipt', [hash]),
    )) as Record<string, string> | null;
    if (receipt === null || receipt['blockNumber'] === undefined || receipt['blockNumber'] === null)
      return null;
    return {
      hash,
      status: Number(toBigInt(receipt['status'])),
      blockNumber: Number(toBigInt(receipt['blockNumber'])),
      gasUsed: toBigInt(receipt['gasUsed']),
      effectiveGasPrice: toBigInt(receipt['effectiveGasPrice']),
    };
  }

  async hasTransaction(hash: string): Promise<boolean> {
    const transaction = await this.#read(() => this.provider.send('eth_getTransactionByHash', [hash]));
    return transaction !== null;
  }

  async revertReason(request: EvmCallRequest, blockNumber: number): Promise<string | undefined> {
    try {
      await this.provider.call({ ...request, blockTag: blockNumber });
      return undefined;
    } catch (error) {
      const reason = (error as { reason?: unknown }).reason;
      return typeof reason === 'string' ? reason : undefined;
    }
  }

  destroy(): void {
    this.provider.destroy();
  }
}

/** Signs with a private key held in memory (read from the secret store at cold start). */
export class PrivateKeySigner implements EvmSigner {
  readonly address: string;
  readonly #key: SigningKey;

  constructor(privateKey: string) {
    this.#key = new SigningKey(privateKey.startsWith('0x') ? privateKey : `0x${privateKey}`);
    this.address = computeAddress(this.#key.publicKey);
  }

  sign(transaction: UnsignedEvmTransaction): SignedEvmTransaction {
    const tx = Transaction.from({
      type: 2,
      chainId: transaction.chainId,
      nonce: transaction.nonce,
      to: transaction.to,
      data: transaction.data,
      value: transaction.value,
      gasLimit: transaction.gasLimit,
      maxFeePerGas: transaction.fees.maxFeePerGas,
      maxPriorityFeePerGas: transaction.fees.maxPriorityFeePerGas,
    });
    tx.signature = this.#key.sign(tx.unsignedHash);
    return { hash: tx.hash ?? '', raw: tx.serialized };
  }

  // The key never leaves this object, also not through JSON or inspection.
  toJSON(): { address: string } {
    return { address: this.address };
  }
}

export class EthersCallEncoder implements EvmCallEncoder {
  readonly #cache = new Map<string, Interface>();

  encode(functionSignature: string, args: readonly unknown[]): { functionName: string; data: string } {
    let iface = this.#cache.get(functionSignature);
    if (iface === undefined) {
      const fragment = functionSignature.startsWith('function ')
        ? functionSignature
        : `function ${functionSignature}`;
      iface = new Interface([fragment]);
      this.#cache.set(functionSignature, iface);
    }
    const fn = iface.fragments[0];
    if (fn === undefined || fn.type !== 'function')
      throw new Error(`not a function signature: ${functionSignature}`);
    const name = (fn as unknown as { name: string }).name;
    return { functionName: name, data: iface.encodeFunctionData(name, args) };
  }
}
