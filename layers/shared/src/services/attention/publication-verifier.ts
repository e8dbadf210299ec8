/** `oracle publication verify`: reads the chain and compares it with the database. */

import {
  checkMemoPublication,
  checkProgramPublication,
  type PublicationCheck,
} from '../../core/attention/publication-check.ts';
import { channelSlotStanding } from '../../core/solana/channel-state.ts';
import { toOnChainEpoch } from '../../core/solana/onchain-epoch.ts';
import { MEMO_PROGRAM_ID } from '../../core/solana/program-ids.ts';
import { parseRootMemo } from '../../core/solana/root-memo.ts';
import { loadPublication, mintFor, type PublisherDeps, readChannelState } from './publisher.ts';

export type VerifierDeps = Pick<PublisherDeps, 'sql' | 'solana' | 'program' | 'mints'>;

export async function verifyPublication(
  deps: VerifierDeps,
  epoch: number,
  channel: string,
): Promise<PublicationCheck> {
  const row = await loadPublication(deps.sql, { epoch, channel });
  if (row.mode === 'program') {
    const config = mintFor(deps, row);
    const { state } = await readChannelState(deps, config.mint, channel);
    const standing = channelSlotStanding(state, toOnChainEpoch(epoch, config.epochUnit));
    const slotRoot = standing.kind === 'present' ? Buffer.from(standing.slot.root).toString('hex') : null;
    return checkProgramPublication(row, slotRoot);
  }
  const record = row.signature === null ? null : await deps.solana.getTransaction(row.signature);
  if (record === null) return checkMemoPublication(row, null);
  const memo = record.instructions
    .filter((ix) => ix.programAddress === MEMO_PROGRAM_ID)
    .map((ix) => parseRootMemo(new TextDecoder().decode(ix.data)))
    .find((m) => m !== undefined);
  return checkMemoPublication(row, { failed: record.err !== null, slot: record.slot, memo });
}
