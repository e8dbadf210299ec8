/**
 * The four systems a stage switches on (lib/stages/<stage>.json) and what each needs: the systems
 * it depends on and the settings it takes, with the zod schema that checks a value in the stage
 * file. The platform core (data stack, Migrate, authorizer, /health, /openapi.json, the
 * notifications queue and consumer, monitoring) is always deployed. Functions name their system
 * in lib/functions.ts and the settings they read; the wiring gives each exactly those.
 */
import { z } from 'zod';
import { type ConfigName, configVariables } from '../layers/shared/src/config.ts';
import { originSchema } from './cors.ts';

export type SystemName = 'attention' | 'creator' | 'delivery' | 'market';
export type SystemOrCore = SystemName | 'core';
export const SYSTEM_NAMES: readonly SystemName[] = ['attention', 'creator', 'delivery', 'market'];

export interface SettingSpec {
  /** Checks the value as the stage file holds it and turns it into the environment's text. */
  readonly schema: z.ZodType<string, z.ZodTypeDef, unknown>;
  readonly description: string;
  /** A stage that enables the system must give it. */
  readonly required: boolean;
  /** Put into the environment when the stage file gives none (endpoints the check may redirect). */
  readonly default?: string;
  /** What example.json holds (never a real deployment's value). */
  readonly example: unknown;
}

export interface SystemSpec {
  readonly title: string;
  /** Systems that must be enabled with this one. */
  readonly needs: readonly SystemName[];
  readonly settings: Readonly<Record<string, SettingSpec>>;
}

const text = (schema: z.ZodType<string>) => schema as z.ZodType<string, z.ZodTypeDef, unknown>;
const httpsUrl = text(z.string().url());
const evmAddress = text(z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected 0x followed by 40 hex characters'));
const base58Key = text(z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'expected a base58 public key'));
const integer = (min: number) =>
  z
    .union([z.number().int().min(min), z.string().regex(/^\d+$/).transform(Number).pipe(z.number().min(min))])
    .transform(String) as z.ZodType<string, z.ZodTypeDef, unknown>;
const oneOf = (values: readonly [string, ...string[]]) => text(z.enum(values));
const jsonOf = (schema: z.ZodTypeAny) =>
  schema.transform((v) => JSON.stringify(v)) as z.ZodType<string, z.ZodTypeDef, unknown>;

/**
 * A threshold list (numbers, or their comma-separated text; `none` for an empty list), checked by
 * the schema the functions parse it with.
 */
const thresholds = (name: ConfigName) =>
  z
    .union([
      z.array(z.union([z.number(), z.string()])).transform((items) => items.join(',')),
      z.string(),
      z.number(),
    ])
    .transform(String)
    .superRefine((value, ctx) => {
      const parsed = configVariables[name].safeParse(value);
      if (!parsed.success)
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: parsed.error.issues[0]?.message ?? 'invalid' });
    }) as z.ZodType<string, z.ZodTypeDef, unknown>;

const optional = (spec: Omit<SettingSpec, 'required'>): SettingSpec => ({ ...spec, required: false });
const required = (spec: Omit<SettingSpec, 'required'>): SettingSpec => ({ ...spec, required: true });

