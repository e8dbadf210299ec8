/** The named queries of the suppression list: viewers who opted out (services/attention/suppression.ts). */

import type { Queryable } from '../../../ports/sql.ts';

export async function isSuppressed(q: Queryable, userHash: string): Promise<boolean> {
  const [suppressed] = await q`select 1 from attention.suppression_list where user_hash = ${userHash}`;
  return suppressed !== undefined;
}
