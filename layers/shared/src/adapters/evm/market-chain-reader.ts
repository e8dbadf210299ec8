/** MarketChainReader over an ethers JSON-RPC provider. */
import { Contract, Interface, JsonRpcProvider, Network } from 'ethers';
import type { PoolObservation } from '../../core/market/twap.ts';
import { ChainError } from '../../errors.ts';
import type { ChainBlock, MarketChainReader, MarketLog, TokenMetadata } from '../../ports/market-chain.ts';
import { MARKET_EVENTS_ABI, POOL_VIEW_ABI, TOKEN_ABI } from './market-abi.ts';

const events = new Interface(MARKET_EVENTS_ABI);

export class EthersMarketChainReader implements MarketChainReader {
  constructor(
    private readonly provider: JsonRpcProvider,
    readonly chainId: number,
  ) {}

  /** A reader on `url` with the network fixed (no detection round trips) and caching off. */
  static connect(url: string, chainId: number): EthersMarketChainReader {
    const provider = new JsonRpcProvider(url, Network.from(chainId), {
      staticNetwork: true,
      cacheTimeout: -1,
    });
    return new EthersMarketChainReader(provider, chainId);
  }

  async headNumber(): Promise<number> {
    return this.call('eth_blockNumber', () => this.provider.getBlockNumber());
  }

  async block(number: number): Promise<ChainBlock | undefined> {
    const block = await this.call('eth_getBlockByNumber', () => this.provider.getBlock(number));
    if (block === null || block.hash === null) return undefined;
    return { number: block.number, hash: block.hash.toLowerCase(), timestamp: block.timestamp };
  }

  async logs(addresses: readonly string[], from: number, to: number): Promise<MarketLog[]> {
    if (addresses.length === 0) return [];
    const raw = await this.call('eth_getLogs', () =>
      this.provider.getLogs({ address: [...addresses], fromBlock: from, toBlock: to }),
    );
    const decoded: MarketLog[] = [];
    for (const log of raw) {
      const parsed = events.parseLog({ topics: [...log.topics], data: log.data });
      if (parsed === null) continue;
      const position = {
        address: log.address.toLowerCase(),
        blockNumber: log.blockNumber,
        blockHash: log.blockHash.toLowerCase(),
        txHash: log.transactionHash.toLowerCase(),
        logIndex: log.index,
      };
      const a = parsed.args;
      switch (parsed.name) {
        case 'PoolCreated':
          decoded.push({
            ...position,
            kind: 'pool-created',
            token0: String(a[0]).toLowerCase(),
            token1: String(a[1]).toLowerCase(),
            pool: String(a[2]).toLowerCase(),
          });
          break;
        case 'Swap':
          decoded.push({
            ...position,
            kind: 'swap',
            sender: String(a[0]).toLowerCase(),
            amount0In: a[1] as bigint,
            amount1In: a[2] as bigint,
            amount0Out: a[3] as bigint,
            amount1Out: a[4] as bigint,
            recipient: String(a[5]).toLowerCase(),
          });
          break;
        case 'Mint':
        case 'Burn':
          decoded.push({
            ...position,
            kind: parsed.name === 'Mint' ? 'mint' : 'burn',
            sender: String(a[0]).toLowerCase(),
            amount0: a[1] as bigint,
            amount1: a[2] as bigint,
            recipient: String(a[3]).toLowerCase(),
          });
          break;
        case 'Sync':
          decoded.push({ ...position, kind: 'sync', reserve0: a[0] as bigint, reserve1: a[1] as bigint });
          break;
      }
    }
    return decoded.sort((x, y) => x.blockNumber - y.blockNumber || x.logIndex - y.logIndex);
  }

  async poolStateAt(pool: string, blockNumber: number): Promise<PoolObservation> {
    const contract = new Contract(pool, POOL_VIEW_ABI, this.provider);
    const overrides = { blockTag: blockNumber };
    const [reserves, price0, price1] = await this.call('eth_call', () =>
      Promise.all([
        contract.getFunction('getReserves').staticCall(overrides) as Promise<[bigint, bigint, bigint]>,
        contract.getFunction('price0CumulativeLast').staticCall(overrides) as Promise<bigint>,
        contract.getFunction('price1CumulativeLast').staticCall(overrides) as Promise<bigint>,
      ]),
    );
    return {
      reserve0: reserves[0],
      reserve1: reserves[1],
      price0Cumulative: price0,
      price1Cumulative: price1,
      cumulativeTimestamp: Number(reserves[2]),
    };
  }

  async tokenMetadata(token: string): Promise<TokenMetadata> {
    const contract = new Contract(token, TOKEN_ABI, this.provider);
    const [symbol, name, decimals] = await this.call('eth_call', () =>
      Promise.all([
        contract.getFunction('symbol').staticCall() as Promise<string>,
        contract.getFunction('name').staticCall() as Promise<string>,
        contract.getFunction('decimals').staticCall() as Promise<bigint>,
      ]),
    );
    return { symbol, name, decimals: Number(decimals) };
  }

  private async call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw new ChainError(`${method} failed: ${(error as Error).message}`, 'network', { cause: error });
    }
  }
}
