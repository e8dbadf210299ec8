/**
 * The poller's read position per contract (`market.chain_cursors`): the factory and every pool
 * it created, each with the last block read and that block's hash.
 */
import type { chainCursors } from '../../../../../../drizzle/schema/market.ts';
import type { Queryable } from '../../../ports/sql.ts';

export type ChainCursor = Pick<typeof chainCursors.$inferSelect, 'contractAddress' | 'kind' | 'lastBlock'>;

/** Adds a contract's cursor at `lastBlock` (its events start in the next block); an existing one stays. */
export async function addCursor(
  q: Queryable,
  chainId: number,
  cursor: { readonly contractAddress: string; readonly kind: 'factory' | 'pool'; readonly lastBlock: number },
): Promise<void> {
  await q`
    insert into market.chain_cursors (chain_id, contract_address, kind, last_block)
    values (${chainId}, ${cursor.contractAddress}, ${cursor.kind}, ${cursor.lastBlock})
    on conflict do nothing`;
}

/** Cursors not yet at `target`, furthest behind first. */
export async function cursorsBehind(q: Queryable, chainId: number, target: number): Promise<ChainCursor[]> {
  const rows = await q<{ contract_address: string; kind: string; last_block: bigint }[]>`
    select contract_address, kind, last_block from market.chain_cursors
    where chain_id = ${chainId} and last_block < ${target}
    order by last_block, contract_address`;
  return rows.map((row) => ({
    contractAddress: row.contract_address,
    kind: row.kind,
    lastBlock: Number(row.last_block),
  }));
}

export async function advanceCursors(
  q: Queryable,
  chainId: number,
  addresses: readonly string[],
  to: { readonly number: number; readonly hash: string },
): Promise<void> {
  await q`
    update market.chain_cursors set last_block = ${to.number}, last_block_hash = ${to.hash}, updated_at = now()
    where chain_id = ${chainId} and contract_address in ${q(addresses as string[])}`;
}

export async function deleteCursors(
  q: Queryable,
  chainId: number,
  addresses: readonly string[],
): Promise<void> {
  await q`
    delete from market.chain_cursors
    where chain_id = ${chainId} and contract_address in ${q(addresses as string[])}`;
}

/** Moves every cursor past `forkBlock` back to it, to be read again. */
export async function rewindCursors(q: Queryable, chainId: number, forkBlock: number): Promise<void> {
  await q`
    update market.chain_cursors set last_block = ${forkBlock}, last_block_hash = null, updated_at = now()
    where chain_id = ${chainId} and last_block > ${forkBlock}`;
}
