/**
 * Loads the demo catalogue of creator-demo-plan.ts into the database: every table with COPY in
 * one transaction, once per seed (a seed already loaded writes nothing).
 */
import { copyRows } from '../layers/shared/src/adapters/db/copy-rows.ts';
import type { Sql } from '../layers/shared/src/ports/sql.ts';
import { type DemoCreatorPlan, type DemoSeedOptions, planCreatorDemo } from './creator-demo-plan.ts';

export type { DemoCreatorPlan, DemoSeedOptions } from './creator-demo-plan.ts';

export interface DemoSeedResult {
  readonly creators: number;
  readonly users: number;
  readonly tracks: number;
  readonly playRows: number;
  readonly totalPlays: number;
  readonly follows: number;
  readonly likes: number;
  readonly comments: number;
  readonly purchases: number;
  readonly tips: number;
  readonly rows: number;
  readonly durationMs: number;
  /** True when this seed was already loaded: nothing was written. */
  readonly alreadySeeded: boolean;
}

export async function seedCreatorDemo(
  sql: Sql,
  options: DemoSeedOptions,
): Promise<DemoSeedResult & { plans: DemoCreatorPlan[] }> {
  if (!Number.isSafeInteger(options.creators) || options.creators < 1) {
    throw new RangeError(`creators must be a positive integer, got ${options.creators}`);
  }
  const started = performance.now();
  const { plans, tables, totalPlays } = planCreatorDemo(options);
  const first = plans[0]!;
  const [existing] = await sql<{ n: number }[]>`
    select count(*)::int as n from creator.creators where id = ${first.id} or wallet_address = ${first.walletAddress}`;
  const counts = {
    creators: plans.length,
    users: tables.users.length,
    tracks: tables.tracks.length,
    playRows: tables.plays.length,
    totalPlays,
    follows: tables.follows.length,
    likes: tables.likes.length,
    comments: tables.comments.length,
    purchases: tables.purchases.length,
    tips: tables.tips.length,
  };
  const rows = Object.values(tables).reduce((n, lines: string[]) => n + lines.length, 0);
  if ((existing?.n ?? 0) > 0) {
    return { ...counts, rows: 0, durationMs: performance.now() - started, alreadySeeded: true, plans };
  }
  await sql.begin(async (tx) => {
    await copyRows(
      tx,
      'creator.users',
      ['id', 'username', 'email', 'wallet_address', 'created_at'],
      tables.users,
    );
    await copyRows(
      tx,
      'creator.creators',
      ['id', 'user_id', 'wallet_address', 'stage_name', 'verified', 'created_at'],
      tables.creators,
    );
    await copyRows(
      tx,
      'creator.tracks',
      [
        'id',
        'creator_id',
        'title',
        'filecoin_cid',
        'duration_seconds',
        'price_atto_fil',
        'published_at',
        'created_at',
      ],
      tables.tracks,
    );
    await copyRows(
      tx,
      'creator.plays',
      ['track_id', 'creator_id', 'user_id', 'played_at', 'play_count', 'listened_seconds'],
      tables.plays,
    );
    await copyRows(
      tx,
      'creator.follows',
      ['follower_id', 'creator_id', 'created_at', 'deleted_at'],
      tables.follows,
    );
    await copyRows(tx, 'creator.likes', ['user_id', 'track_id', 'created_at', 'deleted_at'], tables.likes);
    await copyRows(
      tx,
      'creator.comments',
      ['id', 'user_id', 'track_id', 'body', 'created_at', 'deleted_at'],
      tables.comments,
    );
    await copyRows(
      tx,
      'creator.track_purchases',
      ['id', 'track_id', 'creator_id', 'buyer_id', 'amount_atto_fil', 'purchased_at'],
      tables.purchases,
    );
    await copyRows(
      tx,
      'creator.tips',
      ['id', 'creator_id', 'from_user_id', 'amount_atto_fil', 'created_at'],
      tables.tips,
    );
  });
  return { ...counts, rows, durationMs: performance.now() - started, alreadySeeded: false, plans };
}
