/**
 * Reads of the creator contracts (CreatorMetricsManager, CreatorTokenFactory) the sync, the API
 * and the tests need. Writes go through the delivery engine, never through this port.
 */
export interface OnChainMetrics {
  readonly totalPlays: bigint;
  readonly followers: bigint;
  readonly engagementScoreX100: bigint;
  readonly monthlyRevenueAttoFil: bigint;
  /** Block timestamp of the last update, 0 when never updated. */
  readonly lastUpdated: bigint;
}

export interface OnChainCoinInfo {
  /** Zero address when no coin was launched. */
  readonly coin: string;
  readonly name: string;
  readonly symbol: string;
  readonly initialSupply: bigint;
  readonly launchedAt: bigint;
}

export interface CreatorContracts {
  readonly chainId: number;
  readonly metricsManagerAddress: string;
  readonly tokenFactoryAddress: string;
  meetsLaunchRequirements(creator: string): Promise<boolean>;
  getCreatorMetrics(creator: string): Promise<OnChainMetrics>;
  getCreatorCoinInfo(creator: string): Promise<OnChainCoinInfo>;
  calculateIntrinsicValue(creator: string): Promise<bigint>;
}

export const UPDATE_CREATOR_METRICS =
  'updateCreatorMetrics(address,uint256,uint256,uint256,uint256)' as const;
export const LAUNCH_CREATOR_COIN = 'launchCreatorCoin(address,string,string,uint256)' as const;
