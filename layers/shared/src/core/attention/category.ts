export const CATEGORIES = ['crypto', 'music', 'science', 'makers', 'default'] as const;
export type Category = (typeof CATEGORIES)[number];

export const TOKEN_GROUPS = ['MILO', 'CLS', 'OTHER'] as const;
export type TokenGroup = (typeof TOKEN_GROUPS)[number];

/**
 * Twitch game (Helix `game_name`, compared case-insensitively) → our category. The source
 * names the five categories but not the games behind them; these are the Twitch directory
 * categories whose names say the same thing. A game not listed is `default`.
 */
const CATEGORY_BY_GAME: ReadonlyMap<string, Category> = new Map([
  ['crypto', 'crypto'],
  ['music', 'music'],
  ['djs', 'music'],
  ['science & technology', 'science'],
  ['software and game development', 'science'],
  ['makers & crafting', 'makers'],
]);

export function categoryForGame(gameName: string | undefined): Category {
  if (gameName === undefined) return 'default';
  return CATEGORY_BY_GAME.get(gameName.trim().toLowerCase()) ?? 'default';
}
