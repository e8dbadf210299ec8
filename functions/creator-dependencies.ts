/**
 * What the creator oracle's entry points share: the creator contract addresses (this system's own
 * settings: the deployed contracts in production, the reference contracts locally), a reader of
 * those contracts at EVM_RPC_URL, and the coin price source of the revenue's market-cap term.
 */
import { z } from 'zod';
import type { Sql } from '../layers/shared/src/adapters/db/client.ts';
import { EthersCreatorContracts } from '../layers/shared/src/adapters/evm/creator-contracts.ts';
import { evmProvider } from '../layers/shared/src/adapters/evm/ethers-evm-chain.ts';
import type { Config } from '../layers/shared/src/config.ts';
import { ConfigError } from '../layers/shared/src/errors.ts';
import { marketConfig } from '../layers/shared/src/market-config.ts';
import { type CoinPriceSource, noCoinPrices } from '../layers/shared/src/ports/coin-price-source.ts';
import { marketCoinPrices } from '../layers/shared/src/services/market/coin-prices.ts';

export interface CreatorContractAddresses {
  readonly metricsManagerAddress: string;
  readonly tokenFactoryAddress: string;
}

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be 0x followed by 40 hex characters');
const NAMES = ['CREATOR_METRICS_MANAGER_ADDRESS', 'CREATOR_TOKEN_FACTORY_ADDRESS'] as const;

/**
 * The contract addresses from the environment. `required`: a missing one fails (the sync cannot
 * run without them); otherwise both missing is no contracts. A malformed one always fails.
 */
export function creatorContractAddresses(
  env: NodeJS.ProcessEnv,
  presence: 'required' | 'optional',
): CreatorContractAddresses | undefined {
  if (presence === 'optional' && NAMES.every((name) => (env[name] ?? '') === '')) return undefined;
  const [metricsManagerAddress, tokenFactoryAddress] = NAMES.map((name) => {
    const parsed = address.safeParse(env[name]);
    if (!parsed.success)
      throw new ConfigError(
        `${name}: ${env[name] === undefined ? 'required, but not set' : parsed.error.issues[0]?.message}`,
      );
    return parsed.data;
  }) as [string, string];
  return { metricsManagerAddress, tokenFactoryAddress };
}

/** A reader of the contracts, or undefined when the chain or the addresses are not configured. */
export function creatorContractsReader(
  settings: Config,
  addresses: CreatorContractAddresses | undefined,
): EthersCreatorContracts | undefined {
  if (addresses === undefined || settings.EVM_RPC_URL === undefined || settings.EVM_CHAIN_ID === undefined)
    return undefined;
  return new EthersCreatorContracts(
    evmProvider(settings.EVM_RPC_URL, settings.EVM_CHAIN_ID, { local: settings.ORACLE_MODE === 'local' }),
    settings.EVM_CHAIN_ID,
    addresses.metricsManagerAddress,
    addresses.tokenFactoryAddress,
  );
}

/** Creator coins priced by the market price oracle where CREATOR_COIN_QUOTE_TOKEN names the FIL token. */
export function coinPriceSource(sql: Sql): CoinPriceSource {
  const market = marketConfig();
  if (market.CREATOR_COIN_QUOTE_TOKEN === undefined) return noCoinPrices;
  return marketCoinPrices(sql, {
    chainId: market.MARKET_CHAIN_ID,
    filToken: market.CREATOR_COIN_QUOTE_TOKEN,
  });
}
