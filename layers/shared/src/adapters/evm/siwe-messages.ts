/**
 * EIP-4361 messages with the `siwe` library (Spruce's reference implementation, ABNF parser of the
 * standard's grammar, EIP-55 addresses enforced) over ethers 6. Only externally owned accounts
 * sign in: contract wallets (EIP-1271) would need an RPC call per sign-in and are not accepted.
 */
import { Signature } from 'ethers';
import { SiweMessage } from 'siwe';
import { ValidationError } from '../../errors.ts';
import type { SignInMessage, SignInMessages } from '../../ports/sign-in-message.ts';

export class SiweMessages implements SignInMessages {
  parse(text: string): SignInMessage {
    let message: SiweMessage;
    try {
      message = new SiweMessage(text);
    } catch (error) {
      // The parser's first line says what is wrong; the rest is its internal state.
      const reason = String((error as Error).message ?? error).split('\n')[0];
      throw new ValidationError(`message: not an EIP-4361 sign-in message (${reason})`);
    }
    return {
      domain: message.domain,
      address: message.address,
      uri: message.uri,
      version: message.version,
      chainId: message.chainId,
      nonce: message.nonce,
      issuedAt: message.issuedAt ?? '',
      expirationTime: message.expirationTime,
      notBefore: message.notBefore,
    };
  }

  async verify(text: string, signature: string, at: Date): Promise<boolean> {
    try {
      // A signature that is not one at all is refused here, before the library would log it.
      Signature.from(signature);
    } catch {
      return false;
    }
    const message = new SiweMessage(text);
    const result = await message.verify(
      { signature, domain: message.domain, nonce: message.nonce, time: at.toISOString() },
      { suppressExceptions: true },
    );
    return result.success;
  }
}
