/**
 * The deployment check's own logic, on small hand-written templates: reference resolution, what
 * the environment may gain, secret injection, event shapes, the report and the self-test's
 * fixture templates. The full check (`npm run check:deployment`) runs in CI through .ci/run.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_SOURCE } from '../../layers/shared/src/adapters/aws/eventbridge-bus.ts';
import {
  domainEventFromEnvelope,
  domainEventSchema,
} from '../../layers/shared/src/core/events/domain-event-schema.ts';
import type { CloudAssembly } from '../deployment/cloud-assembly.ts';
import {
  allowedAdditions,
  buildEnvironment,
  type StandInEndpoints,
} from '../deployment/function-environment.ts';
import { parseDockerfile } from '../deployment/irc-task.ts';
import { MarketSessionFlow } from '../deployment/market-session-flow.ts';
import {
  resolveValue,
  resolveVariables,
  type StandInLookup,
  UnresolvedReference,
} from '../deployment/references.ts';
import { failures, formatTable, PROVIDER_FRAMEWORK_REASON, type ReportEntry } from '../deployment/report.ts';
import { sampleDomainEvent } from '../deployment/sample-events.ts';
import {
  DOCUMENTED_SECRET_SHAPES,
  ecsSecretValue,
  type SecretMaterial,
  secretValue,
} from '../deployment/secret-shapes.ts';
import { reintroduceTemplateDefects } from '../deployment/self-test.ts';
import { SignInFlow, VIEWER_SESSION_ROUTES } from '../deployment/sign-in-flow.ts';
import { managementEndpoint, planStandIns, standInLookup } from '../deployment/stand-in-plan.ts';
import {
  authorizerEvent,
  customResourceEvent,
  httpApiEvent,
  patternMatches,
  scheduleEvent,
  sqsEvent,
} from '../deployment/trigger-events.ts';

const SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:000000000000:secret:engagement-oracle/dev/AirApiKey-AbCdEf';

function assembly(): CloudAssembly {
  return {
    dir: '/nowhere',
    stacks: [
      {
        name: 'App-Data',
        dockerImages: {},
        template: {
          Resources: {
            Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'app-bus' } },
            Air: {
              Type: 'AWS::SecretsManager::Secret',
              Properties: { Name: 'engagement-oracle/dev/AirApiKey' },
            },
            DbSecret: {
              Type: 'AWS::SecretsManager::Secret',
              Properties: { Name: 'engagement-oracle/dev/database' },
            },
            DbAttachment: {
              Type: 'AWS::SecretsManager::SecretTargetAttachment',
              Properties: {
                SecretId: { Ref: 'DbSecret' },
                TargetId: { Ref: 'Cluster' },
                TargetType: 'AWS::RDS::DBCluster',
              },
            },
            Cluster: { Type: 'AWS::RDS::DBCluster', Properties: { DatabaseName: 'oracle' } },
            Proxy: { Type: 'AWS::RDS::DBProxy', Properties: {} },
          },
          Outputs: {
            BusName: { Value: { Ref: 'Bus' }, Export: { Name: 'App-Data:Bus' } },
            ProxyHost: { Value: { 'Fn::GetAtt': ['Proxy', 'Endpoint'] }, Export: { Name: 'App-Data:Proxy' } },
          },
        },
      },
      {
        name: 'App-Pipeline',
        dockerImages: {},
        template: {
          Resources: {
            Work: {
              Type: 'AWS::SQS::Queue',
              Properties: { FifoQueue: true, ContentBasedDeduplication: false },
            },
            Ws: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'WEBSOCKET' } },
            HealthApiFunction1: {
              Type: 'AWS::Lambda::Function',
              Properties: {
                Environment: { Variables: { INGEST_QUEUE_URL: { Ref: 'Work' }, PUBLISH_MODE: 'program' } },
              },
            },
            Daily: {
              Type: 'AWS::Scheduler::Schedule',
              Properties: {
                Target: { Arn: { 'Fn::GetAtt': ['HealthApiFunction1', 'Arn'] }, Input: '{"mode":"daily"}' },
              },
            },
          },
        },
      },
    ],
  };
}

const live = {
  queueUrl: (name: string) => `http://127.0.0.1:9324/000000000000/${name}`,
  database: { host: 'localhost', port: 6543 },
};

function lookup(): StandInLookup {
  const a = assembly();
  return standInLookup(a, planStandIns(a), live);
}

const ctx = (stack = 'App-Pipeline') => ({ assembly: assembly(), stack, standIns: lookup() });

describe('reference resolution', () => {
  it('resolves Ref, Fn::GetAtt, Fn::Join and Fn::Sub to the stand-in of the resource', () => {
    expect(resolveValue({ Ref: 'Work' }, ctx())).toBe(
      'http://127.0.0.1:9324/000000000000/App-Pipeline-Work.fifo',
    );
    expect(resolveValue({ 'Fn::GetAtt': ['Work', 'Arn'] }, ctx())).toBe(
      'arn:aws:sqs:us-east-1:000000000000:App-Pipeline-Work.fifo',
    );
    expect(
      resolveValue({ 'Fn::Join': ['/', ['a', { Ref: 'AWS::Region' }, { Ref: 'AWS::StackName' }]] }, ctx()),
    ).toBe('a/us-east-1/App-Pipeline');
    // CloudFormation's own ${...} syntax, not a template literal
    const sub = ['$', '{Work.QueueName}:$', '{X}:$', '{!Literal}'].join('');
    expect(resolveValue({ 'Fn::Sub': [sub, { X: 'x' }] }, ctx())).toBe(
      `App-Pipeline-Work.fifo:x:$${'{'}Literal}`,
    );
  });

  it("resolves Fn::ImportValue through the exporting stack's output, in that stack", () => {
    expect(resolveValue({ 'Fn::ImportValue': 'App-Data:Bus' }, ctx())).toBe('app-bus');
    expect(resolveValue({ 'Fn::ImportValue': 'App-Data:Proxy' }, ctx())).toBe('localhost');
  });

  it('resolves a secret attached to the cluster to the secret itself', () => {
    expect(resolveValue({ Ref: 'DbAttachment' }, ctx('App-Data'))).toMatch(
      /secret:engagement-oracle\/dev\/database-/,
    );
  });

  it('names the variable and the reference it cannot resolve, and resolves the others', () => {
    const { env, problems } = resolveVariables(
      {
        GOOD: { Ref: 'Work' },
        BAD: { 'Fn::GetAtt': ['Missing', 'Arn'] },
        WORSE: { 'Fn::ImportValue': 'nobody' },
      },
      ctx(),
    );
    expect(Object.keys(env)).toEqual(['GOOD']);
    expect(problems).toEqual([
      'BAD: no stand-in for { Fn::GetAtt: [Missing, Arn] } in App-Pipeline',
      'WORSE: no stack exports nobody',
    ]);
    expect(() => resolveValue({ 'Fn::GetAZs': '' }, ctx())).toThrow(UnresolvedReference);
  });
});

describe('the environment', () => {
  const endpoints: StandInEndpoints = {
    aws: { AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9324' },
    settings: { EVM_RPC_URL: 'http://127.0.0.1:8545', MARKET_FACTORY_ADDRESS: '0xabc' },
    databaseCaFile: '/tmp/ca.pem',
    rewriteUrl: (url) => (url.startsWith('https://ws.') ? 'http://127.0.0.1:7000/prices' : undefined),
  };

  it('replaces endpoint and address settings only where the template sets them, and lists each', () => {
    const built = buildEnvironment(
      { EVM_RPC_URL: 'https://filecoin.example/rpc', MIGRATIONS_DIR: '/var/task/drizzle', STAGE: 'dev' },
      ctx(),
      endpoints,
      { from: '/var/task', to: '/cdk.out/asset.1' },
    );
    expect(built.env).toEqual({
      EVM_RPC_URL: 'http://127.0.0.1:8545',
      MIGRATIONS_DIR: '/cdk.out/asset.1/drizzle',
      STAGE: 'dev',
    });
    expect(built.env).not.toHaveProperty('MARKET_FACTORY_ADDRESS');
    expect(built.substitutions).toHaveLength(2);
    expect(built.substitutions.join('\n')).toContain(
      'EVM_RPC_URL: https://filecoin.example/rpc → http://127.0.0.1:8545',
    );
  });

  it('resolves the WebSocket callback URL to the management stand-in without calling it a substitution', () => {
    const built = buildEnvironment(
      { WS_CALLBACK_URL: 'https://ws.example/prices' },
      ctx(),
      endpoints,
      undefined,
    );
    expect(built.env['WS_CALLBACK_URL']).toBe('http://127.0.0.1:7000/prices');
    expect(built.substitutions).toEqual([]);
  });

  it('adds only the SDK endpoint variables, dummy credentials and the database CA', () => {
    const names = Object.keys(allowedAdditions(endpoints));
    expect(
      names.every(
        (n) => n.startsWith('AWS_ENDPOINT_URL_') || n.startsWith('AWS_') || n === 'DATABASE_CA_FILE',
      ),
    ).toBe(true);
    expect(names.filter((n) => !n.startsWith('AWS_ENDPOINT_URL_'))).toEqual([
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'DATABASE_CA_FILE',
    ]);
  });

  it('maps an execute-api URL of a WebSocket API of the templates, and nothing else', () => {
    const plan = planStandIns(assembly());
    const apiId = plan.webSocketApis[0]?.apiId ?? '';
    expect(
      managementEndpoint(`https://${apiId}.execute-api.us-east-1.amazonaws.com/prices`, plan, 'http://m'),
    ).toBe('http://m/prices');
    expect(
      managementEndpoint('https://other.execute-api.us-east-1.amazonaws.com/prices', plan, 'http://m'),
    ).toBeUndefined();
  });
});

describe('secret injection', () => {
  const material: SecretMaterial = {
    evmPrivateKey: '0x01',
    solanaSecretKey: new Uint8Array(64).fill(1),
    twitch: { clientId: 'id', clientSecret: 'secret' },
    ingestApiKey: 'ingest',
    adminToken: 'admin',
    airApiKey: 'air',
    database: {
      username: 'u',
      password: 'p',
      host: 'localhost',
      port: 5432,
      dbname: 'oracle',
      clusterIdentifier: 'c',
    },
  };

  it('holds every secret in the JSON shape the README documents for it', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const name of Object.keys(DOCUMENTED_SECRET_SHAPES)) {
      // README's checklist: | secret `engagement-oracle/<stage>/<name>` | ... | `{"key":"..."}`, read by ...
      const row = new RegExp(`^\\| secret \`engagement-oracle/<stage>/${name}\`.*?\`(\\{[^\`]*)\``, 'm').exec(
        readme,
      );
      expect(row, `README documents ${name}`).not.toBeNull();
      const documentedKeys = [...(row?.[1] ?? '').matchAll(/"([A-Za-z]+)":/g)].map((m) => m[1]);
      const stored = Object.keys(
        JSON.parse(secretValue(`engagement-oracle/dev/${name}`, false, material) ?? '{}'),
      );
      expect(stored.length, name).toBeGreaterThan(0);
      expect(documentedKeys, name).toEqual(expect.arrayContaining(stored));
    }
  });

  it("stores the cluster's secret in the shape RDS generates", () => {
    expect(JSON.parse(secretValue('engagement-oracle/dev/database', true, material) ?? '{}')).toEqual({
      username: 'u',
      password: 'p',
      engine: 'postgres',
      host: 'localhost',
      port: 5432,
      dbname: 'oracle',
      dbClusterIdentifier: 'c',
    });
  });

  it('injects a whole secret into a task, or one JSON key when ValueFrom names it', () => {
    const read = (arn: string) => (arn === SECRET_ARN ? '{"apiKey":"k","n":1}' : undefined);
    expect(ecsSecretValue(SECRET_ARN, read)).toBe('{"apiKey":"k","n":1}');
    expect(ecsSecretValue(`${SECRET_ARN}:apiKey::`, read)).toBe('k');
    expect(ecsSecretValue(`${SECRET_ARN}:n::`, read)).toBe('1');
    expect(() => ecsSecretValue(`${SECRET_ARN}:missing::`, read)).toThrow(/no key missing/);
    expect(() => ecsSecretValue('arn:aws:ssm:us-east-1:0:parameter/x', read)).toThrow(
      /not a Secrets Manager/,
    );
  });
});

describe('events', () => {
  it("delivers a schedule's Input verbatim", () => {
    expect(scheduleEvent('{"mode":"full"}')).toEqual({ mode: 'full' });
    expect(scheduleEvent(undefined)).toEqual({});
  });

  it('builds SQS batches with the FIFO attributes on FIFO queues, and refuses a FIFO message without them', () => {
    const message = {
      MessageId: 'm1',
      ReceiptHandle: 'r1',
      Body: '{}',
      Attributes: {
        MessageGroupId: 'g',
        SequenceNumber: '1',
        MessageDeduplicationId: 'd',
        ApproximateReceiveCount: '1',
      },
    };
    const fifo = sqsEvent([message], 'arn:q.fifo', true) as {
      Records: { attributes: Record<string, string> }[];
    };
    expect(fifo.Records[0]?.attributes).toMatchObject({
      MessageGroupId: 'g',
      SequenceNumber: '1',
      MessageDeduplicationId: 'd',
    });
    const standard = sqsEvent([message], 'arn:q', false) as {
      Records: { attributes: Record<string, string> }[];
    };
    expect(standard.Records[0]?.attributes).not.toHaveProperty('MessageGroupId');
    expect(() => sqsEvent([{ MessageId: 'm2', Body: '{}', Attributes: {} }], 'arn:q.fifo', true)).toThrow(
      /MessageGroupId/,
    );
  });

  it("builds HTTP API v2 requests with the route's path parameters and the authorizer's context", () => {
    const event = httpApiEvent(
      'GET /claims/{epoch}/{user}',
      { pathParameters: { epoch: '1', user: 'a b' }, query: { limit: '2' } },
      { apiId: 'api', authorizer: { role: 'admin' } },
    ) as Record<string, unknown> & { requestContext: Record<string, unknown> };
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /claims/{epoch}/{user}',
      rawPath: '/claims/1/a%20b',
      rawQueryString: 'limit=2',
    });
    expect(event.requestContext['authorizer']).toEqual({ lambda: { role: 'admin' } });
    expect(() => httpApiEvent('GET /claims/{user}', {}, { apiId: 'api' })).toThrow(
      /no value for path parameter user/,
    );
  });

  it('gives the authorizer its identity source and no body', () => {
    const event = authorizerEvent(
      'POST /ingest',
      { body: { a: 1 }, headers: { 'x-api-key': 'k' } },
      ['k'],
      'api',
    ) as Record<string, unknown>;
    expect(event).toMatchObject({ type: 'REQUEST', identitySource: ['k'], routeKey: 'POST /ingest' });
    expect(event).not.toHaveProperty('body');
  });

  it('sends the custom resource Create, then Update with the physical id Create returned', () => {
    const resource = {
      stack: 's',
      logicalId: 'Migrations',
      type: 'Custom::X',
      properties: { ServiceToken: 't', Hash: 'h' },
    };
    expect(customResourceEvent('Create', resource, undefined)).not.toHaveProperty('PhysicalResourceId');
    expect(customResourceEvent('Update', resource, 'p1')).toMatchObject({
      RequestType: 'Update',
      PhysicalResourceId: 'p1',
      OldResourceProperties: { Hash: 'h' },
    });
  });

  it('matches rule patterns on detail-type and source', () => {
    const pattern = { 'detail-type': ['PriceUpdated'], source: ['engagement-oracle'] };
    expect(patternMatches(pattern, { detailType: 'PriceUpdated', source: 'engagement-oracle' })).toBe(true);
    expect(patternMatches(pattern, { detailType: 'TokenMinted', source: 'engagement-oracle' })).toBe(false);
    expect(patternMatches(pattern, { detailType: 'PriceUpdated', source: 'other' })).toBe(false);
  });
});

describe('sample domain events', () => {
  const seedData = {
    channel: 'deploycheck',
    viewers: ['viewer_one'],
    epoch: 1_767_261_600,
    creatorAddress: '0x00000000000000000000000000000000000e0a03',
    credentialId: 'cred-1',
    credentialHolder: '0x00000000000000000000000000000000000e0a01',
    marketUser: '0x00000000000000000000000000000000000e0a02',
    marketWallet: { address: '0x00000000000000000000000000000000000e0a02', signMessage: async () => '0x' },
    marketToken: '0x00000000000000000000000000000000000e0a05',
  };

  it('has one the consumers accept for every domain event type a rule can match', () => {
    for (const option of domainEventSchema.options) {
      const type = option.shape.type.value;
      const event = sampleDomainEvent(type, seedData);
      expect(event.type).toBe(type);
      expect(
        domainEventFromEnvelope({ 'detail-type': type, source: EVENT_SOURCE, detail: { ...event } }),
      ).toEqual(event);
    }
    expect(() => sampleDomainEvent('ChannelRenamed', seedData)).toThrow('no sample ChannelRenamed event');
  });
});

describe('the report', () => {
  const entry = (outcome: ReportEntry['outcome'], detail = ''): ReportEntry => ({
    stage: 'dev',
    stack: 'EngagementOracle-dev-Api',
    logicalId: 'Fn',
    handler: 'index.handler',
    trigger: 'GET /health',
    outcome,
    detail,
  });

  it("fails on anything failed and on a skip that is not CDK's provider framework", () => {
    expect(
      failures({ functions: [entry('ok'), entry('skipped', PROVIDER_FRAMEWORK_REASON)], tasks: [] }),
    ).toEqual([]);
    expect(
      failures({ functions: [entry('skipped', 'not written yet')], tasks: [entry('failed', 'x')] }),
    ).toHaveLength(2);
  });

  it("prints each entry's first detail line only for entries that are not ok", () => {
    const table = formatTable([entry('failed', 'first line\nsecond'), entry('ok', 'substituted X')]);
    expect(table).toContain('first line');
    expect(table).not.toContain('second');
    expect(table).not.toContain('substituted X');
  });
});

describe('the image and the self-test fixtures', () => {
  it("reads the final stage's Node major, ENV and CMD from the Dockerfile", () => {
    const dockerfile = parseDockerfile(
      readFileSync(new URL('../../functions/worker/irc/Dockerfile', import.meta.url), 'utf8'),
    );
    expect(dockerfile.nodeMajor).toBe('24');
    expect(dockerfile.env).toMatchObject({ NODE_ENV: 'production' });
    expect(dockerfile.cmd).toEqual(['node', '--import', 'tsx', 'functions/worker/irc/index.ts']);
  });

  it('puts the template defects back: the full-mode schedule input, no queue URL on health', () => {
    const patched = reintroduceTemplateDefects(assembly());
    const resources = patched.stacks[1]?.template.Resources ?? {};
    const target = resources['Daily']?.Properties?.['Target'] as { Input?: string } | undefined;
    expect(target?.Input).toBe('{"mode":"full"}');
    const environment = resources['HealthApiFunction1']?.Properties?.['Environment'] as
      | { Variables?: Record<string, unknown> }
      | undefined;
    const vars = environment?.Variables;
    expect(vars).not.toHaveProperty('INGEST_QUEUE_URL');
    // only the publisher loses PUBLISH_MODE: sealing, which needs it too, must still feed it a root
    expect(vars).toHaveProperty('PUBLISH_MODE', 'program');
    // the original is left as it was
    expect(JSON.stringify(assembly())).toContain('"mode\\":\\"daily\\"');
  });
});

describe('where a stage switched sign-in off', () => {
  const wallet = {
    address: '0x0000000000000000000000000000000000000001',
  } as unknown as ConstructorParameters<typeof MarketSessionFlow>[0];

  it('walks the market routes without a session and takes 503 from sign-in, 401 from the session routes', async () => {
    const off = new MarketSessionFlow(wallet, {});
    expect(off.off).toBe(true);
    const subscribe = await off.step('POST /api/notifications/subscribe', { body: { userId: 'u' } }, []);
    expect(subscribe).toEqual({ kind: 'request', request: { body: { userId: 'u' } } });
    const sms = await off.step('POST /api/notifications/verify/sms', undefined, []);
    expect(sms.kind).toBe('request');
    const body =
      '{"error":{"code":"DEPENDENCY_FAILED","message":"sign-in is not configured: MARKET_SIWE_DOMAIN"}}';
    expect(off.acceptsUnavailable('POST /api/auth/nonce', 503, body)).toBe(true);
    expect(off.acceptsUnavailable('POST /api/auth/nonce', 503, '{}')).toBe(false);
    expect(off.acceptsUnavailable('POST /api/notifications/subscribe', 401, '{}')).toBe(true);
    expect(off.acceptsUnavailable('POST /api/notifications/subscribe', 500, '{}')).toBe(false);
    const on = new MarketSessionFlow(wallet, {
      MARKET_SIWE_DOMAIN: 'app.example.com',
      MARKET_SIWE_URI: 'https://app.example.com',
      MARKET_SIWE_CHAIN_ID: '8453',
    });
    expect(on.off).toBe(false);
    expect(on.acceptsUnavailable('POST /api/auth/nonce', 503, body)).toBe(false);
    expect((await on.step('POST /api/notifications/subscribe', {}, [])).kind).toBe('unavailable');
  });

  it('sends the viewer session routes without a session where Twitch sign-in is off, and takes 401', () => {
    const twitch = { authorizeUrl: 'http://127.0.0.1/oauth2/authorize' } as unknown as ConstructorParameters<
      typeof SignInFlow
    >[0];
    const off = new SignInFlow(twitch, 'viewer_two', {});
    for (const routeKey of VIEWER_SESSION_ROUTES) {
      const step = off.sessionStep(routeKey);
      expect(step.kind).toBe('request');
      expect(step.kind === 'request' ? step.request.headers?.['authorization'] : 'x').toBeUndefined();
      expect(off.acceptsUnavailable(routeKey, 401, '{}')).toBe(true);
    }
    expect(off.sessionStep('POST /claims/{user}/transactions')).toMatchObject({
      request: { pathParameters: { user: 'viewer_two' } },
    });
    const on = new SignInFlow(twitch, 'viewer_two', { TWITCH_REDIRECT_URIS: 'https://app.example.com/cb' });
    expect(on.sessionStep('POST /suppressions/self').kind).toBe('unavailable');
    expect(on.acceptsUnavailable('POST /suppressions/self', 401, '{}')).toBe(false);
  });
});
