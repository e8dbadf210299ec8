/**
 * Memo-mode publication (DESIGN.md section 5, "Publishing"): where no attention program is
 * deployed, a root is written as the memo `aor1:<channel>:<epoch>:<root as 64 lowercase hex>`.
 * Pseudo-channels (`category:music:milo`) contain colons, so the memo is parsed from the right.
 */
import { ValidationError } from '../../errors.ts';
import type { SolanaInstruction } from './instruction.ts';
import { MEMO_PROGRAM_ID } from './program-ids.ts';

export const ROOT_MEMO_PREFIX = 'aor1:';

export interface RootMemo {
  readonly channel: string;
  readonly epoch: bigint;
  /** 64 lowercase hex characters, no `0x`. */
  readonly root: string;
}

const ROOT_HEX = /^[0-9a-f]{64}$/;
const CANONICAL_EPOCH = /^(0|[1-9][0-9]*)$/;
const U64_MAX = (1n << 64n) - 1n;

export function buildRootMemo(input: {
  channel: string;
  epoch: bigint | number;
  root: Uint8Array | string;
}): string {
  const { channel } = input;
  if (channel.length === 0 || /\s/.test(channel)) {
    throw new ValidationError(`memo channel must be non-empty without whitespace, got '${channel}'`);
  }
  const epoch = BigInt(input.epoch);
  if (epoch < 0n || epoch > U64_MAX) throw new ValidationError(`memo epoch must fit in a u64, got ${epoch}`);
  return `${ROOT_MEMO_PREFIX}${channel}:${epoch}:${rootHex(input.root)}`;
}

/** The memo's fields, or undefined when the text is not a well-formed `aor1` memo. */
export function parseRootMemo(text: string): RootMemo | undefined {
  if (!text.startsWith(ROOT_MEMO_PREFIX)) return undefined;
  const rootAt = text.lastIndexOf(':');
  const epochAt = text.lastIndexOf(':', rootAt - 1);
  if (epochAt < ROOT_MEMO_PREFIX.length) return undefined;
  const channel = text.slice(ROOT_MEMO_PREFIX.length, epochAt);
  const epochText = text.slice(epochAt + 1, rootAt);
  const root = text.slice(rootAt + 1);
  if (channel.length === 0 || /\s/.test(channel)) return undefined;
  if (!CANONICAL_EPOCH.test(epochText) || !ROOT_HEX.test(root)) return undefined;
  const epoch = BigInt(epochText);
  if (epoch > U64_MAX) return undefined;
  return { channel, epoch, root };
}

/** The Memo program instruction carrying the root; no accounts, so no signer check beyond the fee payer. */
export function rootMemoInstruction(memo: RootMemo | string): SolanaInstruction {
  const text = typeof memo === 'string' ? memo : buildRootMemo(memo);
  return { programAddress: MEMO_PROGRAM_ID, accounts: [], data: new TextEncoder().encode(text) };
}

function rootHex(root: Uint8Array | string): string {
  if (typeof root === 'string') {
    const digits = root.startsWith('0x') ? root.slice(2) : root;
    const lower = digits.toLowerCase();
    if (!ROOT_HEX.test(lower)) throw new ValidationError(`root must be 32 bytes of hex, got '${root}'`);
    return lower;
  }
  if (root.length !== 32) throw new ValidationError(`root must be 32 bytes, got ${root.length}`);
  return Buffer.from(root).toString('hex');
}
