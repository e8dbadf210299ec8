/**
 * The sealing benchmarks' peer: one bare INSERT … SELECT of an epoch's participation rows, with
 * positions and amounts, into sealed_participants (under another epoch id, so the rows do not
 * collide), then removed again: the floor any sealing has to pay. Returns its milliseconds.
 */
import type postgres from 'postgres';

export async function bareSealInsert(sql: postgres.Sql, epoch: number): Promise<number> {
  const bareEpoch = epoch + 1_000_000 * 3600;
  const started = performance.now();
  await sql`
    insert into attention.sealed_participants (epoch, channel, position, user_hash, first_seen, weight, amount)
    select ${bareEpoch}, channel,
      (row_number() over (partition by channel order by first_seen, user_hash collate "C") - 1)::int,
      user_hash, first_seen, weight, weight * 10000000
    from attention.channel_participation where epoch = ${epoch}`;
  const ms = performance.now() - started;
  await sql`delete from attention.sealed_participants where epoch = ${bareEpoch}`;
  await sql`vacuum analyze attention.sealed_participants`;
  return ms;
}
