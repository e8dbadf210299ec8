/**
 * Deploys the reference FixedProductMarketMaker (contracts/) on a local chain with the given
 * oracle address, for the local runtime and demos of the FPMM oracle calls.
 */
import { ContractFactory, type JsonRpcProvider, Wallet } from 'ethers';
import { loadArtifact } from '../contracts/compile.ts';
import { ANVIL_DEV_ACCOUNTS } from './anvil.ts';

export async function deployFixedProductMarketMaker(
  provider: JsonRpcProvider,
  oracleAddress: string,
  // anvil's well-known dev account 1 deploys and owns it: a public test key.
  ownerKey: string = ANVIL_DEV_ACCOUNTS[1].privateKey,
): Promise<string> {
  const { abi, bytecode } = await loadArtifact('FixedProductMarketMaker');
  const contract = await new ContractFactory(abi, bytecode, new Wallet(ownerKey, provider)).deploy(
    oracleAddress,
  );
  await contract.waitForDeployment();
  return contract.getAddress();
}
