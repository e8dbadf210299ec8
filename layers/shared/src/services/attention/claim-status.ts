/**
 * Whether a leaf was claimed, as far as the chain can say. In program mode a channel's
 * ChannelState holds, per ring slot, the epoch, the root and a bitmap of claimed leaf indexes:
 * that is the truth, read here (one account per mint and channel, kept for a few seconds). In
 * memo mode, before a root lands, or once its slot holds another root, the chain says nothing
 * about the leaf, and neither does this.
 */
import {
  type ChannelState,
  channelSlotStanding,
  decodeChannelState,
  isClaimed,
} from '../../core/solana/channel-state.ts';
import { toOnChainEpoch } from '../../core/solana/onchain-epoch.ts';
import type { AttentionProgram, SolanaClient } from '../../ports/solana.ts';
import type { MintConfig } from './publisher.ts';

export interface ClaimedRoot {
  readonly epoch: number;
  readonly channel: string;
  readonly tokenGroup: string;
  /** Hex, with or without 0x. */
  readonly root: string;
  readonly publication: {
    readonly status: string;
    readonly mode: string;
    readonly mint: string | null;
  } | null;
}

export interface ClaimStatusSource {
  /**
   * A test of leaf indexes for this root, or undefined when the chain cannot tell; `maxAgeMs`
   * bounds how old a cached read may be (0: read the chain now).
   */
  claimedTest(
    root: ClaimedRoot,
    options?: { readonly maxAgeMs?: number },
  ): Promise<((index: number) => boolean) | undefined>;
}

export interface ChannelStateClaimStatusDeps {
  readonly solana: Pick<SolanaClient, 'getAccount'>;
  readonly program: Pick<AttentionProgram, 'channelStateAddress'>;
  readonly mints: Readonly<Record<string, MintConfig>>;
}

export class ChannelStateClaimStatus implements ClaimStatusSource {
  private readonly states = new Map<string, { at: number; state: Promise<ChannelState | null> }>();

  constructor(
    private readonly deps: ChannelStateClaimStatusDeps,
    private readonly options: { readonly ttlMs?: number; readonly now?: () => number } = {},
  ) {}

  async claimedTest(
    root: ClaimedRoot,
    options: { readonly maxAgeMs?: number } = {},
  ): Promise<((index: number) => boolean) | undefined> {
    const publication = root.publication;
    if (publication?.mode !== 'program' || publication.status !== 'published' || publication.mint === null) {
      return undefined;
    }
    const config = this.deps.mints[root.tokenGroup];
    if (config === undefined || config.mint !== publication.mint) return undefined;
    const state = await this.channelState(publication.mint, root.channel, options.maxAgeMs);
    if (state === null) return undefined;
    const standing = channelSlotStanding(state, toOnChainEpoch(root.epoch, config.epochUnit));
    if (standing.kind !== 'present') return undefined;
    const onChainRoot = Buffer.from(standing.slot.root).toString('hex');
    if (onChainRoot !== root.root.replace(/^0x/, '').toLowerCase()) return undefined;
    const bitmap = standing.slot.claimedBitmap;
    return (index) => index < bitmap.length * 8 && isClaimed(bitmap, index);
  }

  private channelState(mint: string, channel: string, maxAgeMs?: number): Promise<ChannelState | null> {
    const now = (this.options.now ?? Date.now)();
    const key = `${mint}:${channel}`;
    const cached = this.states.get(key);
    if (cached !== undefined && now - cached.at < (maxAgeMs ?? this.options.ttlMs ?? 5_000))
      return cached.state;
    const state = this.deps.solana
      .getAccount(this.deps.program.channelStateAddress(mint, channel))
      .then((account) => (account === null ? null : decodeChannelState(account.data)));
    this.states.set(key, { at: now, state });
    state.catch(() => this.states.delete(key));
    if (this.states.size > 1_000) this.states.delete(this.states.keys().next().value as string);
    return state;
  }
}
