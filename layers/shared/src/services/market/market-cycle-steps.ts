/**
 * One market update as the scheduler runs it: poll the chain, then refresh the rankings and
 * record a 1 h TWAP for every priced token (a token whose history is shorter is skipped).
 */

import { listedTokens } from '../../adapters/db/market/pool-store.ts';
import type { EventBus } from '../../ports/event-bus.ts';
import type { MarketChainReader } from '../../ports/market-chain.ts';
import type { Sql } from '../../ports/sql.ts';
import { chainNow, computeCredentialRankings, computeTokenRankings, marketOverview } from './analytics.ts';
import { type MarketPollerOptions, type PollResult, pollMarket } from './market-poller.ts';
import { computeTwap, InsufficientHistoryError, type TwapResult } from './price-oracle.ts';

export interface MarketPollReport {
  readonly poll: PollResult;
  readonly rankedTokens: number;
  readonly rankedCredentials: number;
  readonly twaps: readonly TwapResult[];
  readonly volume24hQuoteWhole: number;
}

export async function runMarketPoll(
  deps: { sql: Sql; chain: MarketChainReader; bus?: EventBus },
  options: MarketPollerOptions,
  twapWindowSeconds = 3600,
): Promise<MarketPollReport> {
  const poll = await pollMarket(deps, options);
  const chainId = deps.chain.chainId;
  const now = await chainNow(deps.sql, chainId, Math.floor(Date.now() / 1000));
  const rankedTokens = await computeTokenRankings(deps.sql, chainId, now);
  const rankedCredentials = await computeCredentialRankings(deps.sql);
  const twaps: TwapResult[] = [];
  for (const token of await listedTokens(deps.sql, chainId)) {
    try {
      twaps.push(await computeTwap(deps.sql, chainId, token, twapWindowSeconds, { end: now }));
    } catch (error) {
      if (!(error instanceof InsufficientHistoryError)) throw error;
    }
  }
  const overview = await marketOverview(deps.sql, chainId, now);
  return {
    poll,
    rankedTokens,
    rankedCredentials,
    twaps,
    volume24hQuoteWhole: Number(BigInt(overview.volume24hQuote) / 10n ** 18n),
  };
}
