/**
 * The wiring of every function in the registry (lib/functions.ts), whether or not its code exists
 * yet: queues, schedules, routes, and the grants each function gets.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PER_IP_LIMITS } from '../../functions/api/contract/per-ip-limits.ts';
import { AUTHORIZER_CACHE_SECONDS } from '../../layers/shared/src/key-change-budget.ts';
import { FUNCTIONS, routeKeyOf, type SecretName } from '../../lib/functions.ts';
import { QUEUES } from '../../lib/stacks/pipeline-stack.ts';
import {
  allows,
  logicalIdOf,
  nagFindings,
  removeOutput,
  resourcesOf,
  type Synthesized,
  statementsOfRole,
  synthesize,
} from './synth.ts';

let full: Synthesized;

beforeAll(() => {
  full = synthesize();
});

afterAll(() => {
  removeOutput(full);
});

describe('work queues', () => {
  it('gives each queue a DLQ with the maxReceiveCount of DESIGN.md section 2', () => {
    const t = full.template(full.deployment.pipeline);
    for (const [name, spec] of Object.entries(QUEUES)) {
      const wq = full.queue(name as keyof typeof QUEUES);
      const dlqId = logicalIdOf(wq.deadLetterQueue);
      t.hasResourceProperties('AWS::SQS::Queue', {
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
          maxReceiveCount: spec.maxReceiveCount,
        },
        ...(spec.fifo ? { FifoQueue: true, ContentBasedDeduplication: false } : {}),
      });
    }
  });

  it('makes publish and oracle-calls FIFO, with a high receive backstop on oracle-calls', () => {
    expect(QUEUES.publish.fifo).toBe(true);
    expect(QUEUES.oracleCalls.fifo).toBe(true);
    expect(QUEUES.oracleCalls.maxReceiveCount).toBeGreaterThanOrEqual(50);
    const t = full.template(full.deployment.pipeline);
    const fifo = Object.values(resourcesOf(t, 'AWS::SQS::Queue')).filter(
      (q) => q.Properties?.FifoQueue === true,
    );
    // two FIFO queues and their two FIFO DLQs
    expect(fifo).toHaveLength(4);
  });

  it('alarms on every DLQ and on the age of every queue', () => {
    const t = full.template(full.deployment.pipeline);
    for (const wq of Object.values(full.deployment.pipeline.queues).filter((q) => q !== undefined)) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [logicalIdOf(wq.deadLetterQueue), 'QueueName'] },
          },
        ],
        Threshold: 1,
      });
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(wq.queue), 'QueueName'] } }],
      });
    }
  });

  it('subscribes each consumer with partial batch failure reporting', () => {
    const t = full.template(full.deployment.pipeline);
    const consumers = FUNCTIONS.filter((f) => f.trigger.kind === 'queue');
    expect(consumers).toHaveLength(4);
    for (const spec of consumers) {
      if (spec.trigger.kind !== 'queue') continue;
      const fn = full.deployment.pipeline.functions[spec.name]?.function;
      const queue = full.queue(spec.trigger.queue).queue;
      expect(fn).toBeDefined();
      t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: logicalIdOf(fn as NonNullable<typeof fn>) },
        EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(queue), 'Arn'] },
        BatchSize: spec.trigger.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
  });

  it('sets each queue visibility timeout to six times its consumer timeout', () => {
    const t = full.template(full.deployment.pipeline);
    for (const spec of FUNCTIONS) {
      if (spec.trigger.kind !== 'queue') continue;
      const queue = full.queue(spec.trigger.queue).queue;
      const resource = t.toJSON().Resources[logicalIdOf(queue)];
      expect(resource.Properties.VisibilityTimeout).toBe(6 * (spec.timeoutSeconds ?? 30));
    }
  });

  it('routes domain events that notify users from the bus to the notifications queue', () => {
    full.template(full.deployment.pipeline).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'detail-type': Match.arrayWith(['TokenMinted', 'MilestoneReached']) },
      Targets: [
        Match.objectLike({
          Arn: {
            'Fn::GetAtt': [logicalIdOf(full.queue('notifications').queue), 'Arn'],
          },
        }),
      ],
    });
  });
});

describe('schedules', () => {
  const scheduled = FUNCTIONS.flatMap((f) =>
    f.trigger.kind === 'schedule' ? f.trigger.schedules.map((s) => ({ fn: f.name, ...s })) : [],
  );

  it('creates the schedules of DESIGN.md section 2', () => {
    const byFunction = (name: string) => scheduled.filter((s) => s.fn === name).map((s) => s.expression);
    expect(byFunction('Discovery')).toEqual(['cron(0 0 * * ? *)', 'rate(5 minutes)']);
    expect(byFunction('Seal')).toEqual(['cron(5 * * * ? *)']);
    expect(byFunction('PublishRoots')).toEqual(['rate(1 minute)']);
    expect(byFunction('DeliveryConfirmer')).toEqual(['rate(1 minute)']);
    expect(byFunction('MarketPoller')).toEqual(['rate(1 minute)']);
    expect(byFunction('CreatorSync')).toHaveLength(1);
    expect(byFunction('TokenGeneration')).toHaveLength(1);
    full.template(full.deployment.pipeline).resourceCountIs('AWS::Scheduler::Schedule', scheduled.length);
  });

  it('targets each schedule at its function with a retry policy and its own DLQ', () => {
    const t = full.template(full.deployment.pipeline);
    const dlqs = new Set<string>();
    for (const s of scheduled) {
      const fn = full.deployment.pipeline.functions[s.fn]?.function;
      const schedule = full.deployment.pipeline.schedules[s.id];
      expect(fn).toBeDefined();
      expect(schedule).toBeDefined();
      if (fn === undefined || schedule === undefined) continue;
      const dlqId = logicalIdOf(schedule.deadLetterQueue);
      dlqs.add(dlqId);
      t.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: s.expression,
        State: 'ENABLED',
        Target: Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalIdOf(fn), 'Arn'] },
          RetryPolicy: {
            MaximumRetryAttempts: s.retryAttempts ?? 3,
            MaximumEventAgeInSeconds: s.maxEventAgeSeconds ?? 3600,
          },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
          ...(s.input === undefined ? {} : { Input: JSON.stringify(s.input) }),
        }),
      });
    }
    expect(dlqs.size).toBe(scheduled.length);
  });
});

describe('scheduled functions', () => {
  it('do not retry an every-minute job asynchronously: the next tick is its retry', () => {
    const t = full.template(full.deployment.pipeline);
    for (const name of ['PublishRoots', 'DeliveryConfirmer', 'MarketPoller']) {
      const fn = full.deployment.pipeline.functions[name]?.function;
      expect(fn, name).toBeDefined();
      if (fn === undefined) continue;
      t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalIdOf(fn) },
        MaximumRetryAttempts: 0,
      });
    }
  });
});

describe('functions', () => {
  it('runs every Lambda on Node 24, ARM64, with tracing and the Powertools environment', () => {
    const made = [
      ...Object.values(full.deployment.pipeline.functions).map(
        (fn) => [full.deployment.pipeline, fn] as const,
      ),
      ...Object.values(full.deployment.api.functions).map((fn) => [full.deployment.api, fn] as const),
    ];
    expect(made).toHaveLength(FUNCTIONS.length);
    for (const [stack, fn] of made) {
      const props = full.template(stack).toJSON().Resources[logicalIdOf(fn.function)].Properties;
      expect(props).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: logicalIdOf(fn.logGroup) } },
        Environment: {
          Variables: {
            POWERTOOLS_SERVICE_NAME: 'engagement-oracle',
            POWERTOOLS_METRICS_NAMESPACE: 'EngagementOracle',
            LOG_LEVEL: 'DEBUG',
          },
        },
      });
    }
  });

  it('puts database functions in the private subnets with the client security group, and no others', () => {
    for (const spec of FUNCTIONS) {
      const stack = spec.stack === 'api' ? full.deployment.api : full.deployment.pipeline;
      const fn = (spec.stack === 'api' ? full.deployment.api.functions : full.deployment.pipeline.functions)[
        spec.name
      ];
      expect(fn).toBeDefined();
      if (fn === undefined) continue;
      const props = full.template(stack).toJSON().Resources[logicalIdOf(fn.function)].Properties;
      if (spec.database === true) {
        expect(JSON.stringify(props.VpcConfig.SecurityGroupIds)).toContain('DatabaseClientSecurityGroup');
        expect(JSON.stringify(props.VpcConfig.SubnetIds)).toContain('PrivateSubnet');
        expect(props.Environment.Variables).toHaveProperty('DB_HOST');
      } else {
        expect(props.VpcConfig).toBeUndefined();
        expect(props.Environment.Variables).not.toHaveProperty('DB_SECRET_ARN');
      }
    }
  });
});

/** Functions (by registry name) whose role may read the secret with this logical id in the data stack. */
function readersOf(s: Synthesized, secretLogicalId: string): string[] {
  const readers: string[] = [];
  for (const [stack, fns] of [
    [s.deployment.pipeline, s.deployment.pipeline.functions],
    [s.deployment.api, s.deployment.api.functions],
  ] as const) {
    const template = s.template(stack);
    for (const [name, fn] of Object.entries(fns)) {
      const roleId = logicalIdOf(fn.function.role as NonNullable<typeof fn.function.role>);
      const reads = statementsOfRole(template, roleId).some((st) =>
        allows(st, 'secretsmanager:GetSecretValue', secretLogicalId),
      );
      if (reads) readers.push(name);
    }
  }
  return readers.sort();
}

