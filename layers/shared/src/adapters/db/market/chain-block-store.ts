/** The hash of every block the poller read logs up to (`market.chain_blocks`): a later mismatch is a reorg. */
import type { chainBlocks } from '../../../../../../drizzle/schema/market.ts';
import type { Queryable } from '../../../ports/sql.ts';

export type ChainBlockRow = Pick<typeof chainBlocks.$inferSelect, 'number' | 'hash' | 'timestamp'>;

/** The newest `depth` stored blocks, newest first. */
export async function recentBlocks(
  q: Queryable,
  chainId: number,
  depth: number,
): Promise<Pick<ChainBlockRow, 'number' | 'hash'>[]> {
  const rows = await q<{ number: bigint; hash: string }[]>`
    select number, hash from market.chain_blocks where chain_id = ${chainId}
    order by number desc limit ${depth}`;
  return rows.map((row) => ({ number: Number(row.number), hash: row.hash }));
}

/** Stores the blocks read; a block stored before under another hash takes the new one. */
export async function upsertBlocks(
  q: Queryable,
  chainId: number,
  blocks: readonly ChainBlockRow[],
): Promise<void> {
  const rows = blocks.map((block) => ({
    chain_id: chainId,
    number: block.number,
    hash: block.hash,
    timestamp: block.timestamp,
  }));
  await q`
    insert into market.chain_blocks ${q(rows)}
    on conflict (chain_id, number) do update set hash = excluded.hash, timestamp = excluded.timestamp`;
}

export async function deleteBlocksAbove(q: Queryable, chainId: number, forkBlock: number): Promise<void> {
  await q`delete from market.chain_blocks where chain_id = ${chainId} and number > ${forkBlock}`;
}

/**
 * The earliest timestamp of what a rollback above `forkBlock` removes: its first transaction's,
 * else its first stored block's, else 0. Rollups from there on must be recomputed.
 */
export async function earliestTimestampAbove(
  q: Queryable,
  chainId: number,
  forkBlock: number,
): Promise<number> {
  const [row] = await q<{ timestamp: bigint }[]>`
    select coalesce(
      (select min(block_timestamp) from market.transactions where chain_id = ${chainId} and block_number > ${forkBlock}),
      (select min(timestamp) from market.chain_blocks where chain_id = ${chainId} and number > ${forkBlock}),
      0) as timestamp`;
  return Number(row?.timestamp ?? 0n);
}

/** The newest stored block's timestamp: "now" on the chain as the poller last read it (undefined: none yet). */
export async function latestBlockTime(q: Queryable, chainId: number): Promise<number | undefined> {
  const [row] = await q<{ timestamp: bigint | null }[]>`
    select max(timestamp) as timestamp from market.chain_blocks where chain_id = ${chainId}`;
  return row?.timestamp === null || row?.timestamp === undefined ? undefined : Number(row.timestamp);
}
