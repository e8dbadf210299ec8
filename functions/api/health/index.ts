/**
 * The platform's health, one function for two routes:
 *   GET /health        public: each configured dependency up or down, nothing else, answered from
 *                      this container's last probe for HEALTH_CACHE_SECONDS
 *   GET /admin/health  admin (the authorizer checks): a fresh probe with latency and each error
 * A new dependency needs one entry in DEPENDENCIES; both routes and `oracle status` report it.
 * Where the market runs, its AIR API, its chain (the factory's code) and its schema are checked too.
 */
import { NotFoundError } from '../../../layers/shared/src/errors.ts';
import {
  CachedHealth,
  ContainerProbe,
  type HealthCheck,
  jsonRpcPing,
  publicHealth,
} from '../../../layers/shared/src/services/platform/health.ts';
import { httpRoute } from '../../handlers.ts';
import { loadOnce } from '../../lazy-ports.ts';
import { marketHealthChecks } from '../../market-dependencies.ts';
import type { Platform } from '../../platform.ts';
import { type HttpEvent, type HttpResult, json } from '../http.ts';

/** Each dependency a deployment may have: its checks, or undefined where it is not configured. */
const DEPENDENCIES: readonly ((p: Platform) => HealthCheck | readonly HealthCheck[] | undefined)[] = [
  (p) => ({
    name: 'database',
    check: async () => {
      const { sql } = await p.database();
      await sql`select 1`;
    },
  }),
  ({ config: c }) => {
    // The queues this deployment gives the function (the ingest queue only where attention runs).
    const queueUrls = [c.INGEST_QUEUE_URL, c.NOTIFICATIONS_QUEUE_URL].filter((url) => url !== undefined);
    if (queueUrls.length === 0) return undefined;
    const endpoint = c.SQS_ENDPOINT;
    // The SQS client loads with the first probe, not with the function.
    const sqs = loadOnce(async () => {
      const [{ GetQueueAttributesCommand }, { sqsClient }] = await Promise.all([
        import('@aws-sdk/client-sqs'),
        import('../../../layers/shared/src/adapters/aws/sqs-work-queue.ts'),
      ]);
      const client = sqsClient({ region: c.AWS_REGION, ...(endpoint === undefined ? {} : { endpoint }) });
      return { client, GetQueueAttributesCommand };
    });
    return {
      name: 'queues',
      check: async () => {
        const { client, GetQueueAttributesCommand } = await sqs();
        for (const url of queueUrls) {
          await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
        }
      },
    };
  },
  ({ config: c }) => {
    const evm = c.EVM_RPC_URL;
    return evm === undefined ? undefined : { name: 'evm', check: () => jsonRpcPing(evm, 'eth_chainId') };
  },
  ({ config: c }) => {
    const solana = c.SOLANA_RPC_URL;
    return solana === undefined
      ? undefined
      : { name: 'solana', check: () => jsonRpcPing(solana, 'getHealth') };
  },
  (p) => {
    // The registry gives the market's settings only where the stage enables the market.
    const market = p.market;
    return market.AIR_API_URL === undefined && market.MARKET_FACTORY_ADDRESS === undefined
      ? undefined
      : marketHealthChecks(p.config.EVM_RPC_URL, p);
  },
];

export function configuredChecks(platform: Platform): HealthCheck[] {
  return DEPENDENCIES.flatMap((dependency) => dependency(platform) ?? []);
}

export interface HealthDeps {
  /** A fresh probe of every dependency (GET /admin/health). */
  readonly probe: ContainerProbe;
  /** The last probe, for HEALTH_CACHE_SECONDS (GET /health). */
  readonly cached: CachedHealth;
}

/**
 * HealthApi runs 10 s: a container's first probe may take 7 s to connect (the database through
 * RDS Proxy and TLS on a cold start under load) before a dependency is reported down; a
 * connected one that takes 3 s is down.
 */
export function healthDependencies(platform: Platform): HealthDeps {
  const checks = configuredChecks(platform);
  const probe = new ContainerProbe(() => checks, { coldMs: 7_000, warmMs: 3_000 });
  return {
    probe,
    cached: new CachedHealth(() => probe.report(), platform.config.HEALTH_CACHE_SECONDS * 1000),
  };
}

export async function handle(event: HttpEvent, deps: HealthDeps): Promise<HttpResult> {
  switch (event.routeKey) {
    case 'GET /health': {
      const report = publicHealth(await deps.cached.report());
      return json(report.status === 'ok' ? 200 : 503, report);
    }
    case 'GET /admin/health': {
      const report = await deps.probe.report();
      return json(report.status === 'ok' ? 200 : 503, report);
    }
    default:
      throw new NotFoundError(`no route ${event.routeKey}`);
  }
}

export const handler = httpRoute(healthDependencies, handle);
