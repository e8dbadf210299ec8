/**
 * Creator coin launch: the thresholds (`creator-metrics-oracle.md`: 50K plays and 5K followers,
 * the defaults of `COIN_LAUNCH_MIN_PLAYS` / `COIN_LAUNCH_MIN_FOLLOWERS`) and the coin's name and
 * symbol, derived from the stage name.
 *
 * Naming rules: a symbol is 3–8 characters of A–Z0–9, a name at most 32 characters; both are
 * unique among launched coins (names compared case-insensitively). A collision is resolved with
 * the smallest suffix k = 2, 3, … for which both the name and the symbol are free, so the
 * outcome depends only on the stage name, the address and what is already taken.
 */
export const COIN_LAUNCH_MIN_PLAYS = 50_000;
export const COIN_LAUNCH_MIN_FOLLOWERS = 5_000;
/** 1,000,000 coins with 18 decimals. */
export const DEFAULT_COIN_INITIAL_SUPPLY = 1_000_000n * 10n ** 18n;

export const COIN_NAME_MAX_LENGTH = 32;
export const COIN_SYMBOL_MIN_LENGTH = 3;
export const COIN_SYMBOL_MAX_LENGTH = 8;

const SYMBOL_PATTERN = /^[A-Z0-9]{3,8}$/;
const NAME_SUFFIX = ' Coin';

export interface CoinLaunchThresholds {
  readonly minPlays: number;
  readonly minFollowers: number;
}

export const DEFAULT_COIN_LAUNCH_THRESHOLDS: CoinLaunchThresholds = {
  minPlays: COIN_LAUNCH_MIN_PLAYS,
  minFollowers: COIN_LAUNCH_MIN_FOLLOWERS,
};

export function meetsCoinLaunchThresholds(
  values: { totalPlays: number; followers: number },
  thresholds: CoinLaunchThresholds = DEFAULT_COIN_LAUNCH_THRESHOLDS,
): boolean {
  return values.totalPlays >= thresholds.minPlays && values.followers >= thresholds.minFollowers;
}

export function isValidCoinSymbol(symbol: string): boolean {
  return SYMBOL_PATTERN.test(symbol);
}

export function isValidCoinName(name: string): boolean {
  return name.length > 0 && name.length <= COIN_NAME_MAX_LENGTH && name === name.trim();
}

export interface CoinIdentity {
  readonly name: string;
  readonly symbol: string;
}

export interface TakenCoinIdentities {
  readonly names: Iterable<string>;
  readonly symbols: Iterable<string>;
}

/** Latin letters that Unicode decomposition does not turn into ASCII. */
const LATIN_FOLDS: Record<string, string> = {
  ø: 'o',
  Ø: 'O',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ß: 'ss',
  đ: 'd',
  Đ: 'D',
  ł: 'l',
  Ł: 'L',
  þ: 'th',
  Þ: 'Th',
};

/** Latin letters without their accents, digits, and a few name characters; the rest is a space. */
function foldStageName(stageName: string): string {
  return stageName
    .replace(/[øØæÆœŒßđĐłŁþÞ]/g, (letter) => LATIN_FOLDS[letter] ?? letter)
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^A-Za-z0-9 .'&-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function addressTag(creatorAddress: string): string {
  return creatorAddress.replace(/^0x/i, '').slice(0, 5).toUpperCase();
}

function baseSymbol(folded: string, creatorAddress: string): string {
  const letters = folded.toUpperCase().replace(/[^A-Z0-9]/g, '');
  // A stage name with no Latin letters or digits (all emoji, say) still gets a valid symbol.
  if (letters.length === 0) return `C${addressTag(creatorAddress)}`;
  return letters.slice(0, COIN_SYMBOL_MAX_LENGTH).padEnd(COIN_SYMBOL_MIN_LENGTH, 'X');
}

function baseName(folded: string, creatorAddress: string): string {
  return folded.replace(/[^A-Za-z0-9]/g, '').length === 0 ? `Creator ${addressTag(creatorAddress)}` : folded;
}

function symbolWithSuffix(base: string, k: number): string {
  if (k === 1) return base;
  const suffix = String(k);
  return base.slice(0, COIN_SYMBOL_MAX_LENGTH - suffix.length) + suffix;
}

function nameWithSuffix(base: string, k: number): string {
  const tail = (k === 1 ? '' : ` ${k}`) + NAME_SUFFIX;
  return base.slice(0, COIN_NAME_MAX_LENGTH - tail.length).trim() + tail;
}

/**
 * The coin name and symbol for a creator: "<Stage Name> Coin" and the first eight letters or
 * digits of the stage name, upper-cased (padded with X to three).
 */
export function deriveCoinIdentity(
  stageName: string,
  creatorAddress: string,
  taken: TakenCoinIdentities,
): CoinIdentity {
  const names = new Set([...taken.names].map((name) => name.toLowerCase()));
  const symbols = new Set([...taken.symbols].map((symbol) => symbol.toUpperCase()));
  const folded = foldStageName(stageName);
  const symbolBase = baseSymbol(folded, creatorAddress);
  const nameBase = baseName(folded, creatorAddress);
  for (let k = 1; ; k++) {
    const symbol = symbolWithSuffix(symbolBase, k);
    const name = nameWithSuffix(nameBase, k);
    if (!symbols.has(symbol) && !names.has(name.toLowerCase())) return { name, symbol };
  }
}

/**
 * Identities for several creators launched together: assigned in the given order, each one
 * taking into account those assigned before it.
 */
export function assignCoinIdentities(
  creators: readonly { readonly stageName: string; readonly address: string }[],
  taken: TakenCoinIdentities,
): CoinIdentity[] {
  const names = [...taken.names];
  const symbols = [...taken.symbols];
  return creators.map((creator) => {
    const identity = deriveCoinIdentity(creator.stageName, creator.address, { names, symbols });
    names.push(identity.name);
    symbols.push(identity.symbol);
    return identity;
  });
}
