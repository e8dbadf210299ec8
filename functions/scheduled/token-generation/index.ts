/**
 * Token generation, on its schedule: syncs credential status from AIR, accrues balances, and
 * mints balances over the auto-mint minimum through the delivery engine. Tokens accrued go out
 * as an EMF metric (the token generation rate).
 */
import { logger, MetricUnit, metrics } from '../../../layers/shared/src/observability.ts';
import {
  type GenerationSummary,
  runTokenGeneration,
} from '../../../layers/shared/src/services/market/token-generator.ts';
import { scheduled } from '../../handlers.ts';
import { type MarketDependencies, marketDependencies } from '../../market-dependencies.ts';

export async function handle(_event: unknown, deps: MarketDependencies): Promise<GenerationSummary> {
  const minimum = deps.config.EMISSION_AUTO_MINT_MINIMUM;
  const summary = await runTokenGeneration(
    {
      sql: deps.sql,
      air: await deps.air(),
      minter: await deps.minter(),
      bus: deps.bus,
      emission: deps.emission,
    },
    deps.now(),
    minimum === undefined ? {} : { autoMintMinimum: minimum },
  );
  // Whole tokens (18 decimals) keep the metric within what CloudWatch stores exactly.
  metrics.addMetric(
    'TokensAccruedWhole',
    MetricUnit.Count,
    Number(BigInt(summary.tokensAccrued) / 10n ** 18n),
  );
  metrics.addMetric('TokenClaimsMinted', MetricUnit.Count, summary.claimsMinted);
  logger.info('token generation ran', { ...summary });
  return summary;
}

export const handler = scheduled(marketDependencies, handle, {
  require: [
    'DATABASE_URL',
    'EVM_SIGNER_ADDRESS',
    'EVM_CHAIN_ID',
    'ORACLE_CALLS_QUEUE_URL',
    'AIR_API_URL',
    'AIR_API_KEY_SECRET_ARN',
    'MARKET_REWARD_TOKEN',
  ],
});
