/**
 * The chain log poller and price update, every minute: reads the market contracts' logs up to
 * the confirmation depth (rolling back a reorg first), then refreshes the rankings and records a
 * 1 h TWAP per priced token. Trading volume goes out as an EMF metric.
 */
import type { EthersMarketChainReader } from '../../../layers/shared/src/adapters/evm/market-chain-reader.ts';
import { ConfigError } from '../../../layers/shared/src/errors.ts';
import { logger, MetricUnit, metrics } from '../../../layers/shared/src/observability.ts';
import { runMarketPoll } from '../../../layers/shared/src/services/market/market-cycle-steps.ts';
import { type PlatformOf, scheduled } from '../../handlers.ts';
import { type MarketDependencies, marketDependencies } from '../../market-dependencies.ts';

export interface MarketPollerDeps {
  readonly market: MarketDependencies;
  readonly chain: EthersMarketChainReader;
  readonly factory: string;
}

export async function marketPollerDependencies(
  platform: PlatformOf<'DATABASE_URL' | 'EVM_RPC_URL' | 'MARKET_FACTORY_ADDRESS'>,
): Promise<MarketPollerDeps> {
  const market = await marketDependencies(platform);
  const factory = market.config.MARKET_FACTORY_ADDRESS;
  if (factory === undefined) throw new ConfigError('MARKET_FACTORY_ADDRESS is required');
  // ethers loads with the function's first run, as the publisher's chain adapters do.
  const { EthersMarketChainReader } = await import(
    '../../../layers/shared/src/adapters/evm/market-chain-reader.ts'
  );
  return {
    market,
    chain: EthersMarketChainReader.connect(platform.config.EVM_RPC_URL, market.chainId),
    factory,
  };
}

export async function handle(_event: unknown, deps: MarketPollerDeps): Promise<Record<string, unknown>> {
  const { market } = deps;
  const report = await runMarketPoll(
    { sql: market.sql, chain: deps.chain, bus: market.bus },
    {
      factoryAddress: deps.factory,
      factoryStartBlock: market.config.MARKET_FACTORY_START_BLOCK,
      confirmations: market.config.MARKET_CONFIRMATIONS,
      ...(market.config.MARKET_QUOTE_TOKEN === undefined
        ? {}
        : { quoteToken: market.config.MARKET_QUOTE_TOKEN }),
    },
  );
  metrics.addMetric('MarketTransactionsIngested', MetricUnit.Count, report.poll.transactionsAdded);
  metrics.addMetric('MarketVolume24hQuoteWhole', MetricUnit.Count, report.volume24hQuoteWhole);
  if (report.poll.reorg !== undefined) logger.warn('chain reorg rolled back', { ...report.poll.reorg });
  logger.info('market poll', {
    ...report.poll,
    priceUpdates: report.poll.priceUpdates.length,
    twaps: report.twaps.length,
  });
  return { ...report, poll: { ...report.poll, priceUpdates: report.poll.priceUpdates.length } };
}

export const handler = scheduled(marketPollerDependencies, handle, {
  require: ['DATABASE_URL', 'EVM_RPC_URL', 'MARKET_FACTORY_ADDRESS'],
});
