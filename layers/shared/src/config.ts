/**
 * The environment, parsed once with zod. Every variable is optional in local mode, where the
 * local runtime supplies endpoints it started itself; in production each function names the
 * settings it needs (`loadConfig(env, { require: [...] })` at module load), so a missing or
 * malformed variable fails the cold start with its name and what was expected.
 */
import { z } from 'zod';
import type { CoinLaunchThresholds } from './core/creator/coin-launch.ts';
import { ATTO_PER_FIL, type Milestone, milestoneTable } from './core/creator/milestones.ts';
import { maxAttemptsFor } from './core/delivery/retry-schedule.ts';
import { ConfigError } from './errors.ts';

const url = z.string().url();
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().nonnegative();

/** A whole FIL amount or one with up to 18 decimals, as attoFIL. */
const FIL_AMOUNT = /^(\d{1,12})(?:\.(\d{1,18}))?$/;
function filToAtto(text: string): bigint | undefined {
  const match = FIL_AMOUNT.exec(text.trim());
  if (match === null) return undefined;
  return BigInt(match[1] ?? '0') * ATTO_PER_FIL + BigInt((match[2] ?? '').padEnd(18, '0'));
}

/**
 * A comma-separated list of positive thresholds (`none` for an empty list), parsed by `parse`
 * into distinct values, ascending.
 */
function thresholdList(defaultText: string, what: string, parse: (item: string) => bigint | undefined) {
  return z
    .string()
    .default(defaultText)
    .transform((text, ctx) => {
      if (text.trim().toLowerCase() === 'none') return [] as bigint[];
      const values: bigint[] = [];
      for (const item of text.split(',')) {
        const value = parse(item.trim());
        if (value === undefined || value <= 0n) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            message: `expected a comma-separated list of ${what} (or none), and ${JSON.stringify(item.trim())} is not one`,
          });
          return z.NEVER;
        }
        values.push(value);
      }
      return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    });
}
const wholeCount = (item: string) => (/^\d{1,15}$/.test(item) ? BigInt(item) : undefined);
const evmAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be 0x followed by 40 hex characters');

/** scheme://host[:port], written as URL.origin writes it. */
const origin = url
  .refine((text) => {
    const parsed = new URL(text);
    return parsed.pathname === '/' && parsed.search === '' && parsed.hash === '';
  }, 'must be an origin (scheme://host[:port]) with no path, query or fragment')
  .transform((text) => new URL(text).origin);

/** Comma-separated absolute URLs. */
const urlList = z
  .string()
  .default('')
  .transform((text) =>
    text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  )
  .pipe(z.array(url));

/** A variable holding a JSON object (`{}` when unset), checked by `schema`. */
function jsonObject<S extends z.ZodTypeAny>(schema: S, expected: string) {
  return z
    .string()
    .default('{}')
    .transform((text, ctx): z.output<S> => {
      try {
        return schema.parse(JSON.parse(text));
      } catch (error) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `expected a JSON object of ${expected}: ${String(error)}`,
        });
        return z.NEVER;
      }
    });
}

