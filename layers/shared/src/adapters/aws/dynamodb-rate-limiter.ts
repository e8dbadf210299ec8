/**
 * Fixed-window rate limiting counted in DynamoDB: one item per (key, window) incremented
 * atomically with ADD, expiring through the table's TTL attribute `expiresAt`.
 */
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DependencyError } from '../../errors.ts';
import type { RateLimitDecision, RateLimiter } from '../../ports/rate-limiter.ts';

export class DynamoDbRateLimiter implements RateLimiter {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async hit(
    key: string,
    limit: number,
    windowSeconds: number,
    nowMs: number,
    cost = 1,
  ): Promise<RateLimitDecision> {
    const nowSeconds = Math.floor(nowMs / 1000);
    const windowStart = nowSeconds - (nowSeconds % windowSeconds);
    const retryAfterSeconds = Math.max(1, windowStart + windowSeconds - nowSeconds);
    try {
      const result = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: `${key}#${windowStart}` } },
          UpdateExpression: 'ADD #count :cost SET expiresAt = if_not_exists(expiresAt, :expires)',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: {
            ':cost': { N: String(cost) },
            ':expires': { N: String(windowStart + windowSeconds * 2) },
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const count = Number(result.Attributes?.['count']?.N ?? String(cost));
      return { allowed: count <= limit, count, retryAfterSeconds };
    } catch (error) {
      throw new DependencyError('rate limit table unavailable', { cause: error });
    }
  }

  /** One item per window of the longest length, holding a counter per window inside it. */
  async hitEach(
    key: string,
    windows: readonly { readonly limit: number; readonly windowSeconds: number }[],
    nowMs: number,
    cost = 1,
  ): Promise<RateLimitDecision[]> {
    if (windows.length === 0) return [];
    const nowSeconds = Math.floor(nowMs / 1000);
    const longest = Math.max(...windows.map((w) => w.windowSeconds));
    if (windows.some((w) => longest % w.windowSeconds !== 0)) {
      throw new Error(`rate limit windows of ${key} must each divide the longest (${longest} s)`);
    }
    const outer = nowSeconds - (nowSeconds % longest);
    const counters = windows.map((w) => {
      const start = nowSeconds - (nowSeconds % w.windowSeconds);
      return {
        name: `w${w.windowSeconds}_${start}`,
        limit: w.limit,
        retryAfterSeconds: Math.max(1, start + w.windowSeconds - nowSeconds),
      };
    });
    try {
      const result = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: `${key}#${outer}` } },
          UpdateExpression: `ADD ${counters.map((_, i) => `#c${i} :cost`).join(', ')} SET expiresAt = if_not_exists(expiresAt, :expires)`,
          ExpressionAttributeNames: Object.fromEntries(counters.map((c, i) => [`#c${i}`, c.name])),
          ExpressionAttributeValues: {
            ':cost': { N: String(cost) },
            ':expires': { N: String(outer + longest * 2) },
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return counters.map((c) => {
        const count = Number(result.Attributes?.[c.name]?.N ?? String(cost));
        return { allowed: count <= c.limit, count, retryAfterSeconds: c.retryAfterSeconds };
      });
    } catch (error) {
      throw new DependencyError('rate limit table unavailable', { cause: error });
    }
  }
}

export function dynamoDbClient(options: { endpoint?: string | undefined; region: string }): DynamoDBClient {
  return new DynamoDBClient({
    region: options.region,
    ...(options.endpoint === undefined
      ? {}
      : { endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  });
}
