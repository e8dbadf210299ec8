/**
 * A built tree's root and dump (attention.merkle_trees) and the roots it gives the publisher
 * (attention.publications, status pending).
 */
import type { merkleTrees, publications } from '../../../../../../drizzle/schema/attention.ts';
import type { Queryable } from '../../../ports/sql.ts';

/**
 * A tree to store; `dump` is ClaimTree's dump as JSON text in parts, stored as written: the
 * database joins the parts, so no process holds the whole text as one string.
 */
export type TreeDump = Omit<typeof merkleTrees.$inferInsert, 'dump' | 'builtAt' | 'buildMs'> & {
  readonly dump: readonly string[];
  readonly buildMs: number;
};

export type PendingRoot = Pick<
  typeof publications.$inferInsert,
  'epoch' | 'channel' | 'tokenGroup' | 'mint' | 'mode' | 'root'
>;

export async function insertTreeDump(q: Queryable, t: TreeDump): Promise<void> {
  const [first = '', ...rest] = t.dump;
  const text = rest.reduce((joined, part) => q`${joined} || ${part}::text`, q`${first}::text`);
  await q`
    insert into attention.merkle_trees
      (epoch, channel, kind, token_group, format, root, leaf_count, total_amount, dump, build_ms)
    values (${t.epoch}, ${t.channel}, ${t.kind}, ${t.tokenGroup}, ${t.format}, ${t.root},
      ${t.leafCount}, ${t.totalAmount.toString()}, (${text})::json, ${t.buildMs})`;
}

/** Roots for the publisher to send; a root already there for the (epoch, channel) stays. */
export async function insertPendingRoots(q: Queryable, roots: readonly PendingRoot[]): Promise<void> {
  if (roots.length === 0) return;
  const rows = roots.map((r) => ({
    epoch: r.epoch,
    channel: r.channel,
    token_group: r.tokenGroup,
    mint: r.mint ?? null,
    mode: r.mode,
    root: r.root,
    status: 'pending',
  }));
  await q`insert into attention.publications ${q(rows)} on conflict (epoch, channel) do nothing`;
}
