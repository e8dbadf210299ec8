/**
 * How many tokens one price stream connection may follow. Every subscription is an item in the
 * connection table (on AWS) or an entry in the hub's maps (locally) and a target of every price
 * update of its token, so a connection that could subscribe without bound could grow both
 * without bound. The same cap and the same refusal apply to both transports.
 */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 100;

/** The tokens of `requested` the connection does not hold yet, each once, in request order. */
export function newTokens(held: ReadonlySet<string>, requested: readonly string[]): string[] {
  return [...new Set(requested)].filter((token) => !held.has(token));
}

/** What a client reads when a subscribe request would pass the cap (nothing of it was added). */
export function subscriptionCapMessage(
  held: number,
  adding: number,
  cap = MAX_SUBSCRIPTIONS_PER_CONNECTION,
): string {
  return (
    `tokens: this connection follows ${held} tokens and asked for ${adding} more, ` +
    `but holds at most ${cap} subscriptions per connection; unsubscribe from some first`
  );
}
