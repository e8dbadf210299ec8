/**
 * DESIGN.md section 2: an ingest key or admin token removed from its secret stops working within
 * 60 s. The 60 s are spent in three caches, bounded here so that the infrastructure (API
 * Gateway's authorizer cache, lib/stacks/api-stack.ts) and the code (KeyRing, the secret store)
 * cannot drift apart; a test checks that they add up.
 */

/** A removed key or token stops working within this many seconds. */
export const KEY_CHANGE_DEADLINE_SECONDS = 60;
/** How long API Gateway keeps an authorizer's answer per credential. */
export const AUTHORIZER_CACHE_SECONDS = 30;
/** How long a KeyRing uses the keys it read before it reads the secret again. */
export const KEY_RING_MAX_AGE_MS = 20_000;
/** How long the secret store a KeyRing reads from may give out a value it read before. */
export const SECRET_STORE_MAX_AGE_MS = 10_000;
