/**
 * The WebSocket price stream's AWS side: connection items in DynamoDB (key connectionId + topic,
 * index ByTopic) and pushes through the API Gateway management API (WS_CALLBACK_URL).
 *
 * The connection's own item (`#connection`) counts the token topics it holds. A subscribe
 * reserves room on that counter with a conditional update before writing its items, so requests
 * racing on one connection (API Gateway invokes the function once per message, concurrently)
 * never pass the cap together. An unsubscribe gives back exactly what its deletes removed. The
 * counter can only run ahead of the items (a reservation whose writes failed, or two requests
 * adding the same new token), never behind: the cap holds, at worst a little early, until the
 * connection ends.
 */
import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type BatchWriteItemCommandOutput,
  DeleteItemCommand,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { newTokens } from '../../core/market/stream-subscriptions.ts';
import {
  CONNECTION_TOPIC,
  type ConnectionPusher,
  type ConnectionStore,
  type SubscribeOutcome,
} from '../../services/market/ws-subscriptions.ts';

export const WS_TOPIC_INDEX = 'ByTopic';

export class DynamoDbConnectionStore implements ConnectionStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async put(connectionId: string, topics: readonly string[], expiresAt: number): Promise<void> {
    await this.write(
      topics.map((topic) => ({
        PutRequest: {
          Item: {
            connectionId: { S: connectionId },
            topic: { S: topic },
            expiresAt: { N: String(expiresAt) },
          },
        },
      })),
    );
  }

  async remove(connectionId: string, topics: readonly string[]): Promise<void> {
    await this.write(
      topics.map((topic) => ({
        DeleteRequest: { Key: { connectionId: { S: connectionId }, topic: { S: topic } } },
      })),
    );
  }

  async subscribe(
    connectionId: string,
    tokens: readonly string[],
    cap: number,
    expiresAt: number,
  ): Promise<SubscribeOutcome> {
    const held = (await this.topicsOf(connectionId)).filter((topic) => topic !== CONNECTION_TOPIC);
    const adding = newTokens(new Set(held), tokens);
    if (adding.length === 0) return { admitted: true };
    if (held.length + adding.length > cap)
      return { admitted: false, held: held.length, adding: adding.length };
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key(connectionId, CONNECTION_TOPIC),
          UpdateExpression: 'SET #held = if_not_exists(#held, :zero) + :n, expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(#held) OR #held <= :room',
          ExpressionAttributeNames: { '#held': 'subscriptions' },
          ExpressionAttributeValues: {
            ':zero': { N: '0' },
            ':n': { N: String(adding.length) },
            ':room': { N: String(cap - adding.length) },
            ':expires': { N: String(expiresAt) },
          },
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException')
        return { admitted: false, held: held.length, adding: adding.length };
      throw error;
    }
    await this.put(connectionId, adding, expiresAt);
    return { admitted: true };
  }

  async unsubscribe(connectionId: string, tokens: readonly string[]): Promise<void> {
    const removed = await Promise.all(
      [...new Set(tokens)].map(async (topic) => {
        const out = await this.client.send(
          new DeleteItemCommand({
            TableName: this.tableName,
            Key: this.key(connectionId, topic),
            ReturnValues: 'ALL_OLD',
          }),
        );
        return out.Attributes === undefined ? 0 : 1;
      }),
    );
    const count = removed.reduce<number>((sum, n) => sum + n, 0);
    if (count === 0) return;
    await this.client
      .send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: this.key(connectionId, CONNECTION_TOPIC),
          UpdateExpression: 'ADD #held :minus',
          ConditionExpression: 'attribute_exists(#held)',
          ExpressionAttributeNames: { '#held': 'subscriptions' },
          ExpressionAttributeValues: { ':minus': { N: String(-count) } },
        }),
      )
      .catch((error: unknown) => {
        // The connection item expired or was removed: there is no count left to give back.
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      });
  }

  async touch(connectionId: string, expiresAt: number): Promise<void> {
    const tokens = (await this.topicsOf(connectionId)).filter((topic) => topic !== CONNECTION_TOPIC);
    await this.put(connectionId, tokens, expiresAt);
    // Updated, not put: a put would drop the connection's subscription count.
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: this.key(connectionId, CONNECTION_TOPIC),
        UpdateExpression: 'SET expiresAt = :expires',
        ExpressionAttributeValues: { ':expires': { N: String(expiresAt) } },
      }),
    );
  }

  private key(connectionId: string, topic: string): Record<string, AttributeValue> {
    return { connectionId: { S: connectionId }, topic: { S: topic } };
  }

  async topicsOf(connectionId: string): Promise<string[]> {
    return this.query({
      TableName: this.tableName,
      KeyConditionExpression: 'connectionId = :c',
      ExpressionAttributeValues: { ':c': { S: connectionId } },
    }).then((items) => items.map((i) => i['topic']?.S ?? '').filter((t) => t !== ''));
  }

  async subscribersOf(topic: string): Promise<string[]> {
    return this.query({
      TableName: this.tableName,
      IndexName: WS_TOPIC_INDEX,
      KeyConditionExpression: 'topic = :t',
      ExpressionAttributeValues: { ':t': { S: topic } },
    }).then((items) => items.map((i) => i['connectionId']?.S ?? '').filter((c) => c !== ''));
  }

  private async query(input: QueryCommandInput): Promise<Record<string, AttributeValue>[]> {
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out: QueryCommandOutput = await this.client.send(
        new QueryCommand({ ...input, ...(start === undefined ? {} : { ExclusiveStartKey: start }) }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }

  private async write(requests: WriteRequest[]): Promise<void> {
    for (let i = 0; i < requests.length; i += 25) {
      let pending: WriteRequest[] | undefined = requests.slice(i, i + 25);
      for (let attempt = 0; pending !== undefined && pending.length > 0 && attempt < 5; attempt++) {
        const out: BatchWriteItemCommandOutput = await this.client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.tableName]: pending } }),
        );
        pending = out.UnprocessedItems?.[this.tableName];
      }
    }
  }
}

export class ApiGatewayConnectionPusher implements ConnectionPusher {
  private readonly client: ApiGatewayManagementApiClient;

  constructor(endpoint: string, region: string, client?: ApiGatewayManagementApiClient) {
    this.client = client ?? new ApiGatewayManagementApiClient({ endpoint, region });
  }

  async push(connectionId: string, message: unknown): Promise<boolean> {
    try {
      await this.client.send(
        new PostToConnectionCommand({
          ConnectionId: connectionId,
          Data: new TextEncoder().encode(JSON.stringify(message)),
        }),
      );
      return true;
    } catch (error) {
      if (
        error instanceof GoneException ||
        (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 410
      ) {
        return false;
      }
      throw error;
    }
  }
}
