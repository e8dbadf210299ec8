/**
 * Hourly rollups the analytics read instead of raw transactions: volume per pool and bucket
 * (base and quote side of each swap) and the reserves at the end of each bucket. They are
 * recomputed from the first affected bucket onward, in the caller's transaction, so ingestion and
 * reorg rollback leave them consistent with the rows they summarise.
 */
import { replaceLiquidityRollups, replaceVolumeRollups } from '../../adapters/db/market/rollup-store.ts';
import { hourBucket } from '../../core/market/volume.ts';
import type { Queryable } from '../../ports/sql.ts';

export async function refreshRollups(tx: Queryable, chainId: number, fromTimestamp: number): Promise<void> {
  const bucket = hourBucket(fromTimestamp);
  await replaceVolumeRollups(tx, chainId, bucket);
  await replaceLiquidityRollups(tx, chainId, bucket);
}
