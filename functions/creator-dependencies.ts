/**
 * What the creator oracle's entry points share: a reader of the creator contracts at EVM_RPC_URL
 * (the deployed contracts in production, the reference contracts locally), and the coin price
 * source of the revenue's market-cap term.
 */

import type { Config } from '../layers/shared/src/config.ts';
import type { MarketConfig } from '../layers/shared/src/market-config.ts';
import { type CoinPriceSource, noCoinPrices } from '../layers/shared/src/ports/coin-price-source.ts';
import type { CreatorContracts } from '../layers/shared/src/ports/creator-contracts.ts';
import type { Sql } from '../layers/shared/src/ports/sql.ts';
import { marketCoinPrices } from '../layers/shared/src/services/market/coin-prices.ts';
import { loadOnce } from './lazy-ports.ts';
import type { RequiredConfig } from './required-config.ts';

/** What reading the creator contracts takes: the chain and both contracts' addresses. */
export type CreatorContractSettings =
  | 'EVM_RPC_URL'
  | 'EVM_CHAIN_ID'
  | 'CREATOR_METRICS_MANAGER_ADDRESS'
  | 'CREATOR_TOKEN_FACTORY_ADDRESS';

const CONTRACT_SETTINGS: readonly CreatorContractSettings[] = [
  'EVM_RPC_URL',
  'EVM_CHAIN_ID',
  'CREATOR_METRICS_MANAGER_ADDRESS',
  'CREATOR_TOKEN_FACTORY_ADDRESS',
];

/**
 * A reader of the contracts, for a function that requires their settings. ethers and the
 * contracts' ABI load with the first read: the creators API answers most of its routes from the
 * database alone.
 */
export function creatorContracts(settings: RequiredConfig<CreatorContractSettings>): CreatorContracts {
  const reader = loadOnce(async (): Promise<CreatorContracts> => {
    const [{ EthersCreatorContracts }, { evmProvider }] = await Promise.all([
      import('../layers/shared/src/adapters/evm/creator-contracts.ts'),
      import('../layers/shared/src/adapters/evm/ethers-evm-chain.ts'),
    ]);
    return new EthersCreatorContracts(
      evmProvider(settings.EVM_RPC_URL, settings.EVM_CHAIN_ID, { local: settings.ORACLE_MODE === 'local' }),
      settings.EVM_CHAIN_ID,
      settings.CREATOR_METRICS_MANAGER_ADDRESS,
      settings.CREATOR_TOKEN_FACTORY_ADDRESS,
    );
  });
  return {
    chainId: settings.EVM_CHAIN_ID,
    metricsManagerAddress: settings.CREATOR_METRICS_MANAGER_ADDRESS,
    tokenFactoryAddress: settings.CREATOR_TOKEN_FACTORY_ADDRESS,
    meetsLaunchRequirements: async (creator) => (await reader()).meetsLaunchRequirements(creator),
    getCreatorMetrics: async (creator) => (await reader()).getCreatorMetrics(creator),
    getCreatorCoinInfo: async (creator) => (await reader()).getCreatorCoinInfo(creator),
    calculateIntrinsicValue: async (creator) => (await reader()).calculateIntrinsicValue(creator),
  };
}

/** A reader of the contracts, or undefined when the chain or the contract addresses are not configured. */
export function creatorContractsReader(settings: Config): CreatorContracts | undefined {
  return CONTRACT_SETTINGS.every((name) => settings[name] !== undefined)
    ? creatorContracts(settings as RequiredConfig<CreatorContractSettings>)
    : undefined;
}

/** Creator coins priced by the market price oracle where CREATOR_COIN_QUOTE_TOKEN names the FIL token. */
export function coinPriceSource(sql: Sql, market: MarketConfig): CoinPriceSource {
  if (market.CREATOR_COIN_QUOTE_TOKEN === undefined) return noCoinPrices;
  return marketCoinPrices(sql, {
    chainId: market.MARKET_CHAIN_ID,
    filToken: market.CREATOR_COIN_QUOTE_TOKEN,
  });
}
