/**
 * Sealing and tree building fail per (epoch, channel) or per tree, never as a whole (issue 17,
 * H4): work done in batches (ten channels sealed per transaction, ten channel trees per
 * transaction) that fails is done again item by item, and an item that fails alone is reported
 * (SealingFailures; AmountOverflow when its amounts are past MAX_AMOUNT) and left for the next
 * run, while every other item, and every later epoch, goes on.
 */
import { AmountOverflowError } from '../../errors.ts';
import { METRIC } from '../../metric-names.ts';
import type { Telemetry } from '../../ports/telemetry.ts';

export interface SealingFailure {
  readonly epoch: number;
  /** The channel, or the tree's name (`category:<category>:<group>`, `carry:<group>`); `*` for a whole epoch. */
  readonly channel: string;
  readonly stage: 'seal' | 'tree';
  readonly reason: string;
}

/** Records one failed item: a metric the alarms watch and an error log naming it. */
export function reportSealingFailure(
  telemetry: Telemetry,
  where: Omit<SealingFailure, 'reason'>,
  error: unknown,
): SealingFailure {
  const reason = error instanceof Error ? error.message : String(error);
  telemetry.metric(METRIC.sealingFailures, 'Count', 1);
  if (error instanceof AmountOverflowError) telemetry.metric(METRIC.amountOverflow, 'Count', 1);
  telemetry.error(
    where.stage === 'seal'
      ? 'an (epoch, channel) was not sealed; it is tried again next run'
      : 'a tree was not built; it is tried again next run',
    { ...where, reason, code: (error as { code?: unknown } | null)?.code },
  );
  return { ...where, reason };
}

/**
 * Runs `run` on the whole batch; if that fails, on each item alone. An item that fails alone goes
 * to `onFailure`; the results of the others are returned.
 */
export async function inIsolatedBatches<T, R>(
  batch: readonly T[],
  run: (items: readonly T[]) => Promise<R[]>,
  onFailure: (item: T, error: unknown) => void,
): Promise<R[]> {
  try {
    return await run(batch);
  } catch (error) {
    if (batch.length === 1) {
      onFailure(batch[0] as T, error);
      return [];
    }
  }
  const results: R[] = [];
  for (const item of batch) {
    try {
      results.push(...(await run([item])));
    } catch (error) {
      onFailure(item, error);
    }
  }
  return results;
}
