/**
 * Deploys the reference market on a local chain: a quote token, credential reward tokens, the
 * pool factory and one pool per reward token against the quote, seeded with liquidity; and
 * generates trading activity. Used by the local runtime, tests and benchmarks.
 */
import { Contract, ContractFactory, type JsonRpcProvider, NonceManager, parseUnits, Wallet } from 'ethers';
import { loadArtifact } from '../../contracts/compile.ts';
import { TOKEN_ABI } from '../../layers/shared/src/adapters/evm/market-abi.ts';

export interface DeployedToken {
  readonly symbol: string;
  readonly address: string;
  readonly pool: string;
}

export interface DeployedMarket {
  readonly factory: string;
  readonly factoryBlock: number;
  readonly quote: string;
  readonly tokens: readonly DeployedToken[];
}

export interface MarketSpec {
  readonly symbol: string;
  /** Whole tokens of base and quote put in the pool; their ratio is the opening price. */
  readonly baseLiquidity: string;
  readonly quoteLiquidity: string;
}

export const DEFAULT_MARKETS: readonly MarketSpec[] = [
  { symbol: 'CRED', baseLiquidity: '100000', quoteLiquidity: '50000' },
  { symbol: 'VIBE', baseLiquidity: '200000', quoteLiquidity: '20000' },
  { symbol: 'HYPE', baseLiquidity: '50000', quoteLiquidity: '100000' },
];

/**
 * Estimates run against the latest block's timestamp, where a pool's cumulative prices do not
 * advance; the mined block's later timestamp makes the same call write them and run out of gas.
 */
const POOL_GAS_LIMIT = 400_000n;

async function deploy(name: string, signer: NonceManager, args: unknown[]): Promise<Contract> {
  const { abi, bytecode } = await loadArtifact(name);
  const contract = await new ContractFactory(abi, bytecode, signer).deploy(...args);
  await contract.waitForDeployment();
  return contract as Contract;
}

export function walletFor(provider: JsonRpcProvider, privateKey: string): NonceManager {
  return new NonceManager(new Wallet(privateKey, provider));
}

export async function deployMarket(
  provider: JsonRpcProvider,
  deployerKey: string,
  specs: readonly MarketSpec[] = DEFAULT_MARKETS,
): Promise<DeployedMarket> {
  const signer = walletFor(provider, deployerKey);
  const me = await signer.getAddress();
  const quote = await deploy('MarketToken', signer, ['Market USD', 'mUSD']);
  const factory = await deploy('PoolFactory', signer, []);
  const factoryBlock = (await factory.deploymentTransaction()?.wait())?.blockNumber ?? 0;
  const quoteAddress = (await quote.getAddress()).toLowerCase();
  const tokens: DeployedToken[] = [];
  const totalQuote = specs.reduce((sum, spec) => sum + parseUnits(spec.quoteLiquidity, 18), 0n);
  await (await quote.getFunction('mint')(me, totalQuote * 10n)).wait();
  for (const spec of specs) {
    const token = await deploy('MarketToken', signer, [`${spec.symbol} credential reward`, spec.symbol]);
    const tokenAddress = (await token.getAddress()).toLowerCase();
    await (await factory.getFunction('createPool')(tokenAddress, quoteAddress)).wait();
    const pool = String(await factory.getFunction('getPool')(tokenAddress, quoteAddress)).toLowerCase();
    const base = parseUnits(spec.baseLiquidity, 18);
    const quoted = parseUnits(spec.quoteLiquidity, 18);
    await (await token.getFunction('mint')(me, base * 10n)).wait();
    await (await token.getFunction('approve')(pool, 2n ** 256n - 1n)).wait();
    await (await quote.getFunction('approve')(pool, 2n ** 256n - 1n)).wait();
    const poolContract = await poolAt(pool, signer);
    const [amount0, amount1] = BigInt(tokenAddress) < BigInt(quoteAddress) ? [base, quoted] : [quoted, base];
    await (
      await poolContract.getFunction('addLiquidity')(amount0, amount1, me, { gasLimit: POOL_GAS_LIMIT })
    ).wait();
    tokens.push({ symbol: spec.symbol, address: tokenAddress, pool });
  }
  return { factory: (await factory.getAddress()).toLowerCase(), factoryBlock, quote: quoteAddress, tokens };
}

export async function poolAt(address: string, signer: NonceManager): Promise<Contract> {
  const { abi } = await loadArtifact('ConstantProductPool');
  return new Contract(address, abi, signer);
}

/** Sells `amount` whole tokens of `tokenIn` into `pool`; returns the block it was mined in. */
export async function swap(
  signer: NonceManager,
  pool: string,
  tokenIn: string,
  amount: string,
): Promise<number> {
  const contract = await poolAt(pool, signer);
  const me = await signer.getAddress();
  const receipt = await (
    await contract.getFunction('swapExactIn')(tokenIn, parseUnits(amount, 18), 0n, me, {
      gasLimit: POOL_GAS_LIMIT,
    })
  ).wait();
  return receipt?.blockNumber ?? 0;
}

/** Gives `to` tokens and approves the pools, so it can trade. */
export async function fundTrader(
  deployer: NonceManager,
  trader: NonceManager,
  market: DeployedMarket,
  amount: string,
): Promise<void> {
  const to = await trader.getAddress();
  for (const address of [market.quote, ...market.tokens.map((token) => token.address)]) {
    const asDeployer = new Contract(address, TOKEN_ABI, deployer);
    await (await asDeployer.getFunction('mint')(to, parseUnits(amount, 18))).wait();
    const asTrader = new Contract(address, TOKEN_ABI, trader);
    for (const token of market.tokens) {
      await (await asTrader.getFunction('approve')(token.pool, 2n ** 256n - 1n)).wait();
    }
  }
}

/**
 * Deterministic trading activity: `rounds` rounds, each buying and selling every token with
 * sizes from a small linear congruential sequence, advancing chain time `secondsBetween` per trade.
 */
export async function generateTrades(
  provider: JsonRpcProvider,
  trader: NonceManager,
  market: DeployedMarket,
  options: { rounds: number; secondsBetween?: number; seed?: number },
): Promise<number> {
  let state = options.seed ?? 7;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state;
  };
  let trades = 0;
  for (let round = 0; round < options.rounds; round++) {
    for (const token of market.tokens) {
      if (options.secondsBetween !== undefined)
        await provider.send('evm_increaseTime', [options.secondsBetween]);
      const buy = next() % 2 === 0;
      const size = String(10 + (next() % 490));
      await swap(trader, token.pool, buy ? market.quote : token.address, size);
      trades++;
    }
  }
  return trades;
}
