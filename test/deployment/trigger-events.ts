/**
 * The events each trigger delivers, shaped as AWS shapes them: EventBridge Scheduler payloads,
 * SQS batches (with the FIFO attributes on FIFO queues), HTTP API v2 requests and authorizer
 * requests, WebSocket route events, EventBridge rule deliveries and the CloudFormation
 * custom-resource events the CDK provider framework hands to its onEvent function.
 */
import { createHash, randomUUID } from 'node:crypto';
import { PSEUDO_PARAMETERS } from './references.ts';

const REGION = PSEUDO_PARAMETERS['AWS::Region'] ?? 'us-east-1';
const ACCOUNT = PSEUDO_PARAMETERS['AWS::AccountId'] ?? '000000000000';

/** Scheduler delivers the target's `Input` as it is; without one, an empty object. */
export function scheduleEvent(input: string | undefined): unknown {
  return input === undefined ? {} : JSON.parse(input);
}

/** A message as ReceiveMessage returned it (with all attributes asked for). */
export interface ReceivedMessage {
  readonly MessageId?: string | undefined;
  readonly ReceiptHandle?: string | undefined;
  readonly Body?: string | undefined;
  readonly MD5OfBody?: string | undefined;
  readonly Attributes?: Partial<Record<string, string>> | undefined;
  readonly MessageAttributes?:
    | Record<
        string,
        {
          StringValue?: string | undefined;
          BinaryValue?: Uint8Array | undefined;
          DataType?: string | undefined;
        }
      >
    | undefined;
}

const FIFO_ATTRIBUTES = ['MessageGroupId', 'SequenceNumber', 'MessageDeduplicationId'] as const;

