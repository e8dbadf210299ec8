/**
 * Wallet binding's decisions without I/O (DESIGN.md, "Wallet binding"): what anyone may learn of
 * a binding, why a binding a new one ends is ended, and when a rebinding is authorized.
 */

import { UnauthorizedError } from '../../errors.ts';
import type { BindingEndReason } from '../events/domain-events.ts';

/**
 * What anyone may learn about a binding: what a claimer needs. Never the username, which would
 * turn the user_hash published on chain back into a Twitch login.
 */
export interface ClaimerWallet {
  readonly userHash: string;
  readonly wallet: string;
  readonly boundAt: string;
}

/** A binding a new one ends: the user's own (same Twitch user id) or another of the login. */
export interface EndedBinding {
  readonly userHash: string;
  readonly twitchUserId: string | null;
}

/**
 * Why `ended` ends when `userHash` binds: the user's own binding is rebound (same login) or its
 * login changed; another binding of the login was made before sign-in existed or by another
 * Twitch account that used the login.
 */
export function bindingEndReason(ended: EndedBinding, isOwn: boolean, userHash: string): BindingEndReason {
  if (isOwn) return ended.userHash === userHash ? 'rebound' : 'login-changed';
  return ended.twitchUserId === null ? 'legacy-replaced' : 'login-reused';
}

/** A rebinding needs a Twitch authorization made after the current binding: a session binds once. */
export function assertRebindingAuthorized(currentBoundAt: Date, authorizedAt: Date): void {
  if (authorizedAt.getTime() <= currentBoundAt.getTime()) {
    throw new UnauthorizedError(
      `a rebinding needs a Twitch authorization made after the current binding (bound ${currentBoundAt.toISOString()}, this session authorized ${authorizedAt.toISOString()}): sign in with Twitch again`,
    );
  }
}
