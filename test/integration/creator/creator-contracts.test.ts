import { Contract, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANVIL_DEV_ACCOUNTS, type AnvilHandle, startAnvil } from '../../../local/anvil.ts';
import { deployCreatorContracts } from '../../fixtures/creator-oracle.ts';

const FIL = 10n ** 18n;
const creator = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;

describe('CreatorMetricsManager and CreatorTokenFactory', () => {
  let anvil: AnvilHandle;
  let manager: Contract;
  let factory: Contract;
  let stranger: Contract;

  beforeAll(async () => {
    anvil = await startAnvil();
    const owner = new Wallet(ANVIL_DEV_ACCOUNTS[1].privateKey, anvil.provider());
    const oracle = new Wallet(ANVIL_DEV_ACCOUNTS[0].privateKey, anvil.provider());
    const deployed = await deployCreatorContracts(owner, oracle.address);
    manager = deployed.manager.connect(oracle) as Contract;
    factory = deployed.factory.connect(oracle) as Contract;
    stranger = deployed.manager.connect(
      new Wallet(ANVIL_DEV_ACCOUNTS[3].privateKey, anvil.provider()),
    ) as Contract;
  });
  afterAll(() => anvil.stop());

  const update = async (who: string, plays: number, followers: number, score = 5_000, revenue = 0n) =>
    (await manager.getFunction('updateCreatorMetrics')(who, plays, followers, score, revenue)).wait();
  const launch = async (who: string, name: string, symbol: string) =>
    (await factory.getFunction('launchCreatorCoin')(who, name, symbol, 1_000_000n * FIL)).wait();

  it('stores the metrics the oracle sends and reads them back', async () => {
    await update(creator(1), 1_234, 56, 7_890, 3n * FIL);
    const [plays, followers, score, revenue, updatedAt] = await manager.getFunction('getCreatorMetrics')(
      creator(1),
    );
    expect([plays, followers, score, revenue]).toEqual([1_234n, 56n, 7_890n, 3n * FIL]);
    expect(updatedAt).toBeGreaterThan(0n);
  });

  it('refuses metrics from anyone but the oracle, and a score above 10000', async () => {
    await expect(stranger.getFunction('updateCreatorMetrics')(creator(2), 1, 1, 1, 0)).rejects.toThrow(
      'caller is not the oracle',
    );
    await expect(update(creator(2), 1, 1, 10_001)).rejects.toThrow('engagement score above 10000');
  });

  it('meets the launch requirements at 50,000 plays and 5,000 followers, not one below either', async () => {
    await update(creator(3), 49_999, 5_000);
    await update(creator(4), 50_000, 4_999);
    await update(creator(5), 50_000, 5_000);
    const meets = manager.getFunction('meetsLaunchRequirements');
    expect([
      await meets(creator(3)),
      await meets(creator(4)),
      await meets(creator(5)),
      await meets(creator(99)),
    ]).toEqual([false, false, true, false]);
  });

  it('values a creator at 12 months of revenue scaled from 50 % (score 0) to 100 % (score 100)', async () => {
    await update(creator(6), 10, 10, 0, 10n * FIL);
    await update(creator(7), 10, 10, 10_000, 10n * FIL);
    const value = manager.getFunction('calculateIntrinsicValue');
    expect(await value(creator(6))).toBe(60n * FIL);
    expect(await value(creator(7))).toBe(120n * FIL);
  });

  it('launches one ERC-20 coin per eligible creator, minted to the creator', async () => {
    await launch(creator(5), 'Launch Pad Coin', 'LAUNCHPA');
    const [coin, name, symbol, supply] = await factory.getFunction('getCreatorCoinInfo')(creator(5));
    expect([name, symbol, supply]).toEqual(['Launch Pad Coin', 'LAUNCHPA', 1_000_000n * FIL]);
    const erc20 = new Contract(
      coin,
      ['function balanceOf(address) view returns (uint256)', 'function decimals() view returns (uint8)'],
      anvil.provider(),
    );
    expect(await erc20.getFunction('balanceOf')(creator(5))).toBe(1_000_000n * FIL);
    expect(await erc20.getFunction('decimals')()).toBe(18n);
    await expect(launch(creator(5), 'Another Coin', 'ANOTHER')).rejects.toThrow('coin already launched');
  });

  it('refuses a launch below the requirements, a taken symbol or name, and malformed ones', async () => {
    await expect(launch(creator(3), 'So Close Coin', 'SOCLOSE')).rejects.toThrow(
      'launch requirements not met',
    );
    await update(creator(8), 60_000, 6_000);
    await expect(launch(creator(8), 'Other Coin', 'LAUNCHPA')).rejects.toThrow('symbol taken');
    await expect(launch(creator(8), 'launch pad coin', 'OTHER')).rejects.toThrow('name taken');
    await expect(launch(creator(8), 'Other Coin', 'ab')).rejects.toThrow('invalid symbol');
    await expect(launch(creator(8), 'Other Coin', 'lower')).rejects.toThrow('invalid symbol');
    await expect(launch(creator(8), 'x'.repeat(33), 'OTHER')).rejects.toThrow('invalid name');
    await launch(creator(8), 'Other Coin', 'OTHER');
    expect(await factory.getFunction('coinCount')()).toBe(2n);
  });
});
