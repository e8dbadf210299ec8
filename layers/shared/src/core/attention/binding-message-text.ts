/**
 * The binding message's text (its format is described in binding-message.ts): apart from its
 * checks, so the claims page builds the same bytes in the browser.
 */
export const BINDING_MESSAGE_TITLE = 'engagement-oracle wallet binding';

export interface BindingMessageFields {
  readonly stage: string;
  readonly apiOrigin: string;
  readonly twitchUserId: string;
  readonly username: string;
  readonly wallet: string;
  readonly nonce: string;
  /** ISO-8601 UTC as `toISOString()` writes it. */
  readonly expiresAt: string;
}

export function canonicalBindingMessage(fields: BindingMessageFields): string {
  return [
    BINDING_MESSAGE_TITLE,
    `stage: ${fields.stage}`,
    `api: ${fields.apiOrigin}`,
    `twitch user id: ${fields.twitchUserId}`,
    `username: ${fields.username.toLowerCase()}`,
    `wallet: ${fields.wallet}`,
    `nonce: ${fields.nonce}`,
    `expires: ${fields.expiresAt}`,
  ].join('\n');
}
