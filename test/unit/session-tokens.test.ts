/**
 * The session a request presents (core/session-tokens.ts), read as each kind's authentication
 * reads it: the HTTP layer refuses a request presenting none with the same 401 before building
 * anything, so the two readings must not drift apart.
 */
import { describe, expect, it } from 'vitest';
import {
  noSession,
  presentedSession,
  requirePresentedSession,
} from '../../layers/shared/src/core/session-tokens.ts';
import { UnauthorizedError } from '../../layers/shared/src/errors.ts';

describe('presentedSession', () => {
  it('reads a bearer token in any case of the scheme, for both kinds', () => {
    for (const kind of ['viewer', 'market'] as const) {
      expect(presentedSession(kind, 'Bearer abc')).toBe('abc');
      expect(presentedSession(kind, 'bearer   abc')).toBe('abc');
      expect(presentedSession(kind, undefined)).toBeUndefined();
      expect(presentedSession(kind, 'Basic abc')).toBeUndefined();
      expect(presentedSession(kind, 'Bearer ')).toBeUndefined();
      expect(presentedSession(kind, 'Bearer a b')).toBeUndefined();
    }
  });

  it('lets a market token be followed by spaces, as market sign-in always has, and not a viewer session', () => {
    expect(presentedSession('market', 'Bearer abc  ')).toBe('abc');
    expect(presentedSession('viewer', 'Bearer abc  ')).toBeUndefined();
  });
});

describe('requirePresentedSession', () => {
  it('answers the token, or the 401 its kind of route answers a request without one', () => {
    expect(requirePresentedSession('market', 'Bearer tok')).toBe('tok');
    for (const kind of ['viewer', 'market'] as const) {
      let refused: unknown;
      try {
        requirePresentedSession(kind, undefined);
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(UnauthorizedError);
      expect((refused as UnauthorizedError).message).toBe(noSession(kind).message);
    }
    expect(noSession('viewer').message).toMatch(/^sign in with Twitch first/);
    expect(noSession('market').message).toMatch(/^this route acts for a market user/);
  });
});
