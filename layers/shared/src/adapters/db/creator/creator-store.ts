/** Creators (`creator.creators`), looked up by wallet address. */
import type { creators } from '../../../../../../drizzle/schema/creator.ts';
import type { Queryable } from '../../../ports/sql.ts';

export type CreatorRef = Pick<typeof creators.$inferSelect, 'id' | 'stageName'>;

/** The live (not deleted) creator with this wallet address, lowercase. */
export async function liveCreatorByAddress(q: Queryable, address: string): Promise<CreatorRef | undefined> {
  const [row] = await q<{ id: string; stage_name: string }[]>`
    select id, stage_name from creator.creators where wallet_address = ${address} and deleted_at is null`;
  return row === undefined ? undefined : { id: row.id, stageName: row.stage_name };
}