/** The batch Lambda's SQS event source delivers; FIFO queues add group, sequence and dedup ids. */
export function sqsEvent(messages: readonly ReceivedMessage[], queueArn: string, fifo: boolean): unknown {
  return {
    Records: messages.map((m) => {
      const attributes = m.Attributes ?? {};
      const base: Record<string, string> = {
        ApproximateReceiveCount: attributes['ApproximateReceiveCount'] ?? '1',
        SentTimestamp: attributes['SentTimestamp'] ?? String(Date.now()),
        SenderId: attributes['SenderId'] ?? 'AIDADEPLOYMENTCHECK',
        ApproximateFirstReceiveTimestamp:
          attributes['ApproximateFirstReceiveTimestamp'] ?? String(Date.now()),
      };
      if (fifo) {
        for (const name of FIFO_ATTRIBUTES) {
          const value = attributes[name];
          if (value === undefined) throw new Error(`FIFO message ${m.MessageId} has no ${name}`);
          base[name] = value;
        }
      }
      return {
        messageId: m.MessageId ?? randomUUID(),
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
        attributes: base,
        messageAttributes: Object.fromEntries(
          Object.entries(m.MessageAttributes ?? {}).map(([name, value]) => [
            name,
            {
              ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
              ...(value.BinaryValue === undefined
                ? {}
                : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
              stringListValues: [],
              binaryListValues: [],
              dataType: value.DataType ?? 'String',
            },
          ]),
        ),
        md5OfBody:
          m.MD5OfBody ??
          createHash('md5')
            .update(m.Body ?? '')
            .digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: REGION,
      };
    }),
  };
}

export interface HttpRequest {
  readonly pathParameters?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** `/claims/{user}` with `{ user: 'x' }` → `/claims/x`. */
export function concretePath(
  pathTemplate: string,
  parameters: Readonly<Record<string, string>> = {},
): string {
  return pathTemplate.replace(/\{([^}+]+)\+?\}/g, (_m, name: string) => {
    const value = parameters[name];
    if (value === undefined) throw new Error(`no value for path parameter ${name} of ${pathTemplate}`);
    return encodeURIComponent(value);
  });
}

function requestContext(routeKey: string, method: string, path: string, apiId: string) {
  const now = new Date();
  return {
    accountId: ACCOUNT,
    apiId,
    domainName: `${apiId}.execute-api.${REGION}.amazonaws.com`,
    domainPrefix: apiId,
    requestId: randomUUID(),
    routeKey,
    stage: '$default',
    time: now.toUTCString(),
    timeEpoch: now.getTime(),
    http: { method, path, protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'deployment-check' },
  };
}

/** An HTTP API payload format 2.0 event; `authorizer` is what the Lambda authorizer returned. */
export function httpApiEvent(
  routeKey: string,
  request: HttpRequest,
  options: { apiId: string; authorizer?: Record<string, unknown> },
): unknown {
  const [method = 'GET', pathTemplate = '/'] = routeKey.split(' ');
  const path = concretePath(pathTemplate, request.pathParameters);
  const query = request.query ?? {};
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  const headers: Record<string, string> = {
    host: `${options.apiId}.execute-api.${REGION}.amazonaws.com`,
    'user-agent': 'deployment-check',
    ...(body === undefined
      ? {}
      : { 'content-type': 'application/json', 'content-length': String(body.length) }),
    ...Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(query).toString(),
    headers,
    ...(Object.keys(query).length === 0 ? {} : { queryStringParameters: { ...query } }),
    ...(Object.keys(request.pathParameters ?? {}).length === 0
      ? {}
      : { pathParameters: { ...request.pathParameters } }),
    requestContext: {
      ...requestContext(routeKey, method, path, options.apiId),
      ...(options.authorizer === undefined ? {} : { authorizer: { lambda: options.authorizer } }),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
}

/** The request a REQUEST authorizer (payload 2.0) receives; `identitySource` holds the credential. */
export function authorizerEvent(
  routeKey: string,
  request: HttpRequest,
  identitySource: readonly string[],
  apiId: string,
): unknown {
  const [method = 'GET', pathTemplate = '/'] = routeKey.split(' ');
  const path = concretePath(pathTemplate, request.pathParameters);
  const event = httpApiEvent(routeKey, request, { apiId }) as Record<string, unknown>;
  delete event['body'];
  delete event['isBase64Encoded'];
  return {
    ...event,
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/$default/${method}${path}`,
    identitySource: [...identitySource],
  };
}

/** A WebSocket API route event (`$connect`, `$disconnect`, `$default` or a custom route). */
export function webSocketEvent(
  routeKey: string,
  connectionId: string,
  options: { apiId: string; stage: string; body?: string },
): unknown {
  const eventType =
    routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE';
  const now = new Date();
  return {
    ...(eventType === 'CONNECT'
      ? { headers: { Host: `${options.apiId}.execute-api.${REGION}.amazonaws.com` }, isBase64Encoded: false }
      : {}),
    ...(options.body === undefined ? {} : { body: options.body, isBase64Encoded: false }),
    requestContext: {
      routeKey,
      eventType,
      extendedRequestId: randomUUID(),
      requestTime: now.toUTCString(),
      messageDirection: 'IN',
      stage: options.stage,
      connectedAt: now.getTime() - 1000,
      requestTimeEpoch: now.getTime(),
      identity: { sourceIp: '198.51.100.7', userAgent: 'deployment-check' },
      requestId: randomUUID(),
      domainName: `${options.apiId}.execute-api.${REGION}.amazonaws.com`,
      connectionId,
      apiId: options.apiId,
      ...(eventType === 'DISCONNECT'
        ? { disconnectStatusCode: 1000, disconnectReason: 'Client closed' }
        : {}),
    },
  };
}

/** What an EventBridge rule hands its Lambda target for an event put on the bus. */
export function eventBridgeEvent(event: {
  id: string;
  source: string;
  detailType: string;
  detail: string;
  time: string;
}): unknown {
  return {
    version: '0',
    id: event.id,
    'detail-type': event.detailType,
    source: event.source,
    account: ACCOUNT,
    time: event.time,
    region: REGION,
    resources: [],
    detail: JSON.parse(event.detail),
  };
}

/** Whether an event pattern's `detail-type` and `source` lists match an event (the parts our rules use). */
export function patternMatches(
  pattern: Record<string, unknown>,
  event: { source: string; detailType: string },
): boolean {
  const list = (key: string) => (Array.isArray(pattern[key]) ? (pattern[key] as unknown[]) : undefined);
  const types = list('detail-type');
  const sources = list('source');
  return (
    (types === undefined || types.includes(event.detailType)) &&
    (sources === undefined || sources.includes(event.source))
  );
}

/** The custom-resource request the provider framework passes to the user's onEvent handler. */
export function customResourceEvent(
  requestType: 'Create' | 'Update',
  resource: { stack: string; logicalId: string; type: string; properties: Record<string, unknown> },
  physicalResourceId: string | undefined,
): unknown {
  const stackId = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${resource.stack}/${randomUUID()}`;
  return {
    RequestType: requestType,
    ServiceToken: String(resource.properties['ServiceToken'] ?? ''),
    ResponseURL: 'https://cloudformation-custom-resource-response.example/deployment-check',
    StackId: stackId,
    RequestId: randomUUID(),
    LogicalResourceId: resource.logicalId,
    ResourceType: resource.type,
    ResourceProperties: resource.properties,
    ...(requestType === 'Update'
      ? { PhysicalResourceId: physicalResourceId, OldResourceProperties: resource.properties }
      : {}),
  };
}
