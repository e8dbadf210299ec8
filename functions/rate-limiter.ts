/**
 * The rate-limit counters in DynamoDB, one client per container: the per-IP limits of the public
 * routes (api/http.ts) and of POST /ingest. Kept apart from ./dependencies.ts so that every API
 * function can count requests without bundling the database, chain and queue clients.
 */
import {
  DynamoDbRateLimiter,
  dynamoDbClient,
} from '../layers/shared/src/adapters/aws/dynamodb-rate-limiter.ts';
import { config } from '../layers/shared/src/config.ts';
import { ConfigError } from '../layers/shared/src/errors.ts';
import type { RateLimiter } from '../layers/shared/src/ports/rate-limiter.ts';

let limiter: RateLimiter | undefined;

export function rateLimiter(): RateLimiter {
  if (limiter === undefined) {
    const table = config().RATE_LIMIT_TABLE;
    if (table === undefined) throw new ConfigError('RATE_LIMIT_TABLE is required');
    limiter = new DynamoDbRateLimiter(
      dynamoDbClient({ region: config().AWS_REGION, endpoint: config().DYNAMODB_ENDPOINT }),
      table,
    );
  }
  return limiter;
}

/** Drops the client (tests and the local runtime between runs, through resetDependencies). */
export function resetRateLimiter(): void {
  limiter = undefined;
}
