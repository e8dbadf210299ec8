/**
 * Sign-In with Ethereum (EIP-4361) messages, behind a port: parsing and signature checks belong to
 * a maintained library (adapters/evm/siwe-messages.ts), the rules about what this API accepts to
 * the service (services/market/market-sessions.ts).
 */
export interface SignInMessage {
  /** RFC 3986 authority of the site that asked for the signature. */
  readonly domain: string;
  /** EIP-55 address that signs in. */
  readonly address: string;
  readonly uri: string;
  readonly version: string;
  readonly chainId: number;
  readonly nonce: string;
  /** ISO-8601 times as the message states them. */
  readonly issuedAt: string;
  readonly expirationTime: string | undefined;
  readonly notBefore: string | undefined;
}

export interface SignInMessages {
  /** Reads an EIP-4361 message; throws ValidationError naming what is wrong when it is not one. */
  parse(text: string): SignInMessage;
  /**
   * True when `signature` is the message's address signing exactly `text` (EIP-191), and the
   * message's own expiration and not-before times admit `at`.
   */
  verify(text: string, signature: string, at: Date): Promise<boolean>;
}
