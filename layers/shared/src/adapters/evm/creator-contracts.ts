/**
 * The CreatorContracts port over ethers: read-only calls against CreatorMetricsManager and
 * CreatorTokenFactory at configured addresses (reference contracts locally, the deployed ones
 * on Filecoin EVM).
 */
import { Contract, type Provider, ZeroAddress } from 'ethers';
import type { CreatorContracts, OnChainCoinInfo, OnChainMetrics } from '../../ports/creator-contracts.ts';

export const CREATOR_METRICS_MANAGER_ABI = [
  'function updateCreatorMetrics(address creator, uint256 totalPlays, uint256 followers, uint256 engagementScoreX100, uint256 monthlyRevenueAttoFil)',
  'function meetsLaunchRequirements(address creator) view returns (bool)',
  'function calculateIntrinsicValue(address creator) view returns (uint256)',
  'function getCreatorMetrics(address creator) view returns (uint256 totalPlays, uint256 followers, uint256 engagementScoreX100, uint256 monthlyRevenueAttoFil, uint256 lastUpdated)',
  'function creatorCount() view returns (uint256)',
] as const;

export const CREATOR_TOKEN_FACTORY_ABI = [
  'function launchCreatorCoin(address creator, string name, string symbol, uint256 initialSupply) returns (address)',
  'function getCreatorCoinInfo(address creator) view returns (address coin, string name, string symbol, uint256 initialSupply, uint256 launchedAt)',
  'function coinCount() view returns (uint256)',
] as const;

export class EthersCreatorContracts implements CreatorContracts {
  private readonly manager: Contract;
  private readonly factory: Contract;

  constructor(
    provider: Provider,
    readonly chainId: number,
    readonly metricsManagerAddress: string,
    readonly tokenFactoryAddress: string,
  ) {
    this.manager = new Contract(metricsManagerAddress, CREATOR_METRICS_MANAGER_ABI, provider);
    this.factory = new Contract(tokenFactoryAddress, CREATOR_TOKEN_FACTORY_ABI, provider);
  }

  async meetsLaunchRequirements(creator: string): Promise<boolean> {
    return (await this.manager.getFunction('meetsLaunchRequirements')(creator)) as boolean;
  }

  async getCreatorMetrics(creator: string): Promise<OnChainMetrics> {
    const r = (await this.manager.getFunction('getCreatorMetrics')(creator)) as bigint[];
    return {
      totalPlays: r[0] ?? 0n,
      followers: r[1] ?? 0n,
      engagementScoreX100: r[2] ?? 0n,
      monthlyRevenueAttoFil: r[3] ?? 0n,
      lastUpdated: r[4] ?? 0n,
    };
  }

  async getCreatorCoinInfo(creator: string): Promise<OnChainCoinInfo> {
    const r = (await this.factory.getFunction('getCreatorCoinInfo')(creator)) as [
      string,
      string,
      string,
      bigint,
      bigint,
    ];
    return {
      coin: r[0] ?? ZeroAddress,
      name: r[1] ?? '',
      symbol: r[2] ?? '',
      initialSupply: r[3] ?? 0n,
      launchedAt: r[4] ?? 0n,
    };
  }

  async calculateIntrinsicValue(creator: string): Promise<bigint> {
    return (await this.manager.getFunction('calculateIntrinsicValue')(creator)) as bigint;
  }
}
