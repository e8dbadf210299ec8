/**
 * Token market settings, parsed once with zod like config.ts (kept apart so the market services
 * can be configured without touching the platform's variables; the lead may fold them in).
 * A malformed value fails with the variable's name.
 */
import { z } from 'zod';
import type { EmissionConfig } from './core/market/emission.ts';
import { ConfigError } from './errors.ts';

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x-prefixed 20-byte address')
  .transform((value) => value.toLowerCase());

export const marketConfigVariables = {
  MARKET_CHAIN_ID: z.coerce.number().int().positive().default(31337),
  MARKET_FACTORY_ADDRESS: address.optional(),
  MARKET_FACTORY_START_BLOCK: z.coerce.number().int().nonnegative().default(0),
  /** The token prices are quoted in; pools pairing it list the other token. */
  MARKET_QUOTE_TOKEN: address.optional(),
  MARKET_CONFIRMATIONS: z.coerce.number().int().nonnegative().default(2),
  /**
   * The token taken as FIL (wrapped FIL) in the market's pools: a creator coin paired with it is
   * priced for the revenue's market-cap term. Unset: no coin is priced and the term is 0.
   */
  CREATOR_COIN_QUOTE_TOKEN: address.optional(),
  /** The credential reward token minted by the token generator. */
  MARKET_REWARD_TOKEN: address.optional(),
  AIR_API_URL: z.string().url().optional(),
  /** Secrets Manager secret holding the AIR API key (production); AIR_API_KEY locally. */
  AIR_API_KEY_SECRET_ARN: z.string().min(1).optional(),
  AIR_API_KEY: z.string().min(1).optional(),
  /** Base units per second at multiplier 1.0 (1e15 = 0.001 token/s with 18 decimals). */
  EMISSION_BASE_RATE_PER_SECOND: z.coerce.bigint().nonnegative().default(1_000_000_000_000_000n),
  /** JSON: tier → multiplier in basis points. */
  EMISSION_TIER_MULTIPLIERS_BPS: z
    .string()
    .default('{"bronze":10000,"silver":15000,"gold":20000,"platinum":30000}')
    .transform((text, ctx) => {
      const parsed = z.record(z.number().int().nonnegative()).safeParse(safeJson(text));
      if (!parsed.success) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: 'expected a JSON object of tier → basis points',
        });
        return z.NEVER;
      }
      return Object.fromEntries(Object.entries(parsed.data).map(([tier, bps]) => [tier.toLowerCase(), bps]));
    }),
  EMISSION_DEFAULT_MULTIPLIER_BPS: z.coerce.number().int().nonnegative().default(10_000),
  /** Claimable base units at which the scheduled job mints without a claim request. */
  EMISSION_AUTO_MINT_MINIMUM: z.coerce.bigint().positive().optional(),
  /**
   * The least a holder's claim may mint (each mint costs the oracle signer gas): by default the
   * auto-mint minimum, or one whole token of 18 decimals where that is unset.
   */
  EMISSION_CLAIM_MINIMUM: z.coerce.bigint().positive().optional(),
  /** Seconds after a claim of a credential before the next claim of it is taken. */
  EMISSION_CLAIM_COOLDOWN_SECONDS: z.coerce.number().int().nonnegative().default(3600),

  /**
   * Sign-In with Ethereum (EIP-4361): the domain (RFC 3986 authority, e.g. `app.example.org`) and
   * URI of the site users sign in from, and the chain their accounts are on (default
   * MARKET_CHAIN_ID). A message naming another domain, URI or chain is refused, so a signature
   * a phishing site collected for itself never opens a session here.
   */
  MARKET_SIWE_DOMAIN: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'expected a host, optionally with a port (app.example.org)')
    .optional(),
  MARKET_SIWE_URI: z.string().url().optional(),
  MARKET_SIWE_CHAIN_ID: z.coerce.number().int().positive().optional(),
  /** How long a session obtained by signing in lasts. */
  MARKET_SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
  /** Sign-in nonces issued and not yet used, per caller IP address (each expires after 10 minutes). */
  MARKET_SIGN_IN_NONCES_PER_IP: z.coerce.number().int().positive().default(20),

  /** Active notification subscriptions one user may hold. */
  NOTIFICATIONS_MAX_SUBSCRIPTIONS_PER_USER: z.coerce.number().int().positive().default(20),
  /** Subscriptions one caller IP address may create a day (across every user it signs in as). */
  NOTIFICATIONS_MAX_SUBSCRIPTIONS_PER_IP_PER_DAY: z.coerce.number().int().positive().default(100),
  /** Email links and SMS codes sent to confirm contacts, per user and per caller IP address, a day. */
  NOTIFICATIONS_VERIFICATIONS_PER_USER_PER_DAY: z.coerce.number().int().positive().default(5),
  NOTIFICATIONS_VERIFICATIONS_PER_IP_PER_DAY: z.coerce.number().int().positive().default(20),
  /**
   * The page an email's confirmation link opens (`?token=` is appended); by default the API's own
   * `GET /api/notifications/verify/email` on the domain the request came in on.
   */
  NOTIFICATIONS_VERIFY_EMAIL_URL: z.string().url().optional(),
} as const;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

type Variables = typeof marketConfigVariables;
export type MarketConfigName = keyof Variables;
export type MarketConfig = { readonly [K in keyof Variables]: z.output<Variables[K]> };

export interface LoadMarketConfigOptions {
  /** Settings this function cannot run without in production (ORACLE_MODE=production). */
  readonly require?: readonly (keyof Variables)[];
}

export function loadMarketConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: LoadMarketConfigOptions = {},
): MarketConfig {
  const problems: string[] = [];
  if (env['ORACLE_MODE'] === 'production') {
    for (const name of options.require ?? []) {
      if (env[name] === undefined || env[name] === '')
        problems.push(`${name}: required in production, but not set`);
    }
  }
  const parsed: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(marketConfigVariables) as [string, z.ZodTypeAny][]) {
    const raw = env[name];
    const result = schema.safeParse(raw === '' ? undefined : raw);
    if (result.success) parsed[name] = result.data;
    else problems.push(`${name}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  }
  if (problems.length > 0) throw new ConfigError(`invalid market configuration: ${problems.join('; ')}`);
  return parsed as MarketConfig;
}

export function emissionConfig(config: MarketConfig): EmissionConfig {
  return {
    baseRatePerSecond: config.EMISSION_BASE_RATE_PER_SECOND,
    tierMultiplierBps: config.EMISSION_TIER_MULTIPLIERS_BPS,
    defaultMultiplierBps: config.EMISSION_DEFAULT_MULTIPLIER_BPS,
  };
}

/** One whole token of 18 decimals: the claim minimum where neither minimum is configured. */
const ONE_TOKEN = 10n ** 18n;

/** What a holder's own claim must reach, and how long a credential rests after one. */
export function claimLimits(config: MarketConfig): { minimum: bigint; cooldownSeconds: number } {
  return {
    minimum: config.EMISSION_CLAIM_MINIMUM ?? config.EMISSION_AUTO_MINT_MINIMUM ?? ONE_TOKEN,
    cooldownSeconds: config.EMISSION_CLAIM_COOLDOWN_SECONDS,
  };
}
