/**
 * Which local stand-in each template resource gets, and what its `Ref` and attributes resolve
 * to: queues and topics in fauxqs, tables in dynalite, secrets in the Secrets Manager stand-in,
 * the database proxy and cluster in embedded PostgreSQL, the WebSocket API in the management
 * stand-in. Names follow CloudFormation's own (`<stack>-<logicalId>`, `.fifo` for FIFO queues).
 */
import { type CfnResource, type CloudAssembly, referencedId, resourcesOfType } from './cloud-assembly.ts';
import { PSEUDO_PARAMETERS, type StandInLookup, type StandInValue } from './references.ts';

const REGION = PSEUDO_PARAMETERS['AWS::Region'];
const ACCOUNT = PSEUDO_PARAMETERS['AWS::AccountId'];

export interface PlannedQueue {
  readonly stack: string;
  readonly logicalId: string;
  readonly name: string;
  readonly fifo: boolean;
  readonly attributes: Record<string, string>;
  /** Logical id of its dead-letter queue, from the RedrivePolicy. */
  readonly deadLetterQueue?: string;
  readonly maxReceiveCount?: number;
}

export interface PlannedTable {
  readonly stack: string;
  readonly logicalId: string;
  readonly name: string;
  readonly properties: Record<string, unknown>;
}

export interface PlannedSecret {
  readonly stack: string;
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** The secret RDS fills in (attached to a DB cluster). */
  readonly attachedToDatabase: boolean;
}

export interface StandInPlan {
  readonly queues: readonly PlannedQueue[];
  readonly tables: readonly PlannedTable[];
  readonly secrets: readonly PlannedSecret[];
  readonly topics: readonly { stack: string; logicalId: string; name: string }[];
  readonly buses: readonly { stack: string; logicalId: string; name: string }[];
  readonly webSocketApis: readonly { stack: string; logicalId: string; apiId: string }[];
  /** HTTP APIs: their endpoint is what WalletsApi names as `API_ORIGIN`. */
  readonly httpApis: readonly { stack: string; logicalId: string; apiId: string }[];
  readonly databaseName: string;
}

/** Endpoints of the started stand-ins that `Ref`s and attributes point at. */
export interface LiveEndpoints {
  readonly queueUrl: (name: string) => string;
  readonly database: { readonly host: string; readonly port: number };
}

const physicalName = (stack: string, logicalId: string) => `${stack}-${logicalId}`;

