/**
 * The WebSocket price stream's AWS side: connection items in DynamoDB (key connectionId + topic,
 * index ByTopic) and pushes through the API Gateway management API (WS_CALLBACK_URL).
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
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { ConnectionPusher, ConnectionStore } from '../../services/market/ws-subscriptions.ts';

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
