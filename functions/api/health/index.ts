/**
 * The platform's health, one function for two routes:
 *   GET /health        public: each configured dependency up or down, nothing else, answered from
 *                      this container's last probe for HEALTH_CACHE_SECONDS
 *   GET /admin/health  admin (the authorizer checks): a fresh probe with latency and each error
 * A new dependency needs one entry in DEPENDENCIES; both routes and `oracle status` report it.
 * Where the market runs, its AIR API, its chain (the factory's code) and its schema are checked too.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { sqsClient } from '../../../layers/shared/src/adapters/aws/sqs-work-queue.ts';
import { type Config, config } from '../../../layers/shared/src/config.ts';
import { NotFoundError } from '../../../layers/shared/src/errors.ts';
import { marketConfig } from '../../../layers/shared/src/market-config.ts';
import {
  CachedHealth,
  ContainerProbe,
  type HealthCheck,
  jsonRpcPing,
  publicHealth,
} from '../../../layers/shared/src/services/platform/health.ts';
import { database } from '../../dependencies.ts';
import { marketHealthChecks } from '../../market-dependencies.ts';
import { httpHandler, json } from '../http.ts';

/** Each dependency a deployment may have: its checks, or undefined where it is not configured. */
const DEPENDENCIES: readonly ((c: Config) => HealthCheck | readonly HealthCheck[] | undefined)[] = [
  () => ({
    name: 'database',
    check: async () => {
      const { sql } = await database();
      await sql`select 1`;
    },
  }),
  (c) => {
    // The queues this deployment gives the function (the ingest queue only where attention runs).
    const queueUrls = [c.INGEST_QUEUE_URL, c.NOTIFICATIONS_QUEUE_URL].filter((url) => url !== undefined);
    if (queueUrls.length === 0) return undefined;
    const endpoint = c.SQS_ENDPOINT;
    const client = sqsClient({ region: c.AWS_REGION, ...(endpoint === undefined ? {} : { endpoint }) });
    return {
      name: 'queues',
      check: async () => {
        for (const url of queueUrls) {
          await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
        }
      },
    };
  },
  (c) => {
    const evm = c.EVM_RPC_URL;
    return evm === undefined ? undefined : { name: 'evm', check: () => jsonRpcPing(evm, 'eth_chainId') };
  },
  (c) => {
    const solana = c.SOLANA_RPC_URL;
    return solana === undefined
      ? undefined
      : { name: 'solana', check: () => jsonRpcPing(solana, 'getHealth') };
  },
  (c) => {
    // The registry gives the market's settings only where the stage enables the market.
    const market = marketConfig();
    return market.AIR_API_URL === undefined && market.MARKET_FACTORY_ADDRESS === undefined
      ? undefined
      : marketHealthChecks(c.EVM_RPC_URL);
  },
];

export function configuredChecks(): HealthCheck[] {
  const c = config();
  return DEPENDENCIES.flatMap((dependency) => dependency(c) ?? []);
}

/**
 * HealthApi runs 10 s: a container's first probe may take 7 s to connect (the database through
 * RDS Proxy and TLS on a cold start under load) before a dependency is reported down; a
 * connected one that takes 3 s is down.
 */
const probe = new ContainerProbe(configuredChecks, { coldMs: 7_000, warmMs: 3_000 });
let cached: CachedHealth | undefined;

export const handler = httpHandler(async (event) => {
  switch (event.routeKey) {
    case 'GET /health': {
      cached ??= new CachedHealth(() => probe.report(), config().HEALTH_CACHE_SECONDS * 1000);
      const report = publicHealth(await cached.report());
      return json(report.status === 'ok' ? 200 : 503, report);
    }
    case 'GET /admin/health': {
      const report = await probe.report();
      return json(report.status === 'ok' ? 200 : 503, report);
    }
    default:
      throw new NotFoundError(`no route ${event.routeKey}`);
  }
});