function literal(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function planStandIns(assembly: CloudAssembly): StandInPlan {
  const queues = resourcesOfType(assembly, 'AWS::SQS::Queue').map(({ stack, logicalId, resource }) => {
    const p = resource.Properties ?? {};
    const fifo = p['FifoQueue'] === true || p['FifoQueue'] === 'true';
    const base = literal(p['QueueName']) ?? physicalName(stack, logicalId);
    const redrive = p['RedrivePolicy'] as
      | { deadLetterTargetArn?: unknown; maxReceiveCount?: number }
      | undefined;
    const deadLetterQueue = redrive === undefined ? undefined : referencedId(redrive.deadLetterTargetArn);
    const attributes: Record<string, string> = {};
    if (fifo) attributes['FifoQueue'] = 'true';
    if (p['ContentBasedDeduplication'] !== undefined) {
      attributes['ContentBasedDeduplication'] = String(p['ContentBasedDeduplication']);
    }
    if (p['VisibilityTimeout'] !== undefined)
      attributes['VisibilityTimeout'] = String(p['VisibilityTimeout']);
    return {
      stack,
      logicalId,
      name: fifo && !base.endsWith('.fifo') ? `${base}.fifo` : base,
      fifo,
      attributes,
      ...(deadLetterQueue === undefined ? {} : { deadLetterQueue }),
      ...(redrive?.maxReceiveCount === undefined ? {} : { maxReceiveCount: redrive.maxReceiveCount }),
    };
  });
  const tables = resourcesOfType(assembly, 'AWS::DynamoDB::Table').map(({ stack, logicalId, resource }) => ({
    stack,
    logicalId,
    name: literal(resource.Properties?.['TableName']) ?? physicalName(stack, logicalId),
    properties: resource.Properties ?? {},
  }));
  const attached = new Set(
    resourcesOfType(assembly, 'AWS::SecretsManager::SecretTargetAttachment')
      .filter(({ resource }) => String(resource.Properties?.['TargetType']).startsWith('AWS::RDS::DBCluster'))
      .map(({ stack, resource }) => `${stack}/${referencedId(resource.Properties?.['SecretId'])}`),
  );
  const secrets = resourcesOfType(assembly, 'AWS::SecretsManager::Secret').map(
    ({ stack, logicalId, resource }) => {
      const name = literal(resource.Properties?.['Name']) ?? physicalName(stack, logicalId);
      return {
        stack,
        logicalId,
        name,
        // Secrets Manager appends six random characters to a secret's name in its ARN.
        arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`,
        attachedToDatabase: attached.has(`${stack}/${logicalId}`),
      };
    },
  );
  const topics = resourcesOfType(assembly, 'AWS::SNS::Topic').map(({ stack, logicalId, resource }) => ({
    stack,
    logicalId,
    name: literal(resource.Properties?.['TopicName']) ?? physicalName(stack, logicalId),
  }));
  const buses = resourcesOfType(assembly, 'AWS::Events::EventBus').map(({ stack, logicalId, resource }) => ({
    stack,
    logicalId,
    name: literal(resource.Properties?.['Name']) ?? physicalName(stack, logicalId),
  }));
  const webSocketApis = resourcesOfType(assembly, 'AWS::ApiGatewayV2::Api')
    .filter(({ resource }) => resource.Properties?.['ProtocolType'] === 'WEBSOCKET')
    .map(({ stack, logicalId }) => ({ stack, logicalId, apiId: logicalId.toLowerCase().slice(0, 10) }));
  const httpApis = resourcesOfType(assembly, 'AWS::ApiGatewayV2::Api')
    .filter(({ resource }) => resource.Properties?.['ProtocolType'] === 'HTTP')
    .map(({ stack, logicalId }) => ({ stack, logicalId, apiId: logicalId.toLowerCase().slice(0, 10) }));
  const cluster = resourcesOfType(assembly, 'AWS::RDS::DBCluster')[0]?.resource;
  return {
    queues,
    tables,
    secrets,
    topics,
    buses,
    webSocketApis,
    httpApis,
    databaseName: literal(cluster?.Properties?.['DatabaseName']) ?? 'postgres',
  };
}

/** What each resource's `Ref` and `Fn::GetAtt` resolve to, once the stand-ins run. */
export function standInLookup(
  assembly: CloudAssembly,
  plan: StandInPlan,
  live: LiveEndpoints,
): StandInLookup {
  const values = new Map<string, StandInValue>();
  const key = (stack: string, logicalId: string) => `${stack}/${logicalId}`;
  for (const q of plan.queues) {
    const arn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${q.name}`;
    const url = live.queueUrl(q.name);
    values.set(key(q.stack, q.logicalId), {
      ref: url,
      attributes: { Arn: arn, QueueName: q.name, QueueUrl: url },
    });
  }
  for (const t of plan.tables) {
    values.set(key(t.stack, t.logicalId), {
      ref: t.name,
      attributes: { Arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${t.name}` },
    });
  }
  for (const s of plan.secrets) values.set(key(s.stack, s.logicalId), { ref: s.arn, attributes: {} });
  for (const t of plan.topics) {
    const arn = `arn:aws:sns:${REGION}:${ACCOUNT}:${t.name}`;
    values.set(key(t.stack, t.logicalId), { ref: arn, attributes: { TopicArn: arn, TopicName: t.name } });
  }
  for (const b of plan.buses) {
    const arn = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${b.name}`;
    values.set(key(b.stack, b.logicalId), { ref: b.name, attributes: { Arn: arn, Name: b.name } });
  }
  for (const api of plan.webSocketApis) {
    values.set(key(api.stack, api.logicalId), {
      ref: api.apiId,
      attributes: { ApiId: api.apiId, ApiEndpoint: `wss://${api.apiId}.execute-api.${REGION}.amazonaws.com` },
    });
  }
  for (const api of plan.httpApis) {
    values.set(key(api.stack, api.logicalId), {
      ref: api.apiId,
      attributes: {
        ApiId: api.apiId,
        ApiEndpoint: `https://${api.apiId}.execute-api.${REGION}.amazonaws.com`,
      },
    });
  }
  const { host, port } = live.database;
  for (const stack of assembly.stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
      const value = derivedValue(stack.name, logicalId, resource, host, port, (id) =>
        values.get(key(stack.name, id)),
      );
      if (value !== undefined && !values.has(key(stack.name, logicalId)))
        values.set(key(stack.name, logicalId), value);
    }
  }
  return (stack, logicalId) => values.get(key(stack, logicalId));
}

function derivedValue(
  stack: string,
  logicalId: string,
  resource: CfnResource,
  dbHost: string,
  dbPort: number,
  sibling: (logicalId: string) => StandInValue | undefined,
): StandInValue | undefined {
  switch (resource.Type) {
    case 'AWS::SecretsManager::SecretTargetAttachment': {
      const secret = referencedId(resource.Properties?.['SecretId']);
      return secret === undefined ? undefined : { ref: sibling(secret)?.ref ?? '', attributes: {} };
    }
    case 'AWS::RDS::DBProxy':
      return { ref: logicalId, attributes: { Endpoint: dbHost } };
    case 'AWS::RDS::DBCluster':
      return {
        ref: logicalId.toLowerCase(),
        attributes: {
          'Endpoint.Address': dbHost,
          'Endpoint.Port': String(dbPort),
          'ReadEndpoint.Address': dbHost,
        },
      };
    case 'AWS::Lambda::Function': {
      const name = physicalName(stack, logicalId);
      return { ref: name, attributes: { Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}` } };
    }
    case 'AWS::CloudFront::Distribution': {
      const id = `E${logicalId
        .replace(/[^A-Za-z0-9]/g, '')
        .toUpperCase()
        .slice(0, 13)}`;
      return { ref: id, attributes: { Id: id, DomainName: `d${id.slice(1).toLowerCase()}.cloudfront.net` } };
    }
    case 'AWS::S3::Bucket': {
      const name = physicalName(stack, logicalId).toLowerCase().slice(0, 63);
      return {
        ref: name,
        attributes: {
          Arn: `arn:aws:s3:::${name}`,
          DomainName: `${name}.s3.amazonaws.com`,
          RegionalDomainName: `${name}.s3.${REGION}.amazonaws.com`,
        },
      };
    }
    case 'AWS::Logs::LogGroup':
      return { ref: `/aws/${stack}/${logicalId}`, attributes: {} };
    default:
      return undefined;
  }
}

/** `https://{api}.execute-api.{region}.amazonaws.com/{stage}` of a WebSocket API → its management stand-in. */
export function managementEndpoint(
  url: string,
  plan: StandInPlan,
  managementUrl: string,
): string | undefined {
  const match = /^https:\/\/([a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com(\/.*)?$/.exec(url);
  if (match === null || !plan.webSocketApis.some((api) => api.apiId === match[1])) return undefined;
  return `${managementUrl}${match[2] ?? ''}`;
}
