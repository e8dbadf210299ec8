/**
 * What sealing and tree building read from the configuration, checked once: a claim-v2 tree
 * or a capacity above the v1 bitmap cannot be verified by the deployed v1 program, so with that
 * program configured for publishing they are refused at start (DESIGN.md section 5).
 */
import type { Config } from '../../config.ts';
import { DEFAULT_MAX_SHARDS } from '../../core/attention/trees.ts';
import type { LeafFormat } from '../../core/merkle/index.ts';
import { ConfigError } from '../../errors.ts';

/** The deployed program (layout v1): 1,024 claims, a 128-byte bitmap, claim-v1 leaves. */
export const V1_PROGRAM_ID = 'GnGzNdsQMxMpJfMeqnkGPsvHm8kwaDidiKjNU2dCVZop';
export const V1_CAPACITY = 1024;

export interface AttentionSettings {
  readonly baseUnitsPerWeight: bigint;
  /** Category trees' own units per weight; 0 means computed and served, not published. */
  readonly categoryBaseUnitsPerWeight: bigint;
  readonly format: LeafFormat;
  readonly capacity: number;
  /**
   * Token group → shard trees per channel (and per category tree); a group not named has
   * DEFAULT_MAX_SHARDS. Each shard is one more account and one more publication an hour.
   */
  readonly maxShards: Readonly<Record<string, number>>;
  /** Base58; in claim-v2 leaves. */
  readonly programId: string;
  readonly publishMode: 'memo' | 'program';
  /** Token group → mint; a group without a mint is sealed and served but not published (program mode). */
  readonly mints: Readonly<Record<string, { readonly mint: string }>>;
  /** Time budget of a channel tree build. @default 60 s (the source's) */
  readonly channelBudgetMs: number;
  /** Time budget of a category or carry tree build. @default 120 s */
  readonly pooledBudgetMs: number;
}

export function attentionSettings(
  config: Config,
  overrides: Partial<AttentionSettings> = {},
): AttentionSettings {
  const settings: AttentionSettings = {
    baseUnitsPerWeight: config.BASE_UNITS_PER_WEIGHT,
    categoryBaseUnitsPerWeight: config.CATEGORY_BASE_UNITS_PER_WEIGHT,
    format: config.TREE_FORMAT,
    capacity: config.TREE_CAPACITY,
    maxShards: config.TOKEN_GROUP_MAX_SHARDS,
    programId: config.ATTENTION_PROGRAM_ID,
    publishMode: config.PUBLISH_MODE,
    mints: config.TOKEN_GROUP_MINTS,
    channelBudgetMs: 60_000,
    pooledBudgetMs: 120_000,
    ...overrides,
  };
  checkSettings(settings);
  return settings;
}

export function checkSettings(settings: AttentionSettings): void {
  const v1Program = settings.publishMode === 'program' && settings.programId === V1_PROGRAM_ID;
  if (v1Program && settings.format !== 'claim-v1') {
    throw new ConfigError(
      `TREE_FORMAT ${settings.format} cannot be verified by the v1 program ${V1_PROGRAM_ID}: use claim-v1, or a program with its own verifier`,
    );
  }
  if (v1Program && settings.capacity > V1_CAPACITY) {
    throw new ConfigError(
      `TREE_CAPACITY ${settings.capacity} exceeds the v1 program's ${V1_CAPACITY} claims per root (128-byte bitmap)`,
    );
  }
}

/** Shard trees a channel or category tree of `tokenGroup` may fill before overflow. */
export function maxShardsOf(settings: Pick<AttentionSettings, 'maxShards'>, tokenGroup: string): number {
  return settings.maxShards[tokenGroup] ?? DEFAULT_MAX_SHARDS;
}

/** Whether a tree of this group, with these contents, has a root to publish. */
export function isPublishable(
  settings: AttentionSettings,
  tree: {
    readonly kind: 'channel' | 'category' | 'carry';
    readonly tokenGroup: string;
    readonly leafCount: number;
    readonly totalAmount: bigint;
  },
): boolean {
  if (tree.leafCount === 0 || tree.totalAmount === 0n) return false;
  if (tree.kind === 'category' && settings.categoryBaseUnitsPerWeight === 0n) return false;
  return settings.publishMode === 'memo' || settings.mints[tree.tokenGroup] !== undefined;
}

/** Whether any root of this group can be published at all (carry trees are built only then). */
export function groupPublishes(settings: AttentionSettings, tokenGroup: string): boolean {
  return settings.publishMode === 'memo' || settings.mints[tokenGroup] !== undefined;
}