describe('least privilege', () => {
  const secretId = (name: SecretName) => logicalIdOf(full.deployment.data.secrets[name]);

  it('lets only the functions that sign read the signer keys', () => {
    expect(readersOf(full, secretId('evmSigner'))).toEqual(['DeliveryConfirmer', 'OracleCalls']);
    expect(readersOf(full, secretId('solanaPublisher'))).toEqual(['Publisher']);
  });

  it('lets the wallet binding routes read the Twitch app credentials they exchange codes with', () => {
    expect(readersOf(full, secretId('twitch'))).toEqual(['Discovery', 'WalletsApi']);
  });

  it('grants every secret to exactly the functions the registry lists for it', () => {
    for (const name of Object.keys(full.deployment.data.secrets) as SecretName[]) {
      // a function's own secrets, and those of the systems it probes (all enabled in this synthesis)
      const expected = FUNCTIONS.filter(
        (f) => f.secrets?.includes(name) || f.probes?.some((probe) => probe.secrets?.includes(name)),
      )
        .map((f) => f.name)
        .sort();
      expect(readersOf(full, secretId(name)), name).toEqual(expected);
    }
  });

  it('grants the database credentials to exactly the database functions', () => {
    // functions are granted the secret as attached to the cluster
    const dbSecret = full.deployment.data.database.secret;
    const expected = FUNCTIONS.filter((f) => f.database === true)
      .map((f) => f.name)
      .sort();
    expect(readersOf(full, logicalIdOf(dbSecret))).toEqual(expected);
  });

  it('lets only the delivery engine move calls to the oracle-calls DLQ', () => {
    const dlqId = logicalIdOf(full.queue('oracleCalls').deadLetterQueue);
    const t = full.template(full.deployment.pipeline);
    const senders = Object.entries(full.deployment.pipeline.functions)
      .filter(([, fn]) =>
        statementsOfRole(t, logicalIdOf(fn.function.role as NonNullable<typeof fn.function.role>)).some(
          (st) => allows(st, 'sqs:SendMessage', dlqId),
        ),
      )
      .map(([name]) => name)
      .sort();
    expect(senders).toEqual(['DeliveryConfirmer', 'OracleCalls']);
  });
});
describe('tables', () => {
  it('gives the rate-limit table to each function that serves a route with a per-IP limit', () => {
    const limited = FUNCTIONS.filter(
      (spec) =>
        spec.trigger.kind === 'http' &&
        spec.trigger.routes.some((r) => PER_IP_LIMITS[routeKeyOf(r)] !== undefined),
    );
    expect(limited.map((s) => s.name)).toEqual(
      expect.arrayContaining(['WalletsApi', 'Graphql', 'GenerateClaim']),
    );
    const table = logicalIdOf(full.deployment.data.tables.rateLimits);
    for (const spec of limited) {
      const fn = full.deployment.api.functions[spec.name];
      expect(fn, spec.name).toBeDefined();
      if (fn === undefined) continue;
      const props = full.template(full.deployment.api).toJSON().Resources[
        logicalIdOf(fn.function)
      ].Properties;
      expect(JSON.stringify(props.Environment.Variables.RATE_LIMIT_TABLE), spec.name).toContain(table);
      const statements = statementsOfRole(
        full.template(full.deployment.api),
        logicalIdOf(fn.function.role as NonNullable<typeof fn.function.role>),
      );
      expect(
        statements.some((s) => allows(s, 'dynamodb:UpdateItem', table)),
        spec.name,
      ).toBe(true);
    }
  });

  it('grants table access on the table and its named indexes, never on index/*', () => {
    for (const stack of [full.deployment.pipeline, full.deployment.api]) {
      const policies = JSON.stringify(resourcesOf(full.template(stack), 'AWS::IAM::Policy'));
      expect(policies).not.toContain('/index/*');
    }
    const ws = full.deployment.api.functions.WsBroadcast;
    expect(ws).toBeDefined();
    const policies = JSON.stringify(resourcesOf(full.template(full.deployment.api), 'AWS::IAM::Policy'));
    expect(policies).toContain('/index/ByTopic');
  });
});