/** Variable name → schema. The README's configuration table lists the same names. */
export const configVariables = {
  ORACLE_MODE: z.enum(['local', 'production']).default('local'),
  STAGE: z.string().min(1).default('local'),
  /**
   * Where this deployment's HTTP API is reached (on AWS the HTTP API's endpoint, or its custom
   * domain). Wallet binding messages name it with the stage, so a signature made for one
   * deployment is refused by another.
   */
  API_ORIGIN: origin.optional(),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('INFO'),
  AWS_REGION: z.string().min(1).default('us-east-1'),

  DATABASE_URL: url.optional(),
  /** On AWS: the RDS Proxy endpoint and the generated credentials secret, instead of DATABASE_URL. */
  DB_SECRET_ARN: z.string().min(1).optional(),
  /**
   * On AWS behind RDS Proxy: the function's own database role, which logs in with an IAM auth
   * token (end-to-end IAM authentication) instead of the secret. Wins over DB_SECRET_ARN.
   */
  DB_USER: z.string().min(1).optional(),
  DB_HOST: z.string().min(1).optional(),
  /** RDS Proxy's read-only endpoint, for functions that only read (lib/functions.ts `databaseReader`). */
  DB_READER_HOST: z.string().min(1).optional(),
  DB_PORT: positiveInt.default(5432),
  DB_NAME: z.string().min(1).default('oracle'),
  /** DB_HOST is RDS Proxy (functions, the IRC worker), not the cluster itself (Migrate). */
  DB_VIA_PROXY: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /**
   * PEM file of the CA that signs the database's certificate; unset, Node's own trust store
   * (which holds the Amazon Root CA that RDS Proxy's certificates chain to).
   */
  DATABASE_CA_FILE: z.string().min(1).optional(),
  /** The server cancels a statement running longer than this; below the function's own timeout. */
  DATABASE_STATEMENT_TIMEOUT_MS: positiveInt.optional(),
  DATABASE_POOL_MAX: positiveInt.default(5),

  SQS_ENDPOINT: url.optional(),
  SNS_ENDPOINT: url.optional(),
  DYNAMODB_ENDPOINT: url.optional(),
  SECRETS_ENDPOINT: url.optional(),
  INGEST_QUEUE_URL: url.optional(),
  PUBLISH_QUEUE_URL: url.optional(),
  ORACLE_CALLS_QUEUE_URL: url.optional(),
  ORACLE_CALLS_DLQ_URL: url.optional(),
  NOTIFICATIONS_QUEUE_URL: url.optional(),
  ALERT_TOPIC_ARN: z.string().min(1).optional(),
  RATE_LIMIT_TABLE: z.string().min(1).optional(),
  WS_CONNECTIONS_TABLE: z.string().min(1).optional(),
  /** EventBridge bus for domain events (PriceUpdated, TokenMinted, ...); in-process when unset. */
  EVENT_BUS_NAME: z.string().min(1).optional(),
  EVENTS_ENDPOINT: url.optional(),
  SES_ENDPOINT: url.optional(),
  /** Verified SES sender of email notifications; no email channel when unset. */
  NOTIFICATIONS_EMAIL_FROM: z.string().email().optional(),
  /** Secret holding the VAPID keys of web push (`{"subject","publicKey","privateKey"}`); no push channel when unset. */
  WEB_PUSH_SECRET_ARN: z.string().min(1).optional(),
  /** The WebSocket API's management endpoint (https://{api}.execute-api.{region}.amazonaws.com/{stage}). */
  WS_CALLBACK_URL: url.optional(),
  IDEMPOTENCY_TABLE: z.string().min(1).optional(),

  EVM_RPC_URL: url.optional(),
  EVM_CHAIN_ID: positiveInt.optional(),
  EVM_SIGNER_SECRET_ARN: z.string().min(1).optional(),
  /** The oracle signer's address: what functions that only enqueue calls need (never the key). */
  EVM_SIGNER_ADDRESS: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address')
    .optional(),
  /**
   * JSON: chain id → blocks a used nonce must stay without a receipt of ours before it counts as
   * lost; merged over core/delivery/confirmation-depth.ts's defaults.
   */
  EVM_CONFIRMATION_DEPTHS: jsonObject(
    z.record(z.string().regex(/^\d+$/, 'keys are chain ids'), z.number().int().nonnegative()),
    'chain id → blocks',
  ),

  /** The creator oracle's contracts (deployed addresses in production, the reference contracts locally). */
  CREATOR_METRICS_MANAGER_ADDRESS: evmAddress.optional(),
  CREATOR_TOKEN_FACTORY_ADDRESS: evmAddress.optional(),

  SOLANA_RPC_URL: url.optional(),
  SOLANA_PUBLISHER_SECRET_ARN: z.string().min(1).optional(),
  ATTENTION_PROGRAM_ID: z.string().min(32).max(44).default('GnGzNdsQMxMpJfMeqnkGPsvHm8kwaDidiKjNU2dCVZop'),
  /**
   * memo: publish roots in Memo transactions; program: call set_channel_merkle_root. The default
   * serves local runs only: the functions that publish require it in production, so a deployment
   * never publishes memos viewers cannot claim from without having said so.
   */
  PUBLISH_MODE: z.enum(['memo', 'program']).default('memo'),
  /** JSON: token group → { mint, epochUnit: 'hours'|'seconds' }. */
  TOKEN_GROUP_MINTS: jsonObject(
    z.record(
      z.object({
        mint: z.string().min(32).max(44),
        epochUnit: z.enum(['hours', 'seconds']).default('hours'),
      }),
    ),
    'token group → { mint, epochUnit }',
  ),
  PRIORITY_FEE_MICROLAMPORTS: z.coerce.number().int().nonnegative().default(0),
  /** Token base units per whole weight unit (a presence is 1.00). */
  BASE_UNITS_PER_WEIGHT: z.coerce.bigint().nonnegative().default(1_000_000_000n),
  CATEGORY_BASE_UNITS_PER_WEIGHT: z.coerce.bigint().nonnegative().default(0n),
  TREE_FORMAT: z.enum(['claim-v1', 'claim-v2']).default('claim-v1'),
  TREE_CAPACITY: positiveInt.default(1024),
  /** JSON: token group → shard trees per channel (1–999); a group not named gets 8. */
  TOKEN_GROUP_MAX_SHARDS: jsonObject(
    z.record(z.number().int().min(1).max(999)),
    'token group → shards per channel (1–999)',
  ),

  TWITCH_HELIX_URL: url.default('https://api.twitch.tv/helix'),
  TWITCH_AUTH_URL: url.default('https://id.twitch.tv/oauth2'),
  TWITCH_IRC_HOST: z.string().min(1).default('irc.chat.twitch.tv'),
  TWITCH_IRC_PORT: positiveInt.default(6697),
  TWITCH_IRC_TLS: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  TWITCH_SECRET_ARN: z.string().min(1).optional(),
  /**
   * Where Twitch may send a viewer back after sign-in (each registered for the Twitch app); the
   * first is the default of GET /auth/twitch/authorize.
   */
  TWITCH_REDIRECT_URIS: urlList,
  /** How long a viewer session opened by a Twitch sign-in lasts. */
  VIEWER_SESSION_TTL_SECONDS: positiveInt.max(86_400).default(1800),
  INGEST_API_KEYS_SECRET_ARN: z.string().min(1).optional(),
  ADMIN_TOKENS_SECRET_ARN: z.string().min(1).optional(),
  INGEST_RATE_LIMIT_PER_MINUTE: positiveInt.default(1000),
  /** Events one ingest API key may send per minute and per hour (counted in the rate-limit table). */
  INGEST_KEY_EVENTS_PER_MINUTE: positiveInt.default(60_000),
  INGEST_KEY_EVENTS_PER_HOUR: positiveInt.default(1_000_000),

  // Thresholds the sources name as configurable, with the sources' values as defaults.
  /** Retries of a failed oracle call after its first attempt (oracle-call-history-and-alerts.md). */
  ORACLE_MAX_RETRIES: nonNegativeInt.max(50).default(5),
  /** Consecutive failed attempts against one target address that page an admin. */
  ORACLE_ALERT_CUTOFF: positiveInt.max(1000).default(3),
  /** Creator milestones (creator-metrics-oracle.md "Milestone Thresholds"). */
  CREATOR_MILESTONES_PLAYS: thresholdList('1000,5000,10000,20000,50000', 'play counts', wholeCount),
  CREATOR_MILESTONES_FOLLOWERS: thresholdList('1000,5000,10000', 'follower counts', wholeCount),
  CREATOR_MILESTONES_REVENUE_FIL: thresholdList('100', 'FIL amounts per month', filToAtto),
  /** A creator coin is launched at these totals (and the contract's own check). */
  COIN_LAUNCH_MIN_PLAYS: nonNegativeInt.default(50_000),
  COIN_LAUNCH_MIN_FOLLOWERS: nonNegativeInt.default(5_000),
  /** Revenue sharing starts at this monthly revenue: quarterly distributions only above it. */
  REVENUE_SHARING_MIN_FIL: z
    .string()
    .default('100')
    .transform((text, ctx) => {
      const atto = filToAtto(text);
      if (atto === undefined) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: 'expected an amount of FIL (up to 18 decimals)',
        });
        return z.NEVER;
      }
      return atto;
    }),
  /** Seconds a container answers GET /health from its last probe of the dependencies. */
  HEALTH_CACHE_SECONDS: positiveInt.default(5),
} as const;

