/**
 * A call whose effect was compensated elsewhere (a mint that failed for good, refunded into the
 * holder's balance) is abandoned: terminal, never retried, redriven or sent again (DESIGN.md,
 * "Oracle call delivery"). The compensating side abandons it inside its own transaction, so an
 * operator's retry can never land between the compensation and the end of the call: either the
 * retry reopened the call first (nothing is compensated) or the retry finds it abandoned.
 */
import { abandonEndedCall } from '../../adapters/db/delivery/oracle-call-operator-store.ts';
import type { Queryable } from '../../ports/sql.ts';

/**
 * Abandons the call with this request id if it failed for good (or was superseded), recording
 * why. False when it is in any other state: reopened, still open, or it succeeded after all.
 */
export function abandonCompensatedCall(
  within: Queryable,
  requestId: string,
  reason: string,
): Promise<boolean> {
  return abandonEndedCall(within, requestId, reason);
}