export const SYSTEMS: Readonly<Record<SystemName, SystemSpec>> = {
  attention: {
    title: 'Attention oracle',
    needs: [],
    settings: {
      PUBLISH_MODE: required({
        schema: oneOf(['program', 'memo']),
        description:
          '`program` (set_channel_merkle_root: viewers can claim) or `memo` (roots in Memo transactions, for clusters without the program)',
        example: 'program',
      }),
      SOLANA_RPC_URL: required({
        schema: httpsUrl,
        description: 'Solana JSON-RPC endpoint',
        example: 'https://solana-rpc.example.com',
      }),
      TOKEN_GROUP_MINTS: required({
        schema: jsonOf(
          z.record(
            z
              .object({
                mint: z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/),
                epochUnit: z.enum(['hours', 'seconds']).optional(),
              })
              .strict(),
          ),
        ),
        description:
          'token group → `{ "mint": "<base58>", "epochUnit"?: "hours" | "seconds" }`; a group without a mint is sealed and served, not published',
        example: { MILO: { mint: 'So11111111111111111111111111111111111111112' } },
      }),
      ATTENTION_PROGRAM_ID: optional({
        schema: base58Key,
        description: 'the attention program (default: the deployed v1 program)',
        example: 'GnGzNdsQMxMpJfMeqnkGPsvHm8kwaDidiKjNU2dCVZop',
      }),
      PRIORITY_FEE_MICROLAMPORTS: optional({
        schema: integer(0),
        description: 'priority fee of root publications',
        example: 1000,
      }),
      BASE_UNITS_PER_WEIGHT: optional({
        schema: integer(0),
        description: 'token base units per whole weight unit',
        example: '1000000000',
      }),
      CATEGORY_BASE_UNITS_PER_WEIGHT: optional({
        schema: integer(0),
        description: 'the same for category trees (0: not published)',
        example: '0',
      }),
      TREE_FORMAT: optional({
        schema: oneOf(['claim-v1', 'claim-v2']),
        description: 'leaf format',
        example: 'claim-v1',
      }),
      TREE_CAPACITY: optional({ schema: integer(1), description: 'leaves per tree', example: 1024 }),
      TOKEN_GROUP_MAX_SHARDS: optional({
        schema: jsonOf(z.record(z.number().int().min(1).max(999))),
        description:
          'token group → shard trees per channel (default 8): each shard is one more `channel_state` account (rent) and one more publication an hour; participants beyond `shards × TREE_CAPACITY` are overflow (ShardOverflow alarm)',
        example: { MILO: 8 },
      }),
      INGEST_KEY_EVENTS_PER_MINUTE: optional({
        schema: integer(1),
        description:
          'events one ingest API key may send per minute (POST /ingest answers 429 past it; default 60000)',
        example: 60000,
      }),
      INGEST_KEY_EVENTS_PER_HOUR: optional({
        schema: integer(1),
        description: 'events one ingest API key may send per hour (default 1000000)',
        example: 1000000,
      }),
      TWITCH_HELIX_URL: optional({
        schema: httpsUrl,
        description: 'Twitch Helix',
        default: 'https://api.twitch.tv/helix',
        example: 'https://api.twitch.tv/helix',
      }),
      TWITCH_AUTH_URL: optional({
        schema: httpsUrl,
        description: 'Twitch OAuth',
        default: 'https://id.twitch.tv/oauth2',
        example: 'https://id.twitch.tv/oauth2',
      }),
      TWITCH_REDIRECT_URIS: optional({
        schema: text(
          z
            .union([
              z.array(z.string().url()).min(1),
              z
                .string()
                .min(1)
                .transform((list) => list.split(',').map((part) => part.trim()))
                .pipe(z.array(z.string().url())),
            ])
            .transform((urls) => urls.join(',')) as unknown as z.ZodType<string>,
        ),
        description:
          'the page(s) Twitch sends a viewer back to after sign-in, each registered as an OAuth Redirect URL of the Twitch app; the first is the default (default: the claims page, `ClaimsPageUrl` of the ClaimsPage stack)',
        example: ['https://claims.example.com/'],
      }),
      CLAIMS_PAGE_EXTRA_ORIGINS: optional({
        schema: text(
          z
            .union([z.array(z.string()), z.string().transform((list) => list.split(','))])
            .transform((items) => items.map((item) => item.trim()).filter((item) => item !== ''))
            .pipe(z.array(originSchema()))
            .transform((origins) => origins.join(',')) as unknown as z.ZodType<string>,
        ),
        description:
          "https origins besides the claims page's own (its CloudFront URL) whose pages may call the HTTP API from a browser (CORS), e.g. a custom domain in front of the page; never `*`",
        example: ['https://claims.example.com'],
      }),
      CLAIMS_PAGE_SOLANA_RPC_URL: optional({
        schema: httpsUrl,
        description:
          "the Solana RPC viewers' browsers send claims through: written into the claims page's config.json and allowed by its Content-Security-Policy (default SOLANA_RPC_URL; set it where that URL carries a private API key, since the page's configuration is public)",
        example: 'https://solana-rpc.example.com',
      }),
      CLAIMS_PAGE_SOLANA_CLUSTER: optional({
        schema: oneOf(['mainnet-beta', 'devnet', 'testnet']),
        description:
          "the cluster the claims page asks a wallet for (default: `devnet` or `testnet` where the page's RPC host names one, else `mainnet-beta`)",
        example: 'mainnet-beta',
      }),
      TWITCH_IRC_HOST: optional({
        schema: text(z.string().min(1)),
        description: 'Twitch IRC host',
        default: 'irc.chat.twitch.tv',
        example: 'irc.chat.twitch.tv',
      }),
      TWITCH_IRC_PORT: optional({
        schema: integer(1),
        description: 'Twitch IRC port',
        default: '6697',
        example: 6697,
      }),
      TWITCH_IRC_TLS: optional({
        schema: oneOf(['true', 'false']),
        description: 'Twitch IRC over TLS',
        default: 'true',
        example: 'true',
      }),
    },
  },
  delivery: {
    title: 'Oracle call delivery',
    needs: [],
    settings: {
      EVM_RPC_URL: required({
        schema: httpsUrl,
        description: 'EVM JSON-RPC endpoint (Filecoin EVM)',
        example: 'https://evm-rpc.example.com',
      }),
      EVM_CHAIN_ID: required({
        schema: integer(1),
        description: 'chain id of that endpoint (signing refuses another)',
        example: 314159,
      }),
      EVM_SIGNER_ADDRESS: required({
        schema: evmAddress,
        description:
          'address of the key in the EvmSignerKey secret (functions that only enqueue are never given the key)',
        example: '0x00000000000000000000000000000000000e0a01',
      }),
      ORACLE_MAX_RETRIES: optional({
        schema: integer(0),
        description:
          "retries of a failed call after its first attempt (default 5, the source's); stored on each call as it is enqueued",
        example: 5,
      }),
      ORACLE_ALERT_CUTOFF: optional({
        schema: integer(1),
        description:
          'consecutive failed attempts on one target address that page an admin (default 3); the alarm follows it',
        example: 3,
      }),
    },
  },
  creator: {
    title: 'Creator metrics oracle',
    needs: ['delivery'],
    settings: {
      CREATOR_METRICS_MANAGER_ADDRESS: required({
        schema: evmAddress,
        description: 'CreatorMetricsManager contract',
        example: '0x00000000000000000000000000000000000e0a02',
      }),
      CREATOR_TOKEN_FACTORY_ADDRESS: required({
        schema: evmAddress,
        description: 'CreatorTokenFactory contract',
        example: '0x00000000000000000000000000000000000e0a03',
      }),
      CREATOR_MILESTONES_PLAYS: optional({
        schema: thresholds('CREATOR_MILESTONES_PLAYS'),
        description: 'milestones by total plays (default 1000, 5000, 10000, 20000, 50000; `none` for none)',
        example: [1000, 5000, 10000, 20000, 50000],
      }),
      CREATOR_MILESTONES_FOLLOWERS: optional({
        schema: thresholds('CREATOR_MILESTONES_FOLLOWERS'),
        description: 'milestones by followers (default 1000, 5000, 10000)',
        example: [1000, 5000, 10000],
      }),
      CREATOR_MILESTONES_REVENUE_FIL: optional({
        schema: thresholds('CREATOR_MILESTONES_REVENUE_FIL'),
        description: 'milestones by monthly revenue in FIL (default 100)',
        example: [100],
      }),
      COIN_LAUNCH_MIN_PLAYS: optional({
        schema: integer(0),
        description: 'plays at which a coin is launched (default 50000; the contract must agree)',
        example: 50000,
      }),
      COIN_LAUNCH_MIN_FOLLOWERS: optional({
        schema: integer(0),
        description: 'followers at which a coin is launched (default 5000)',
        example: 5000,
      }),
      REVENUE_SHARING_MIN_FIL: optional({
        schema: thresholds('REVENUE_SHARING_MIN_FIL'),
        description:
          'revenue in some 30 days of a quarter from which its distribution is recorded (default 100 FIL)',
        example: '100',
      }),
      CREATOR_COIN_QUOTE_TOKEN: optional({
        schema: evmAddress,
        description:
          'the token standing for FIL in the market pools (wrapped FIL): prices coins for the revenue term',
        example: '0x00000000000000000000000000000000000e0a07',
      }),
    },
  },
  market: {
    title: 'Token market services',
    // Token generation mints, and the poller sends FPMM calls, through the delivery engine.
    needs: ['delivery'],
    settings: {
      MARKET_FACTORY_ADDRESS: required({
        schema: evmAddress,
        description: 'pool factory whose pools are priced',
        example: '0x00000000000000000000000000000000000e0a04',
      }),
      MARKET_REWARD_TOKEN: required({
        schema: evmAddress,
        description: 'credential reward token minted by the token generator',
        example: '0x00000000000000000000000000000000000e0a05',
      }),
      AIR_API_URL: required({
        schema: httpsUrl,
        description: 'AIR credential API',
        example: 'https://air-api.example.com',
      }),
      MARKET_FACTORY_START_BLOCK: optional({
        schema: integer(0),
        description: 'first block of the factory logs',
        example: 0,
      }),
      MARKET_QUOTE_TOKEN: optional({
        schema: evmAddress,
        description: 'token prices are quoted in',
        example: '0x00000000000000000000000000000000000e0a06',
      }),
      MARKET_CONFIRMATIONS: optional({
        schema: integer(0),
        description: 'confirmations before a log counts',
        example: 2,
      }),
      EMISSION_BASE_RATE_PER_SECOND: optional({
        schema: integer(0),
        description: 'base units per second at multiplier 1.0',
        example: '1000000000000000',
      }),
      EMISSION_TIER_MULTIPLIERS_BPS: optional({
        schema: jsonOf(z.record(z.number().int().nonnegative())),
        description: 'tier → multiplier in basis points',
        example: { bronze: 10000, gold: 20000 },
      }),
      EMISSION_AUTO_MINT_MINIMUM: optional({
        schema: integer(1),
        description: 'claimable base units minted without a claim',
        example: '1000000000000000000',
      }),
      EMISSION_CLAIM_MINIMUM: optional({
        schema: integer(1),
        description:
          "base units a holder's claim must reach (default EMISSION_AUTO_MINT_MINIMUM, else 10^18)",
        example: '1000000000000000000',
      }),
      EMISSION_CLAIM_COOLDOWN_SECONDS: optional({
        schema: integer(0),
        description: 'seconds after a claim of a credential before the next one is taken (default 3600)',
        example: 3600,
      }),
    },
  },
};