type Variables = typeof configVariables;
export type ConfigName = keyof Variables;
export type Config = { readonly [K in ConfigName]: z.output<Variables[K]> };

/** Settings every production function needs, whatever it does. */
const ALWAYS_REQUIRED_IN_PRODUCTION: readonly ConfigName[] = ['AWS_REGION'];

export interface LoadConfigOptions {
  /** Variables this function cannot run without in production. */
  readonly require?: readonly ConfigName[];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): Config {
  const problems: string[] = [];
  const parsed: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(configVariables) as [ConfigName, z.ZodTypeAny][]) {
    const raw = env[name];
    const result = schema.safeParse(raw === '' ? undefined : raw);
    if (result.success) parsed[name] = result.data;
    else problems.push(`${name}: ${describeIssue(result.error, raw)}`);
  }
  if (parsed['ORACLE_MODE'] === 'production') {
    const required = new Set<ConfigName>([...ALWAYS_REQUIRED_IN_PRODUCTION, ...(options.require ?? [])]);
    for (const name of required) {
      if (env[name] === undefined || env[name] === '')
        problems.push(`${name}: required in production, but not set`);
    }
    if (
      required.has('DATABASE_URL') &&
      env['DATABASE_URL'] === undefined &&
      (env['DB_SECRET_ARN'] !== undefined || env['DB_USER'] !== undefined)
    ) {
      // A function may reach the database through RDS Proxy as its role (or with the secret) instead of a URL.
      const index = problems.findIndex((p) => p.startsWith('DATABASE_URL:'));
      if (index >= 0 && env['DB_HOST'] !== undefined) problems.splice(index, 1);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`, { details: { problems } });
  }
  return Object.freeze(parsed) as Config;
}

function describeIssue(error: z.ZodError, raw: string | undefined): string {
  const issue = error.issues[0];
  const got =
    raw === undefined ? 'not set' : `got ${JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw)}`;
  return `${issue?.message ?? 'invalid'} (${got})`;
}

/** The creator oracle's thresholds, as the core takes them. */
export function creatorThresholds(c: Config): {
  readonly milestones: readonly Milestone[];
  readonly coinLaunch: CoinLaunchThresholds;
} {
  return {
    milestones: milestoneTable({
      plays: c.CREATOR_MILESTONES_PLAYS,
      followers: c.CREATOR_MILESTONES_FOLLOWERS,
      revenueAttoFilPerMonth: c.CREATOR_MILESTONES_REVENUE_FIL,
    }),
    coinLaunch: { minPlays: c.COIN_LAUNCH_MIN_PLAYS, minFollowers: c.COIN_LAUNCH_MIN_FOLLOWERS },
  };
}

/** Attempts an oracle call is given when it is enqueued: the first plus ORACLE_MAX_RETRIES. */
export function oracleCallMaxAttempts(c: Config): number {
  return maxAttemptsFor(c.ORACLE_MAX_RETRIES);
}
