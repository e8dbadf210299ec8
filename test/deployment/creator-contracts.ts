/**
 * The creator contracts on the check's anvil chain, where the templates configure the creator
 * oracle: CreatorMetricsManager and CreatorTokenFactory deployed as the local runtime deploys them
 * (by anvil's dev account 1). Until the seed is in place the deployer is their oracle, so it can
 * record on chain the metrics of creators already past the coin launch thresholds (as a stage
 * migrated from an earlier oracle would hold them); then the engine's signer (EVM_SIGNER_ADDRESS,
 * anvil's dev account 0) becomes the oracle of both, and the deployed functions take it from there.
 */
import { type Contract, ContractFactory, Wallet } from 'ethers';
import { loadArtifact } from '../../contracts/compile.ts';
import { ANVIL_DEV_ACCOUNTS, localProvider } from '../../local/anvil.ts';
import { deployFixedProductMarketMaker } from '../../local/fpmm.ts';
import { deployCreatorContracts } from '../fixtures/creator-oracle.ts';

export interface CreatorChain {
  readonly managerAddress: string;
  readonly factoryAddress: string;
  /** Records each creator's metrics on chain, then hands both contracts to the engine's signer. */
  handOver(creators: readonly OnChainCreator[]): Promise<void>;
}

export interface OnChainCreator {
  readonly walletAddress: string;
  readonly totalPlays: number;
  readonly followers: number;
}

export async function deployCreatorChain(rpcUrl: string, chainId: number): Promise<CreatorChain> {
  const provider = localProvider(rpcUrl, chainId);
  try {
    const deployer = new Wallet(ANVIL_DEV_ACCOUNTS[1].privateKey, provider);
    const deployed = await deployCreatorContracts(deployer, deployer.address);
    return {
      managerAddress: deployed.managerAddress,
      factoryAddress: deployed.factoryAddress,
      handOver: (creators) => handOver(rpcUrl, chainId, deployed, creators),
    };
  } finally {
    provider.destroy();
  }
}

async function handOver(
  rpcUrl: string,
  chainId: number,
  deployed: { managerAddress: string; factoryAddress: string; manager: Contract; factory: Contract },
  creators: readonly OnChainCreator[],
): Promise<void> {
  const provider = localProvider(rpcUrl, chainId);
  try {
    const deployer = new Wallet(ANVIL_DEV_ACCOUNTS[1].privateKey, provider);
    const manager = deployed.manager.connect(deployer) as Contract;
    const factory = deployed.factory.connect(deployer) as Contract;
    const send = async (tx: Promise<{ wait(): Promise<unknown> }>) => (await tx).wait();
    for (const creator of creators) {
      await send(
        manager.getFunction('updateCreatorMetrics')(
          creator.walletAddress,
          creator.totalPlays,
          creator.followers,
          0,
          0,
        ),
      );
    }
    const oracle = ANVIL_DEV_ACCOUNTS[0].address;
    await send(manager.getFunction('setOracle')(oracle));
    await send(factory.getFunction('setOracle')(oracle));
  } finally {
    provider.destroy();
  }
}

/**
 * The market's pool factory on the check's anvil chain, where the templates configure the market:
 * deployed as the local runtime deploys it (local/market/deploy-market.ts), by anvil's dev account
 * 2, with no pools yet. `/health` asks the chain for its code, and the market poller reads its
 * pool creations from its address on.
 */
export async function deployMarketFactory(rpcUrl: string, chainId: number): Promise<string> {
  const provider = localProvider(rpcUrl, chainId);
  try {
    const deployer = new Wallet(ANVIL_DEV_ACCOUNTS[2].privateKey, provider);
    const { abi, bytecode } = await loadArtifact('PoolFactory');
    const factory = await new ContractFactory(abi, bytecode, deployer).deploy();
    await factory.waitForDeployment();
    return (await factory.getAddress()).toLowerCase();
  } finally {
    provider.destroy();
  }
}

/**
 * A FixedProductMarketMaker on the check's anvil chain, where the templates configure the delivery
 * engine: deployed as the local runtime deploys it (local/fpmm.ts, by anvil's dev account 1) with
 * the engine's signer (anvil's dev account 0) as its oracle, so the FPMM admin routes' calls land.
 */
export async function deployFpmm(rpcUrl: string, chainId: number): Promise<string> {
  const provider = localProvider(rpcUrl, chainId);
  try {
    return await deployFixedProductMarketMaker(provider, ANVIL_DEV_ACCOUNTS[0].address);
  } finally {
    provider.destroy();
  }
}
