/**
 * Where creator coin prices come from (the price oracle of the token market services). A coin
 * the source has no price for is simply absent from the answer: its value share counts as 0.
 */
export interface CoinPriceSource {
  /** Price of one whole coin in attoFIL, by lowercase coin address. */
  pricesAttoFilPerCoin(coinAddresses: readonly string[]): Promise<ReadonlyMap<string, bigint>>;
  /** Set when the source prices nothing at all: why (said by the API beside a zero term). */
  readonly unavailableReason?: string;
}

/** For deployments without a price oracle: every coin is unpriced. */
export const noCoinPrices: CoinPriceSource = {
  pricesAttoFilPerCoin: async () => new Map(),
  unavailableReason: 'no price oracle',
};