/** Settings of the platform core, optional: a feature without its setting is off. */
export const CORE_SETTINGS: Readonly<Record<string, SettingSpec>> = {
  NOTIFICATIONS_EMAIL_FROM: optional({
    schema: text(z.string().email()),
    description: 'verified SES sender of email notifications (no email channel without it)',
    example: 'alerts@example.com',
  }),
  MARKET_SIWE_DOMAIN: optional({
    schema: text(z.string().regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'expected a host, optionally with :port')),
    description:
      'the site market users sign in from (Sign-In with Ethereum): a message must name exactly this domain (no sign-in without it)',
    example: 'app.example.com',
  }),
  MARKET_SIWE_URI: optional({
    schema: httpsUrl,
    description: 'the URI a sign-in message must name (no sign-in without it)',
    example: 'https://app.example.com',
  }),
  MARKET_SIWE_CHAIN_ID: optional({
    schema: integer(1),
    description: 'the chain ID a sign-in message must name (no sign-in without it)',
    example: 8453,
  }),
  MARKET_SESSION_TTL_SECONDS: optional({
    schema: integer(60),
    description: "how long a market user's session lasts (60 – 86400, default 3600)",
    example: 3600,
  }),
  MARKET_SIGN_IN_NONCES_PER_IP: optional({
    schema: integer(1),
    description: 'unused sign-in nonces one IP address may hold (default 20; past it 429)',
    example: 20,
  }),
  NOTIFICATIONS_MAX_SUBSCRIPTIONS_PER_USER: optional({
    schema: integer(1),
    description: 'active notification subscriptions one user may hold (default 20; past it 409)',
    example: 20,
  }),
  NOTIFICATIONS_MAX_SUBSCRIPTIONS_PER_IP_PER_DAY: optional({
    schema: integer(1),
    description: 'subscriptions one caller IP address may create a day (default 100; past it 429)',
    example: 100,
  }),
  NOTIFICATIONS_VERIFICATIONS_PER_USER_PER_DAY: optional({
    schema: integer(1),
    description: 'verification links and codes sent for one user a day (default 5; past it 429)',
    example: 5,
  }),
  NOTIFICATIONS_VERIFICATIONS_PER_IP_PER_DAY: optional({
    schema: integer(1),
    description: 'verification links and codes sent for one caller IP address a day (default 20)',
    example: 20,
  }),
  NOTIFICATIONS_VERIFY_EMAIL_URL: optional({
    schema: httpsUrl,
    description:
      "the page an email's confirmation link opens, `?token=` appended (default the API's GET /api/notifications/verify/email)",
    example: 'https://app.example.com/confirm-email',
  }),
};

/**
 * Settings a function reads under another name: the market's chain is the one the delivery
 * engine writes to, so market functions take MARKET_CHAIN_ID from EVM_CHAIN_ID.
 */
export const DERIVED_SETTINGS: Readonly<Record<string, string>> = { MARKET_CHAIN_ID: 'EVM_CHAIN_ID' };

/** The system that declares a setting, or undefined. */
export function systemOfSetting(name: string): SystemOrCore | undefined {
  const source = DERIVED_SETTINGS[name] ?? name;
  if (CORE_SETTINGS[source] !== undefined) return 'core';
  return SYSTEM_NAMES.find((system) => SYSTEMS[system].settings[source] !== undefined);
}

/** A system and every system it needs, transitively. */
export function withNeeds(system: SystemOrCore): Set<SystemOrCore> {
  const all = new Set<SystemOrCore>(['core', system]);
  const visit = (name: SystemName) => {
    for (const need of SYSTEMS[name].needs) {
      if (all.has(need)) continue;
      all.add(need);
      visit(need);
    }
  };
  if (system !== 'core') visit(system);
  return all;
}
