/**
 * What a landed transaction did to one channel's ChannelState: which leaves it claimed (epoch,
 * index) and which roots it set (epoch). Both instructions name the channel_state account
 * third (DESIGN.md section 5), so a call counts when its program is the attention program and
 * that account is the channel's. Top-level and inner (cross-program) instructions alike: a
 * claim made through another program is still a claim.
 *
 * Only the leading arguments are read (channel, epoch, and a claim's index), and nothing after
 * them is checked: the program's Anchor entrypoint ignores trailing bytes, so a strict decoder
 * would miss a claim someone padded, and pay its leaf again.
 */
import {
  CLAIM_CHANNEL_OPEN_DISCRIMINATOR,
  SET_CHANNEL_MERKLE_ROOT_DISCRIMINATOR,
} from './attention-instruction-data.ts';

export interface ProgramCall {
  readonly programAddress: string;
  readonly accounts: readonly string[];
  readonly data: Uint8Array;
}

export interface ChannelStateCalls {
  readonly claims: readonly { readonly epoch: bigint; readonly index: number }[];
  readonly rootsSet: readonly bigint[];
}

const CHANNEL_STATE_ACCOUNT = 2;

export function channelStateCalls(
  calls: readonly ProgramCall[],
  program: { readonly programAddress: string; readonly channelState: string },
): ChannelStateCalls {
  const claims: { epoch: bigint; index: number }[] = [];
  const rootsSet: bigint[] = [];
  for (const call of calls) {
    if (call.programAddress !== program.programAddress) continue;
    if (call.accounts[CHANNEL_STATE_ACCOUNT] !== program.channelState) continue;
    const leading = leadingArguments(call.data);
    if (leading === undefined) continue;
    if (startsWith(call.data, CLAIM_CHANNEL_OPEN_DISCRIMINATOR) && leading.index !== undefined) {
      claims.push({ epoch: leading.epoch, index: leading.index });
    } else if (startsWith(call.data, SET_CHANNEL_MERKLE_ROOT_DISCRIMINATOR)) {
      rootsSet.push(leading.epoch);
    }
  }
  return { claims, rootsSet };
}

function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  return data.length >= prefix.length && prefix.every((byte, i) => data[i] === byte);
}

/**
 * The 8-byte discriminator, `channel` (u32 length + bytes), `epoch` u64, then (claims) `index`
 * u32; undefined when the data is too short to hold them, which the program would have refused.
 */
function leadingArguments(data: Uint8Array): { epoch: bigint; index: number | undefined } | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < 12) return undefined;
  const afterChannel = 12 + view.getUint32(8, true);
  if (data.length < afterChannel + 8) return undefined;
  const epoch = view.getBigUint64(afterChannel, true);
  const index = data.length >= afterChannel + 12 ? view.getUint32(afterChannel + 8, true) : undefined;
  return { epoch, index };
}