describe('api', () => {
  it('creates every route of the registry on the HTTP API', () => {
    const t = full.template(full.deployment.api);
    const routes = FUNCTIONS.flatMap((f) => (f.trigger.kind === 'http' ? f.trigger.routes : []));
    t.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length + 6);
    for (const r of routes) {
      t.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: `${r.method} ${r.path}`,
        AuthorizationType: r.auth === 'none' ? 'NONE' : 'CUSTOM',
        ...(r.auth === 'none' ? {} : { AuthorizerId: Match.anyValue() }),
      });
    }
  });

  it('protects /ingest with the API-key authorizer and admin routes with the admin-token authorizer', () => {
    const t = full.template(full.deployment.api);
    const authorizers = resourcesOf(t, 'AWS::ApiGatewayV2::Authorizer');
    const byHeader = (header: string) =>
      Object.entries(authorizers).find(([, a]) =>
        JSON.stringify(a.Properties?.IdentitySource).includes(header),
      )?.[0];
    const apiKey = byHeader('x-api-key');
    const admin = byHeader('Authorization');
    expect(apiKey).toBeDefined();
    expect(admin).toBeDefined();
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /ingest',
      AuthorizerId: { Ref: apiKey },
    });
    for (const key of [
      'GET /admin/oracle-calls',
      'POST /admin/oracle-calls/{id}/retry',
      'POST /suppressions',
    ]) {
      t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: key, AuthorizerId: { Ref: admin } });
    }
    // A removed key or token must stop working within 60 s: the gateway's cache is part of that.
    for (const authorizer of Object.values(authorizers)) {
      expect(authorizer.Properties?.['AuthorizerResultTtlInSeconds']).toBe(AUTHORIZER_CACHE_SECONDS);
    }
  });

  it('names the deployment to the wallet binding routes by the HTTP API’s own endpoint', () => {
    const api = full.deployment.api;
    const t = full.template(api);
    const wallets = api.functions.WalletsApi;
    expect(wallets).toBeDefined();
    const fn = resourcesOf(t, 'AWS::Lambda::Function')[
      logicalIdOf((wallets as NonNullable<typeof wallets>).function)
    ];
    const variables = (fn?.Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables;
    const origin = variables?.['API_ORIGIN'];
    expect(origin).toEqual({ 'Fn::GetAtt': [logicalIdOf(api.httpApi), 'ApiEndpoint'] });
  });

  it('throttles the stage and the write routes, and writes access logs', () => {
    const t = full.template(full.deployment.api);
    const ingestRoute = Object.entries(resourcesOf(t, 'AWS::ApiGatewayV2::Route')).find(
      ([, r]) => r.Properties?.RouteKey === 'POST /ingest',
    )?.[0];
    // route settings name the route, so the stage waits for it
    t.hasResource('AWS::ApiGatewayV2::Stage', { DependsOn: Match.arrayWith([ingestRoute]) });
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      RouteSettings: Match.objectLike({
        'POST /ingest': { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
      }),
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('serves the price stream over a WebSocket API backed by the connections table', () => {
    const t = full.template(full.deployment.api);
    t.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
    for (const key of ['$connect', '$disconnect', 'subscribe'])
      t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: key });
    t.hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'detail-type': ['PriceUpdated'] } });
    const ws = full.deployment.api.functions.WsPrices?.function;
    expect(ws).toBeDefined();
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          WS_CONNECTIONS_TABLE: Match.anyValue(),
          WS_CALLBACK_URL: Match.anyValue(),
        }),
      },
    });
  });
});

describe('cdk-nag AwsSolutions checks', () => {
  it('leave no unacknowledged finding once every registered function exists', () => {
    expect(nagFindings(full.app)).toEqual([]);
  });
});
