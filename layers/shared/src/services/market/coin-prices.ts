/**
 * Creator coins priced by the market price oracle: a coin's price is its spot price in the pool
 * that pairs it with the token standing for FIL (`CREATOR_COIN_QUOTE_TOKEN`, wrapped FIL on
 * Filecoin EVM), from the pool's latest reserves the market poller recorded. Of several such
 * pools the one holding the most FIL prices the coin, as the price oracle picks a token's pool.
 */

import { ATTO_PER_FIL } from '../../core/creator/milestones.ts';
import { wholeTokenSpotPrice } from '../../core/market/twap.ts';
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
      const rows = await sql<
        {
          coin: string;
          reserve_coin: string;
          reserve_fil: string;
          coin_decimals: number;
          fil_decimals: number;
        }[]
      >`
        select distinct on (x.coin) x.coin, x.reserve_coin, x.reserve_fil, x.coin_decimals, x.fil_decimals
        from (
          select case when p.token0 = ${fil} then p.token1 else p.token0 end as coin, p.address,
                 (case when p.token0 = ${fil} then f.reserve1 else f.reserve0 end)::text as reserve_coin,
                 case when p.token0 = ${fil} then f.reserve0 else f.reserve1 end as fil_reserve,
                 (case when p.token0 = ${fil} then f.reserve0 else f.reserve1 end)::text as reserve_fil,
                 coalesce(c.decimals, 18) as coin_decimals, coalesce(q.decimals, 18) as fil_decimals
          from market.pools p
          join lateral (
            select reserve0, reserve1 from market.price_feeds f
            where f.chain_id = p.chain_id and f.pool_address = p.address
            order by f.block_number desc limit 1
          ) f on true
          left join market.tokens c
            on c.chain_id = p.chain_id and c.address = case when p.token0 = ${fil} then p.token1 else p.token0 end
          left join market.tokens q on q.chain_id = p.chain_id and q.address = ${fil}
          where p.chain_id = ${options.chainId}
            and ((p.token0 = ${fil} and p.token1 = any(${coins}::text[]))
              or (p.token1 = ${fil} and p.token0 = any(${coins}::text[])))
        ) x
        order by x.coin, x.fil_reserve desc, x.address`;
      const prices = new Map<string, bigint>();
      for (const row of rows) {
        const inFilUnits = wholeTokenSpotPrice(
          BigInt(row.reserve_coin),
          BigInt(row.reserve_fil),
          row.coin_decimals,
        );
        if (inFilUnits === undefined) continue;
        // The FIL token's base units as attoFIL (wrapped FIL has 18 decimals: one to one).
        prices.set(row.coin, (inFilUnits * ATTO_PER_FIL) / 10n ** BigInt(row.fil_decimals));
      }
      return prices;
    },
  };
}
