/**
 * Step 1 of the creator sync: the calls earlier runs enqueued, reconciled with how the delivery
 * engine finished them. Log rows are completed with hash, gas, block, retries and error; a
 * succeeded metrics update becomes the confirmed metrics; a failed one raises the creator's
 * generation; a coin's launch is recorded launched or failed.
 */
import {
  confirmPending,
  dropPending,
  pendingRequestIds,
} from '../../adapters/db/creator/chain-state-store.ts';
import { pendingCoins } from '../../adapters/db/creator/coin-store.ts';
import { completeCallLogs, openCallRequestIds } from '../../adapters/db/creator/sync-log-store.ts';
import { FINAL_CALL_STATES } from '../../core/creator/sync-requests.ts';
import { settleCoinLaunches } from './coin-launches.ts';
import type { CreatorSyncDeps } from './creator-sync.ts';

export interface Reconciled {
  /** Metrics updates that succeeded. */
  readonly confirmed: number;
  /** Calls of any kind that failed for good. */
  readonly failed: number;
  /** Calls of any kind that succeeded. */
  readonly succeededCalls: number;
  readonly coinsLaunched: number;
}

const NOTHING: Reconciled = { confirmed: 0, failed: 0, succeededCalls: 0, coinsLaunched: 0 };

/** Applies the delivery engine's final outcomes to sync logs, chain state and coins. */
export async function reconcile(deps: CreatorSyncDeps, errors: string[]): Promise<Reconciled> {
  const { sql } = deps;
  const coins = await pendingCoins(sql);
  const ids = new Set<string>([
    ...(await openCallRequestIds(sql)),
    ...(await pendingRequestIds(sql)),
    ...coins.map((coin) => coin.requestId),
  ]);
  if (ids.size === 0) return NOTHING;
  const outcomes = [...(await deps.calls.outcomes([...ids])).values()].filter((o) =>
    FINAL_CALL_STATES.has(o.status),
  );
  if (outcomes.length === 0) return NOTHING;

  await completeCallLogs(sql, outcomes);
  const succeeded = outcomes.filter((o) => o.status === 'success');
  const failed = outcomes.filter((o) => o.status === 'failed');
  if (succeeded.length > 0) await confirmPending(sql, succeeded);
  const dropped = outcomes.filter((o) => o.status !== 'success').map((o) => o.requestId);
  if (dropped.length > 0) {
    await dropPending(
      sql,
      dropped,
      failed.map((o) => o.requestId),
    );
  }
  const coinsLaunched = await settleCoinLaunches(deps, coins, outcomes, errors);
  const coinIds = new Set(coins.map((coin) => coin.requestId));
  return {
    confirmed: succeeded.filter((o) => !coinIds.has(o.requestId)).length,
    failed: failed.length,
    succeededCalls: succeeded.length,
    coinsLaunched,
  };
}
