/**
 * What the market entry points need, built once per container: the database, the market
 * settings, the AIR client (key from Secrets Manager, or AIR_API_KEY locally), the minter (the
 * delivery engine) and the event bus, built once per platform. A test that runs a piece itself (a
 * minter) gives it with `provideMarketDependencies`.
 */

import { airApiKeyFromSecret } from '../layers/shared/src/adapters/air/air-api-key.ts';
import { HttpAirClient } from '../layers/shared/src/adapters/air/http-air-client.ts';
import type { Sql } from '../layers/shared/src/adapters/db/client.ts';
import type { EmissionConfig } from '../layers/shared/src/core/market/emission.ts';
import { ConfigError, DependencyError } from '../layers/shared/src/errors.ts';
import { emissionConfig, type MarketConfig } from '../layers/shared/src/market-config.ts';
import type { AirCredentialApi } from '../layers/shared/src/ports/air-credentials.ts';
import type { EventBus } from '../layers/shared/src/ports/event-bus.ts';
import type { Minter } from '../layers/shared/src/ports/minter.ts';
import type { WorkQueue } from '../layers/shared/src/ports/work-queue.ts';
import type { SignInSettings } from '../layers/shared/src/services/market/market-sessions.ts';
import type { HealthCheck } from '../layers/shared/src/services/platform/health.ts';
import { platformRequiring } from './handler-entry.ts';
import type { Platform } from './platform.ts';

export interface MarketDependencies {
  readonly sql: Sql;
  readonly chainId: number;
  readonly config: MarketConfig;
  readonly emission: EmissionConfig;
  readonly bus: EventBus;
  /** What a sign-in message must name; throws (503) where sign-in is not configured. */
  signInSettings(): SignInSettings;
  /** The notifications queue (its consumer sends outbox rows). */
  notificationQueue(): WorkQueue;
  air(): Promise<AirCredentialApi>;
  minter(): Promise<Minter>;
  now(): number;
}

const built = new WeakMap<Platform, Promise<MarketDependencies>>();

/**
 * Builds the market's dependencies on `platform` from `pieces` where given (a test's minter), the
 * platform's clients for the rest; every later `marketDependencies(platform)` answers these.
 */
export function provideMarketDependencies(
  platform: Platform,
  pieces: Partial<MarketDependencies>,
): Promise<MarketDependencies> {
  const deps = buildMarketDependencies(platform, pieces);
  built.set(platform, deps);
  deps.catch(() => built.delete(platform));
  return deps;
}

/** The market's dependencies on `platform`, built once per platform. */
export function marketDependencies(platform: Platform): Promise<MarketDependencies> {
  return built.get(platform) ?? provideMarketDependencies(platform, {});
}

async function buildMarketDependencies(
  platform: Platform,
  pieces: Partial<MarketDependencies>,
): Promise<MarketDependencies> {
  const config = platform.market;
  const sql = pieces.sql ?? (await platform.database()).sql;
  let air: Promise<AirCredentialApi> | undefined;
  let minter: Promise<Minter> | undefined;
  const base: MarketDependencies = {
    sql,
    chainId: config.MARKET_CHAIN_ID,
    config,
    emission: emissionConfig(config),
    bus: pieces.bus ?? platform.eventBus(),
    signInSettings: () => signInSettings(config, platform.config.ORACLE_MODE === 'local'),
    notificationQueue: () =>
      platform.queue(platform.config.NOTIFICATIONS_QUEUE_URL, 'NOTIFICATIONS_QUEUE_URL'),
    air: () => {
      air ??= (async () => {
        if (config.AIR_API_URL === undefined) throw new ConfigError('AIR_API_URL is required');
        const key =
          config.AIR_API_KEY_SECRET_ARN !== undefined
            ? airApiKeyFromSecret(await platform.secrets.getSecret(config.AIR_API_KEY_SECRET_ARN))
            : config.AIR_API_KEY;
        if (key === undefined) throw new ConfigError('AIR_API_KEY_SECRET_ARN (or AIR_API_KEY) is required');
        return new HttpAirClient(config.AIR_API_URL, key);
      })();
      return air;
    },
    minter: () => {
      minter ??= (async () => {
        if (config.MARKET_REWARD_TOKEN === undefined)
          throw new ConfigError('MARKET_REWARD_TOKEN is required');
        // Only the functions that mint load the delivery engine's encoder (ethers) at all.
        const [{ DeliveryEngineMinter }, { enqueueDependencies }] = await Promise.all([
          import('../layers/shared/src/services/market/delivery-engine-minter.ts'),
          import('./delivery.ts'),
        ]);
        // Not every market function mints: those that do need the signer's address to enqueue.
        const enqueue = await enqueueDependencies(platformRequiring(platform, ['EVM_SIGNER_ADDRESS']));
        return new DeliveryEngineMinter(enqueue, config.MARKET_REWARD_TOKEN);
      })();
      return minter;
    },
    now: () => Math.floor(Date.now() / 1000),
  };
  return { ...base, ...pieces };
}

/**
 * What a sign-in message must name. Locally the domain and URI default to `localhost` and the
 * chain to the market's; a deployed API must be told the site its users sign in from, or sign-in
 * would accept messages any site could have asked for. Where it is not told, sign-in is off:
 * 503 naming the settings (the stage's core settings, lib/systems.ts), and no session exists
 * for the routes that need one.
 */
export function signInSettings(
  config: MarketConfig,
  local = process.env['ORACLE_MODE'] !== 'production',
): SignInSettings {
  const domain = config.MARKET_SIWE_DOMAIN ?? (local ? 'localhost' : undefined);
  const uri = config.MARKET_SIWE_URI ?? (local ? 'http://localhost' : undefined);
  const chainId = config.MARKET_SIWE_CHAIN_ID ?? (local ? config.MARKET_CHAIN_ID : undefined);
  if (domain === undefined || uri === undefined || chainId === undefined) {
    throw new DependencyError(
      'sign-in is not configured: MARKET_SIWE_DOMAIN, MARKET_SIWE_URI and MARKET_SIWE_CHAIN_ID name the site and chain market users sign in from',
    );
  }
  return {
    domain,
    uri,
    chainId,
    sessionTtlSeconds: config.MARKET_SESSION_TTL_SECONDS,
    noncesPerSource: config.MARKET_SIGN_IN_NONCES_PER_IP,
  };
}

/** The market's dependencies for GET /health: its schema, the AIR API and the chain it polls. */
export function marketHealthChecks(rpcUrl: string | undefined, platform: Platform): HealthCheck[] {
  const checks: HealthCheck[] = [
    {
      name: 'market-db',
      check: async () => {
        const { sql } = await marketDependencies(platform);
        await sql`select 1 from market.chain_cursors limit 1`;
      },
    },
  ];
  const config = platform.market;
  if (config.AIR_API_URL !== undefined) {
    checks.push({
      name: 'air-api',
      check: async () => (await (await marketDependencies(platform)).air()).getCredential('health-check'),
    });
  }
  if (rpcUrl !== undefined && config.MARKET_FACTORY_ADDRESS !== undefined) {
    const factory = config.MARKET_FACTORY_ADDRESS;
    checks.push({
      name: 'market-chain',
      check: async () => {
        const response = await fetch(rpcUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getCode', params: [factory, 'latest'] }),
        });
        const body = (await response.json()) as { result?: string };
        if (body.result === undefined || body.result === '0x')
          throw new Error('no factory contract at the address');
      },
    });
  }
  return checks;
}
