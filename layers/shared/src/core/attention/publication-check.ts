/**
 * Whether the chain holds what the database says was published (`oracle publication verify`):
 * in program mode the channel's ring slot, in memo mode the recorded transaction's memo.
 */

import type { RootMemo } from '../solana/root-memo.ts';

export interface PublicationCheck {
  readonly epoch: number;
  readonly channel: string;
  readonly ok: boolean;
  readonly status: string;
  readonly root: string;
  readonly signature: string | null;
  readonly onChain: { readonly root: string | null; readonly slot: number | null } | null;
  readonly problem?: string;
}

export interface RecordedPublication {
  readonly epoch: number;
  readonly channel: string;
  readonly status: string;
  readonly root: string;
  readonly signature: string | null;
}

const rootHex = (root: string) => root.replace(/^0x/, '');

/** Program mode: `slotRoot` is the root (hex) the ring slot holds for the epoch, or null. */
export function checkProgramPublication(row: RecordedPublication, slotRoot: string | null): PublicationCheck {
  const ok = row.status === 'published' ? slotRoot === rootHex(row.root) : row.status !== 'published';
  return {
    ...base(row),
    ok,
    onChain: { root: slotRoot, slot: null },
    ...(ok ? {} : { problem: 'ring slot does not hold the root' }),
  };
}

/**
 * Memo mode: `transaction` is what the chain knows of the recorded signature (null when it
 * knows nothing, or no signature was recorded), with the first root memo it carries.
 */
export function checkMemoPublication(
  row: RecordedPublication,
  transaction: {
    readonly failed: boolean;
    readonly slot: bigint;
    readonly memo: RootMemo | undefined;
  } | null,
): PublicationCheck {
  if (transaction === null) {
    const ok = row.status !== 'published';
    const problem =
      row.signature === null
        ? 'published without a signature'
        : 'the chain does not know the recorded signature';
    return { ...base(row), ok, onChain: null, ...(ok ? {} : { problem }) };
  }
  const { memo } = transaction;
  const matches =
    memo !== undefined &&
    memo.channel === row.channel &&
    memo.epoch === BigInt(row.epoch) &&
    memo.root === rootHex(row.root);
  const ok = !transaction.failed && matches && row.status === 'published';
  return {
    ...base(row),
    ok,
    onChain: { root: memo?.root ?? null, slot: Number(transaction.slot) },
    ...(ok
      ? {}
      : { problem: transaction.failed ? 'transaction failed on chain' : 'memo does not match the database' }),
  };
}

function base(row: RecordedPublication) {
  return {
    epoch: row.epoch,
    channel: row.channel,
    status: row.status,
    root: row.root,
    signature: row.signature,
  };
}
