/**
 * Creator coins in the sync: a coin is launched for each creator past the launch thresholds whose
 * on-chain `meetsLaunchRequirements` is true, with a request id per creator and attempt. The coin
 * row is reserved (`pending`) before the call is enqueued, which reserves its name and symbol.
 */
import {
  allCoins,
  type Coin,
  markCoinFailed,
  markCoinLaunched,
  type PendingCoin,
  pendingCoins,
  reserveCoin,
  retryFailedCoin,
} from '../../adapters/db/creator/coin-store.ts';
import { logEnqueuedCoins } from '../../adapters/db/creator/sync-log-store.ts';
import {
  assignCoinIdentities,
  DEFAULT_COIN_INITIAL_SUPPLY,
  meetsCoinLaunchThresholds,
} from '../../core/creator/coin-launch.ts';
import { coinRequestId } from '../../core/creator/sync-requests.ts';
import { LAUNCH_CREATOR_COIN } from '../../ports/creator-contracts.ts';
import type { OracleCallOutcome } from '../../ports/oracle-call-gateway.ts';
import type { CreatorMetrics } from './creator-metrics.ts';
import type { CreatorSyncDeps } from './creator-sync.ts';

/** An error's message, or the thrown value as text: what a run's error list records. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Records the launches that ended: launched (with the coin's address) or failed. Returns how many launched. */
export async function settleCoinLaunches(
  deps: CreatorSyncDeps,
  coins: readonly PendingCoin[],
  outcomes: readonly OracleCallOutcome[],
  errors: string[],
): Promise<number> {
  let launched = 0;
  const byRequest = new Map(outcomes.map((o) => [o.requestId, o]));
  for (const coin of coins) {
    const outcome = byRequest.get(coin.requestId);
    if (outcome === undefined) continue;
    if (outcome.status !== 'success') {
      await markCoinFailed(deps.sql, coin.creatorId, coin.requestId, outcome.errorMessage ?? outcome.status);
      continue;
    }
    try {
      const info = await deps.contracts.getCreatorCoinInfo(coin.walletAddress);
      await markCoinLaunched(deps.sql, coin.creatorId, {
        coinAddress: info.coin.toLowerCase(),
        txHash: outcome.transactionHash,
        launchedAt: outcome.completedAt ?? new Date(),
      });
      launched++;
    } catch (error) {
      errors.push(`coin info for ${coin.walletAddress}: ${errorText(error)}`);
    }
  }
  return launched;
}

/** Creators past the thresholds with no coin, or whose launch failed, that the chain says may launch. */
async function readyToLaunch(
  deps: CreatorSyncDeps,
  metrics: readonly CreatorMetrics[],
  byCreator: ReadonlyMap<string, Coin>,
  errors: string[],
): Promise<{ ready: CreatorMetrics[]; awaitingChain: number }> {
  const candidates = metrics.filter((m) => {
    const coin = byCreator.get(m.creatorId);
    return (
      meetsCoinLaunchThresholds(m, deps.config.coinLaunch) && (coin === undefined || coin.status === 'failed')
    );
  });
  let awaitingChain = 0;
  const ready: CreatorMetrics[] = [];
  for (const candidate of candidates) {
    try {
      if (await deps.contracts.meetsLaunchRequirements(candidate.walletAddress)) ready.push(candidate);
      else awaitingChain++;
    } catch (error) {
      errors.push(`meetsLaunchRequirements(${candidate.walletAddress}): ${errorText(error)}`);
    }
  }
  return { ready, awaitingChain };
}

/** Reserves a coin for each ready creator without one, and a next attempt for each whose launch failed. */
async function reserveLaunches(
  deps: CreatorSyncDeps,
  ready: readonly CreatorMetrics[],
  coins: readonly Coin[],
  errors: string[],
): Promise<void> {
  const { sql, config } = deps;
  const byCreator = new Map(coins.map((c) => [c.creatorId, c]));
  const initialSupply = config.coinInitialSupply ?? DEFAULT_COIN_INITIAL_SUPPLY;
  const fresh = ready.filter((m) => !byCreator.has(m.creatorId));
  const identities = assignCoinIdentities(
    fresh.map((m) => ({ stageName: m.stageName, address: m.walletAddress })),
    { names: coins.map((c) => c.name), symbols: coins.map((c) => c.symbol) },
  );
  for (const [i, m] of fresh.entries()) {
    const { name, symbol } = identities[i]!;
    const requestId = coinRequestId(config, m.walletAddress, 1);
    try {
      await reserveCoin(sql, { creatorId: m.creatorId, name, symbol, initialSupply, requestId });
    } catch (error) {
      // A concurrent run reserved this name or symbol for another creator: retried next run.
      errors.push(`coin reservation for ${m.walletAddress}: ${errorText(error)}`);
    }
  }
  for (const m of ready) {
    const previous = byCreator.get(m.creatorId);
    if (previous?.status !== 'failed') continue;
    const requestId = coinRequestId(config, m.walletAddress, previous.attempt + 1);
    await retryFailedCoin(sql, m.creatorId, previous.attempt, requestId);
  }
}

/** Step 5 of the sync: reserves and enqueues the launches of coins for creators who may have one. */
export async function launchEligibleCoins(
  deps: CreatorSyncDeps,
  runId: string,
  metrics: readonly CreatorMetrics[],
  errors: string[],
): Promise<{ enqueued: number; awaitingChain: number }> {
  const { sql, config } = deps;
  const coins = await allCoins(sql);
  const byCreator = new Map(coins.map((c) => [c.creatorId, c]));
  const { ready, awaitingChain } = await readyToLaunch(deps, metrics, byCreator, errors);
  await reserveLaunches(deps, ready, coins, errors);
  // Every pending reservation is (re-)enqueued: a duplicate request id is a no-op, and a run that
  // stopped between reserving and enqueueing is completed by the next one.
  const pending = await pendingCoins(sql);
  if (pending.length === 0) return { enqueued: 0, awaitingChain };
  const results = await deps.calls.enqueue(
    pending.map((p) => ({
      requestId: p.requestId,
      contractAddress: config.tokenFactoryAddress,
      targetAddress: p.walletAddress.toLowerCase(),
      functionSignature: LAUNCH_CREATOR_COIN,
      args: [p.walletAddress, p.name, p.symbol, p.initialSupply.toString()],
    })),
  );
  await logEnqueuedCoins(sql, runId, pending);
  return { enqueued: results.filter((r) => !r.duplicate).length, awaitingChain };
}
