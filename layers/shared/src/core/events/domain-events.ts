/**
 * Domain events between services: what each event carries, and which of them notify a user.
 * Services publish them through the bus port (ports/event-bus.ts).
 */
export interface PriceUpdatedEvent {
  readonly type: 'PriceUpdated';
  readonly chainId: number;
  readonly tokenAddress: string;
  readonly poolAddress: string;
  readonly quoteToken: string;
  /** Price of one whole token in whole quote tokens, decimal string. */
  readonly price: string;
  readonly priceX112: string;
  readonly blockNumber: number;
  readonly timestamp: number;
}

export interface TokenMintedEvent {
  readonly type: 'TokenMinted';
  readonly claimId: string;
  readonly credentialId: string;
  readonly holder: string;
  /** Base units, decimal string. */
  readonly amount: string;
  readonly txHash: string | undefined;
  readonly timestamp: number;
}

/** A creator reached a milestone (recorded once per creator and milestone by the creator sync). */
export interface MilestoneReachedEvent {
  readonly type: 'MilestoneReached';
  readonly creatorId: string;
  /** The creator's wallet, lowercase. */
  readonly creator: string;
  readonly stageName: string;
  /** Stable milestone id (`plays_100k`, ...). */
  readonly milestone: string;
  readonly description: string;
  /** The value that reached the threshold, decimal string. */
  readonly value: string;
  readonly timestamp: number;
}

/** An epoch's root for one channel landed on Solana. */
export interface RootPublishedEvent {
  readonly type: 'RootPublished';
  /** Epoch start, unix seconds. */
  readonly epoch: number;
  readonly channel: string;
  /** 0x-prefixed hex. */
  readonly root: string;
  readonly signature: string | null;
  readonly slot: number | null;
  readonly timestamp: number;
}

/**
 * Channels of an epoch were sealed and their trees decided (by one seal run: a later run that
 * seals more channels of the same epoch announces those). Nothing in the platform notifies on
 * it; it is for consumers of the bus (a rule of their own).
 */
export interface EpochSealedEvent {
  readonly type: 'EpochSealed';
  /** Epoch start, unix seconds. */
  readonly epoch: number;
  /** Channels announced by this event. */
  readonly channels: number;
  /** Their sealed participants. */
  readonly participants: number;
  /** Trees stored for the epoch so far (channel, category and carry trees with leaves). */
  readonly trees: number;
  readonly timestamp: number;
}

/** Why a wallet binding ended (attention.wallet_binding_history.end_reason). */
export const BINDING_END_REASONS = [
  'rebound',
  'login-reused',
  'login-changed',
  'legacy-replaced',
  'opted-out',
] as const;
export type BindingEndReason = (typeof BINDING_END_REASONS)[number];

/**
 * A binding ended: the wallet that claims a login's leaves changed, or the login has none any
 * more. One event per ended binding, so a viewer can be told when their rewards start going
 * elsewhere. Nothing in the platform notifies on it; it is for consumers of the bus.
 */
export interface WalletReboundEvent {
  readonly type: 'WalletRebound';
  /** The login whose leaves the binding decided. */
  readonly userHash: string;
  /** The wallet bound until now, base58. */
  readonly previousWallet: string;
  /** The wallet bound now, base58; null when the login has no wallet any more. */
  readonly wallet: string | null;
  /**
   * rebound: the same Twitch user bound another wallet; login-reused: another Twitch user now
   * holds the login; login-changed: the user bound under a new login; legacy-replaced: a binding
   * made before Twitch sign-in, replaced through sign-in; opted-out: the login was suppressed
   * (the viewer opted out, or an admin opted them out).
   */
  readonly reason: BindingEndReason;
  /** When the binding ended, unix seconds. */
  readonly timestamp: number;
}

export type DomainEvent =
  | PriceUpdatedEvent
  | TokenMintedEvent
  | MilestoneReachedEvent
  | RootPublishedEvent
  | EpochSealedEvent
  | WalletReboundEvent;

/** The events a user can be notified of; the bus rule sends these to the notifications queue. */
export const NOTIFYING_EVENT_TYPES = [
  'TokenMinted',
  'PriceUpdated',
  'MilestoneReached',
  'RootPublished',
] as const;

export type NotifyingEvent = Extract<DomainEvent, { type: (typeof NOTIFYING_EVENT_TYPES)[number] }>;

export function isNotifying(event: DomainEvent): event is NotifyingEvent {
  return (NOTIFYING_EVENT_TYPES as readonly string[]).includes(event.type);
}
