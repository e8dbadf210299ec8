import { describe, expect, it } from 'vitest';
import {
  assertRebindingAuthorized,
  bindingEndReason,
} from '../../../layers/shared/src/core/attention/wallet-bindings.ts';
import { UnauthorizedError } from '../../../layers/shared/src/errors.ts';

const HASH = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);

describe('bindingEndReason', () => {
  it('calls the user’s own binding rebound under the same login and login-changed under another', () => {
    expect(bindingEndReason({ userHash: HASH, twitchUserId: '42' }, true, HASH)).toBe('rebound');
    expect(bindingEndReason({ userHash: OTHER, twitchUserId: '42' }, true, HASH)).toBe('login-changed');
  });

  it('calls another binding of the login legacy-replaced without a Twitch user id and login-reused with one', () => {
    expect(bindingEndReason({ userHash: HASH, twitchUserId: null }, false, HASH)).toBe('legacy-replaced');
    expect(bindingEndReason({ userHash: HASH, twitchUserId: '7' }, false, HASH)).toBe('login-reused');
  });
});

describe('assertRebindingAuthorized', () => {
  const boundAt = new Date('2026-01-01T10:00:00Z');

  it('takes an authorization made after the current binding', () => {
    expect(() => assertRebindingAuthorized(boundAt, new Date(boundAt.getTime() + 1))).not.toThrow();
  });

  it('refuses one made at or before it, naming both times', () => {
    expect(() => assertRebindingAuthorized(boundAt, boundAt)).toThrow(UnauthorizedError);
    expect(() => assertRebindingAuthorized(boundAt, new Date('2026-01-01T09:00:00Z'))).toThrow(
      /bound 2026-01-01T10:00:00.000Z, this session authorized 2026-01-01T09:00:00.000Z/,
    );
  });
});
