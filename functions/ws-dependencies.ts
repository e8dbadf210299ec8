/** The WebSocket price stream's dependencies, built once per platform (per container in Lambda). */
import { dynamoDbClient } from '../layers/shared/src/adapters/aws/dynamodb-rate-limiter.ts';
import {
  ApiGatewayConnectionPusher,
  DynamoDbConnectionStore,
} from '../layers/shared/src/adapters/aws/ws-connections.ts';
import type { WsDeps } from '../layers/shared/src/services/market/ws-subscriptions.ts';
import type { PlatformOf } from './handler-entry.ts';
import type { Platform } from './platform.ts';

const built = new WeakMap<Platform, WsDeps>();

export function wsDependencies(platform: PlatformOf<'WS_CONNECTIONS_TABLE' | 'WS_CALLBACK_URL'>): WsDeps {
  let deps = built.get(platform);
  if (deps === undefined) {
    const c = platform.config;
    deps = {
      store: new DynamoDbConnectionStore(
        dynamoDbClient({ region: c.AWS_REGION, endpoint: c.DYNAMODB_ENDPOINT }),
        c.WS_CONNECTIONS_TABLE,
      ),
      pusher: new ApiGatewayConnectionPusher(c.WS_CALLBACK_URL, c.AWS_REGION),
      nowMs: Date.now,
    };
    built.set(platform, deps);
  }
  return deps;
}
