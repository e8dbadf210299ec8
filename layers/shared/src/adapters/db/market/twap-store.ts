/** TWAPs the price oracle computed (`market.twap_calculations`), one per pool, token, window and end. */
import type { twapCalculations } from '../../../../../../drizzle/schema/market.ts';
import type { Queryable } from '../../../ports/sql.ts';

export type TwapCalculation = Omit<typeof twapCalculations.$inferInsert, 'computedAt'>;

/** Records a TWAP; one computed before for the same key is kept. */
export async function insertTwap(q: Queryable, twap: TwapCalculation): Promise<void> {
  await q`
    insert into market.twap_calculations
      (chain_id, pool_address, token_address, window_seconds, start_timestamp, end_timestamp, twap_x112, twap)
    values (${twap.chainId}, ${twap.poolAddress}, ${twap.tokenAddress}, ${twap.windowSeconds}, ${twap.startTimestamp},
            ${twap.endTimestamp}, ${twap.twapX112}, ${twap.twap})
    on conflict do nothing`;
}
