/**
 * Domain events between services. On AWS the bus is EventBridge (the Redis pub/sub of
 * token-market-services.md becomes the platform bus, DESIGN.md section 2); locally an in-process
 * bus delivers to subscribers in publish order.
 */
export interface PriceUpdatedEvent {
  readonly type: 'PriceUpdated';
  readonly chainId: number;
  readonly tokenAddress: string;
  readonly poolAddress: string;
  readonly quoteToken: string;
  /** Price of one whole token in whole quote tokens, decimal string. */
  readonly price: string;
  readonly priceX112: string;
  readonly blockNumber: number;
  readonly timestamp: number;
}

export interface TokenMintedEvent {
  readonly type: 'TokenMinted';
  readonly claimId: string;
  readonly credentialId: string;
  readonly holder: string;
  /** Base units, decimal string. */
  readonly amount: string;
  readonly txHash: string | undefined;
  readonly timestamp: number;
}

export type MarketEvent = PriceUpdatedEvent | TokenMintedEvent;

export interface EventBus {
  publish(event: MarketEvent): Promise<void>;
}
