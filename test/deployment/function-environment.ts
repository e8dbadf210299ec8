/**
 * The environment a deployed function or task runs with: the template's variables, resolved to
 * the stand-ins, plus what the platform itself sets (Lambda's reserved variables) and the few
 * additions the check is allowed: the SDK's standard `AWS_ENDPOINT_URL_<SERVICE>` variables,
 * dummy credentials, and the one documented variable naming the database stand-in's CA. Values
 * of endpoint settings and of contract and mint addresses may be replaced; every replacement is
 * listed, and no other variable is ever added.
 */
import type { CfnValue } from './cloud-assembly.ts';
import { type ResolveContext, resolveVariables } from './references.ts';

/** The documented variable naming the CA database connections verify against (README, configuration). */
export const DATABASE_CA_VARIABLE = 'DATABASE_CA_FILE';

/** Settings whose value is an endpoint: the check points them at its stand-ins. */
export const ENDPOINT_SETTINGS = [
  'EVM_RPC_URL',
  'SOLANA_RPC_URL',
  'AIR_API_URL',
  'TWITCH_HELIX_URL',
  'TWITCH_AUTH_URL',
  'TWITCH_IRC_HOST',
  'TWITCH_IRC_PORT',
  'TWITCH_IRC_TLS',
  'DB_PORT',
] as const;

/** Settings whose value is a contract, token or mint address. */
export const ADDRESS_SETTINGS = [
  'MARKET_FACTORY_ADDRESS',
  'MARKET_QUOTE_TOKEN',
  'MARKET_REWARD_TOKEN',
  'CREATOR_METRICS_MANAGER_ADDRESS',
  'CREATOR_TOKEN_FACTORY_ADDRESS',
  'TOKEN_GROUP_MINTS',
  'EVM_SIGNER_ADDRESS',
] as const;

export type EndpointSetting = (typeof ENDPOINT_SETTINGS)[number];
export type AddressSetting = (typeof ADDRESS_SETTINGS)[number];

/** What the stand-ins offer for each kind of AWS service and setting. */
export interface StandInEndpoints {
  /** `AWS_ENDPOINT_URL_<SERVICE>` → stand-in URL. */
  readonly aws: Readonly<Record<string, string>>;
  readonly settings: Readonly<Partial<Record<EndpointSetting | AddressSetting, string>>>;
  readonly databaseCaFile: string;
  /** Rewrites an AWS endpoint URL a reference resolved to (the WebSocket callback URL). */
  readonly rewriteUrl: (url: string) => string | undefined;
}

export interface BuiltEnvironment {
  readonly env: Record<string, string>;
  /** `NAME: old → new`, one per value the check replaced. */
  readonly substitutions: string[];
  /** Variables that could not be resolved, each naming the reference. */
  readonly problems: string[];
}

export const DUMMY_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'deployment-check',
  AWS_SECRET_ACCESS_KEY: 'deployment-check',
  AWS_SESSION_TOKEN: 'deployment-check',
} as const;

/**
 * Resolves and substitutes a template's variables. `taskRoot` maps `/var/task` (Lambda's code
 * directory) onto the asset directory the function runs from.
 */
export function buildEnvironment(
  variables: Readonly<Record<string, CfnValue>>,
  ctx: ResolveContext,
  endpoints: StandInEndpoints,
  taskRoot: { readonly from: string; readonly to: string } | undefined,
): BuiltEnvironment {
  const { env, problems } = resolveVariables(variables, ctx);
  const substitutions: string[] = [];
  const replace = (name: string, value: string, why: string) => {
    substitutions.push(`${name}: ${shorten(env[name] ?? '')} → ${shorten(value)} (${why})`);
    env[name] = value;
  };
  for (const [name, value] of Object.entries(env)) {
    const rewritten = endpoints.rewriteUrl(value);
    if (rewritten !== undefined) env[name] = rewritten;
    if (taskRoot !== undefined && (value === taskRoot.from || value.startsWith(`${taskRoot.from}/`))) {
      replace(
        name,
        taskRoot.to + value.slice(taskRoot.from.length),
        `${taskRoot.from} is the asset directory`,
      );
    }
  }
  for (const name of [...ENDPOINT_SETTINGS, ...ADDRESS_SETTINGS]) {
    const standIn = endpoints.settings[name];
    if (env[name] === undefined || standIn === undefined || env[name] === standIn) continue;
    replace(name, standIn, (ENDPOINT_SETTINGS as readonly string[]).includes(name) ? 'endpoint' : 'address');
  }
  return { env, substitutions, problems };
}

/** The SDK's standard endpoint variables, dummy credentials and the database CA. */
export function allowedAdditions(endpoints: StandInEndpoints): Record<string, string> {
  return { ...endpoints.aws, ...DUMMY_CREDENTIALS, [DATABASE_CA_VARIABLE]: endpoints.databaseCaFile };
}

/** What the Lambda service itself sets in every function's environment. */
export function lambdaReservedVariables(fn: {
  readonly name: string;
  readonly handler: string;
  readonly runtime: string;
  readonly memoryMb: number;
  readonly taskRoot: string;
  readonly region: string;
}): Record<string, string> {
  return {
    AWS_REGION: fn.region,
    AWS_DEFAULT_REGION: fn.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: fn.taskRoot,
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    _HANDLER: fn.handler,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    PATH: '/usr/local/bin:/usr/bin/:/bin',
  };
}

function shorten(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}…` : value;
}
