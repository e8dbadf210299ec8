/**
 * Creator coins priced by the market price oracle: a coin's price is its spot price in the pool
 * that pairs it with the token standing for FIL (`CREATOR_COIN_QUOTE_TOKEN`, wrapped FIL on
 * Filecoin EVM), from the pool's latest reserves the market poller recorded. Of several such
 * pools the one holding the most FIL prices the coin, as the price oracle picks a token's pool.
 */

import { filPoolReserves } from '../../adapters/db/market/price-feed-store.ts';
import { attoFilPerCoin } from '../../core/market/pool-prices.ts';
import type { CoinPriceSource } from '../../ports/coin-price-source.ts';
import type { Sql } from '../../ports/sql.ts';

export interface MarketCoinPricesOptions {
  /** The chain the market poller indexes (MARKET_CHAIN_ID). */
  readonly chainId: number;
  /** The token taken as FIL, one to one. */
  readonly filToken: string;
}

export function marketCoinPrices(sql: Sql, options: MarketCoinPricesOptions): CoinPriceSource {
  const fil = options.filToken.toLowerCase();
  return {
    async pricesAttoFilPerCoin(coinAddresses) {
      const coins = [...new Set(coinAddresses.map((a) => a.toLowerCase()))];
      if (coins.length === 0) return new Map();
      const prices = new Map<string, bigint>();
      for (const pool of await filPoolReserves(sql, options.chainId, fil, coins)) {
        const price = attoFilPerCoin(
          BigInt(pool.reserveCoin),
          BigInt(pool.reserveFil),
          pool.coinDecimals,
          pool.filDecimals,
        );
        if (price !== undefined) prices.set(pool.coin, price);
      }
      return prices;
    },
  };
}
