/** Pool events (`market.transactions`): keyed by (chain, tx hash, log index), so a re-read writes nothing twice. */
import type { MarketTransactionRow } from '../../../core/market/market-log-rows.ts';
import type { Queryable } from '../../../ports/sql.ts';

/** Returns how many rows were new. */
export async function insertTransactions(
  q: Queryable,
  rows: readonly MarketTransactionRow[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const values = rows.map((row) => ({
    chain_id: row.chainId,
    pool_address: row.poolAddress,
    tx_hash: row.txHash,
    log_index: row.logIndex,
    block_number: row.blockNumber,
    block_hash: row.blockHash,
    block_timestamp: row.blockTimestamp,
    kind: row.kind,
    sender: row.sender,
    recipient: row.recipient,
    amount0_in: row.amount0In,
    amount1_in: row.amount1In,
    amount0_out: row.amount0Out,
    amount1_out: row.amount1Out,
  }));
  const inserted = await q`insert into market.transactions ${q(values)} on conflict do nothing`;
  return inserted.count;
}

/** Removes the events above `forkBlock`; returns how many. */
export async function deleteTransactionsAbove(
  q: Queryable,
  chainId: number,
  forkBlock: number,
): Promise<number> {
  const removed =
    await q`delete from market.transactions where chain_id = ${chainId} and block_number > ${forkBlock}`;
  return removed.count;
}
