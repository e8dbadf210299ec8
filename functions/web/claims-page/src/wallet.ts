/**
 * Solana wallets through the Wallet Standard (Phantom, Solflare and Backpack implement it): the
 * page lists the wallets that registered, connects one, and asks it to sign the binding message
 * and the claim transactions. A wallet that only signs-and-sends is used that way.
 */
import {
  SolanaSignAndSendTransaction,
  type SolanaSignAndSendTransactionFeature,
  SolanaSignMessage,
  type SolanaSignMessageFeature,
  SolanaSignTransaction,
  type SolanaSignTransactionFeature,
} from '@solana/wallet-standard-features';
import { getWallets } from '@wallet-standard/app';
import type { Wallet, WalletAccount } from '@wallet-standard/base';
import { StandardConnect, type StandardConnectFeature } from '@wallet-standard/features';

export class NoWalletError extends Error {
  constructor() {
    super('no Solana wallet is installed or enabled for this site');
    this.name = 'NoWalletError';
  }
}

export class WrongNetworkError extends Error {
  constructor(
    readonly wanted: string,
    readonly offered: readonly string[],
  ) {
    super(`the wallet offers ${offered.join(', ') || 'no Solana network'}, not ${wanted}`);
    this.name = 'WrongNetworkError';
  }
}

export class SignatureRefusedError extends Error {
  constructor(readonly what: string) {
    super(`the wallet did not sign the ${what}`);
    this.name = 'SignatureRefusedError';
  }
}

/** A wallet that can connect and sign what the page needs. */
export function isUsable(wallet: Wallet): boolean {
  const features = wallet.features;
  return (
    StandardConnect in features &&
    SolanaSignMessage in features &&
    (SolanaSignTransaction in features || SolanaSignAndSendTransaction in features) &&
    wallet.chains.some((chain) => chain.startsWith('solana:'))
  );
}

/** The usable wallets now, and a callback whenever one registers later (extensions load late). */
export function watchWallets(onChange: (wallets: Wallet[]) => void): Wallet[] {
  const registry = getWallets();
  const usable = () => registry.get().filter(isUsable);
  registry.on('register', () => onChange(usable()));
  registry.on('unregister', () => onChange(usable()));
  return usable();
}

export class ConnectedWallet {
  private constructor(
    readonly wallet: Wallet,
    readonly account: WalletAccount,
    readonly chain: `solana:${string}`,
  ) {}

  get address(): string {
    return this.account.address;
  }

  /** Connects and picks the first account on `chain`; refuses a wallet that is on another network. */
  static async connect(wallet: Wallet, chain: `solana:${string}`): Promise<ConnectedWallet> {
    const connect = (wallet.features as StandardConnectFeature)[StandardConnect].connect;
    let accounts: readonly WalletAccount[];
    try {
      ({ accounts } = await connect());
    } catch {
      throw new SignatureRefusedError('connection request');
    }
    if (accounts.length === 0) throw new SignatureRefusedError('connection request');
    const account = accounts.find((a) => a.chains.includes(chain));
    if (account === undefined) {
      throw new WrongNetworkError(chain, [...new Set(accounts.flatMap((a) => a.chains))]);
    }
    return new ConnectedWallet(wallet, account, chain);
  }

  async signMessage(message: Uint8Array): Promise<Uint8Array> {
    const feature = (this.wallet.features as SolanaSignMessageFeature)[SolanaSignMessage];
    try {
      const [output] = await feature.signMessage({ account: this.account, message });
      if (output === undefined) throw new Error('no signature');
      return output.signature;
    } catch {
      throw new SignatureRefusedError('binding message');
    }
  }

  /** Signs a serialized transaction; answers the signed wire bytes, or `sent` with the signature. */
  async signTransaction(transaction: Uint8Array): Promise<{ signed: Uint8Array } | { sent: Uint8Array }> {
    const features = this.wallet.features;
    try {
      if (SolanaSignTransaction in features) {
        const sign = (features as SolanaSignTransactionFeature)[SolanaSignTransaction].signTransaction;
        const [output] = await sign({ account: this.account, transaction, chain: this.chain });
        if (output === undefined) throw new Error('no signature');
        return { signed: output.signedTransaction };
      }
      const send = (features as SolanaSignAndSendTransactionFeature)[SolanaSignAndSendTransaction]
        .signAndSendTransaction;
      const [output] = await send({ account: this.account, transaction, chain: this.chain });
      if (output === undefined) throw new Error('no signature');
      return { sent: output.signature };
    } catch {
      throw new SignatureRefusedError('claim transaction');
    }
  }
}
