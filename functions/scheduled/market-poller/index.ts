/**
 * The chain log poller and price update, every minute: reads the market contracts' logs up to
 * the confirmation depth (rolling back a reorg first), then refreshes the rankings and records a
 * 1 h TWAP per priced token. Trading volume goes out as an EMF metric.
 */
import { EthersMarketChainReader } from '../../../layers/shared/src/adapters/evm/market-chain-reader.ts';
import { config, loadConfig } from '../../../layers/shared/src/config.ts';
import { ConfigError } from '../../../layers/shared/src/errors.ts';
import { marketConfig } from '../../../layers/shared/src/market-config.ts';
import { flushMetrics, logger, MetricUnit, metrics } from '../../../layers/shared/src/observability.ts';
import { runMarketPoll } from '../../../layers/shared/src/services/market/market-cycle-steps.ts';
import { marketDependencies } from '../../market-dependencies.ts';

loadConfig(process.env, { require: ['DATABASE_URL', 'EVM_RPC_URL'] });
marketConfig({ require: ['MARKET_FACTORY_ADDRESS'] });

export async function handler(): Promise<Record<string, unknown>> {
  try {
    const deps = await marketDependencies();
    const rpc = config().EVM_RPC_URL;
    const factory = deps.config.MARKET_FACTORY_ADDRESS;
    if (rpc === undefined) throw new ConfigError('EVM_RPC_URL is required');
    if (factory === undefined) throw new ConfigError('MARKET_FACTORY_ADDRESS is required');
    const chain = EthersMarketChainReader.connect(rpc, deps.chainId);
    const report = await runMarketPoll(
      { sql: deps.sql, chain, bus: deps.bus },
      {
        factoryAddress: factory,
        factoryStartBlock: deps.config.MARKET_FACTORY_START_BLOCK,
        confirmations: deps.config.MARKET_CONFIRMATIONS,
        ...(deps.config.MARKET_QUOTE_TOKEN === undefined
          ? {}
          : { quoteToken: deps.config.MARKET_QUOTE_TOKEN }),
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
  } finally {
    flushMetrics();
  }
}
