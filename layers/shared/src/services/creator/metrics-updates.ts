/**
 * Step 3 of the creator sync: `updateCreatorMetrics` enqueued for each creator whose metrics differ
 * from what was last sent, with a request id per (creator, metrics, generation) and a supersede
 * key per creator, recorded as pending and in the sync log.
 */
import { markPending, sentStates, updateDivergence } from '../../adapters/db/creator/chain-state-store.ts';
import { logEnqueuedMetrics } from '../../adapters/db/creator/sync-log-store.ts';
import {
  changedSinceLastSent,
  metricsRequestId,
  metricsSupersedeKey,
} from '../../core/creator/sync-requests.ts';
import { UPDATE_CREATOR_METRICS } from '../../ports/creator-contracts.ts';
import type { OracleCallRequest } from '../../ports/oracle-call-gateway.ts';
import type { CreatorMetrics } from './creator-metrics.ts';
import type { CreatorSyncConfig, CreatorSyncDeps } from './creator-sync.ts';

/** Requests per enqueue and per write: bounds a statement's parameters and a queue batch. */
const BATCH = 1_000;

function updateRequest(config: CreatorSyncConfig, m: CreatorMetrics, generation: number): OracleCallRequest {
  return {
    requestId: metricsRequestId(config, m.walletAddress, m.fingerprint, generation),
    contractAddress: config.metricsManagerAddress,
    targetAddress: m.walletAddress.toLowerCase(),
    functionSignature: UPDATE_CREATOR_METRICS,
    args: [
      m.walletAddress,
      m.onChain.totalPlays.toString(),
      m.onChain.followers.toString(),
      m.onChain.engagementScoreX100.toString(),
      m.onChain.monthlyRevenueAttoFil.toString(),
    ],
    supersedeKey: metricsSupersedeKey(config, m.walletAddress),
  };
}

export async function enqueueChangedMetrics(
  deps: CreatorSyncDeps,
  runId: string,
  now: Date,
  metrics: readonly CreatorMetrics[],
): Promise<{ changed: number; enqueued: number; duplicates: number }> {
  const { sql, config } = deps;
  const states = await sentStates(sql);
  const changed = changedSinceLastSent(metrics, states);
  let duplicates = 0;
  for (let i = 0; i < changed.length; i += BATCH) {
    const batch = changed.slice(i, i + BATCH);
    const requests = batch.map((m) => updateRequest(config, m, states.get(m.creatorId)?.generation ?? 0));
    const results = await deps.calls.enqueue(requests);
    duplicates += results.filter((r) => r.duplicate).length;
    const sent = batch.map((m, j) => ({
      creatorId: m.creatorId,
      fingerprint: m.fingerprint,
      requestId: requests[j]!.requestId,
      totalPlays: m.totalPlays,
      followers: m.followers,
      engagementScoreX100: m.engagement.scoreX100,
      monthlyRevenueAttoFil: m.monthlyRevenueAttoFil,
    }));
    await markPending(sql, now, sent);
    await logEnqueuedMetrics(sql, runId, now, sent);
  }
  // Divergence: since when the database's metrics differ from what is confirmed on-chain.
  await updateDivergence(sql, now, metrics);
  return { changed: changed.length, enqueued: changed.length - duplicates, duplicates };
}
