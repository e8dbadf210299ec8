/**
 * The WebSocket price stream's dependencies, built once per platform (per container in Lambda).
 * Like the platform's own clients, the DynamoDB and API Gateway management clients load when the
 * first invocation builds them, not with the module.
 */
import type { WsDeps } from '../layers/shared/src/services/market/ws-subscriptions.ts';
import type { PlatformOf } from './handler-entry.ts';
import { type Loaded, loadOnce } from './lazy-ports.ts';
import type { Platform } from './platform.ts';

const built = new WeakMap<Platform, Loaded<WsDeps>>();

/** Built by the first invocation, once per platform; a build that failed is tried again by the next. */
export function wsDependencies(
  platform: PlatformOf<'WS_CONNECTIONS_TABLE' | 'WS_CALLBACK_URL'>,
): Promise<WsDeps> {
  let deps = built.get(platform);
  if (deps === undefined) {
    deps = loadOnce(() => build(platform));
    built.set(platform, deps);
  }
  return deps();
}

async function build(platform: PlatformOf<'WS_CONNECTIONS_TABLE' | 'WS_CALLBACK_URL'>): Promise<WsDeps> {
  const c = platform.config;
  const [{ dynamoDbClient }, { ApiGatewayConnectionPusher, DynamoDbConnectionStore }] = await Promise.all([
    import('../layers/shared/src/adapters/aws/dynamodb-rate-limiter.ts'),
    import('../layers/shared/src/adapters/aws/ws-connections.ts'),
  ]);
  return {
    store: new DynamoDbConnectionStore(
      dynamoDbClient({ region: c.AWS_REGION, endpoint: c.DYNAMODB_ENDPOINT }),
      c.WS_CONNECTIONS_TABLE,
    ),
    pusher: new ApiGatewayConnectionPusher(c.WS_CALLBACK_URL, c.AWS_REGION),
    nowMs: Date.now,
  };
}
