/**
 * The committed stages as `cdk deploy -c stage=dev|prod` synthesizes them (lib/stages/dev.json,
 * prod.json): the data stack, cdk-nag, and what the templates give the code. Every deployed
 * function and the IRC task get what their cold start requires; the daily schedule's input runs a
 * discovery; HealthApi can read its queue; the IRC task starts from its task definition's database
 * settings (DB_HOST, DB_SECRET_ARN, ...).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels } from '../../drizzle/schema/attention.ts';
import type { Platform } from '../../functions/platform.ts';
import { StaticSecretStore } from '../../layers/shared/src/adapters/aws/secrets-manager-store.ts';
import { createDb } from '../../layers/shared/src/adapters/db/client.ts';
import { runMigrations } from '../../layers/shared/src/adapters/db/migrate.ts';
import { DATABASE_ROLES, REPO_ROOT } from '../../lib/functions.ts';
import { WORKER_DATABASE_ROLE, WORKER_ENTRY } from '../../lib/stacks/worker-stack.ts';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '../../local/embedded-postgres.ts';
import { type IrcFixture, startIrcFixture } from '../../local/irc-fixture.ts';
import { type SecretsManagerServer, startSecretsManagerServer } from '../../local/secrets-manager-server.ts';
import { createCertificateAuthority, issueServerCertificate } from '../../local/tls-certificates.ts';
import { sampleChannels, startTwitchFixture, type TwitchFixture } from '../../local/twitch-fixture.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { platformFromEnv } from '../fixtures/platform.ts';
import { unmetRequirements } from '../fixtures/required-variables.ts';
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

let dev: Synthesized;
let prod: Synthesized;

// one synthesis per hook: each gets the whole hook timeout on a loaded machine
beforeAll(() => {
  dev = synthesize({ stage: 'dev', config: 'lib/stages/dev.json' });
});
beforeAll(() => {
  prod = synthesize({ stage: 'prod', config: 'lib/stages/prod.json' });
});

afterAll(() => {
  removeOutput(dev, prod);
});

describe('data stack', () => {
  it('runs Aurora PostgreSQL Serverless v2, encrypted, with IAM auth and exported logs', () => {
    const t = dev.template(dev.deployment.data);
    t.resourceCountIs('AWS::RDS::DBCluster', 1);
    t.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      StorageEncrypted: true,
      EnableIAMDatabaseAuthentication: true,
      EnableCloudwatchLogsExports: ['postgresql'],
      ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 2 },
      DatabaseName: 'oracle',
    });
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceClass: 'db.serverless',
      PubliclyAccessible: false,
    });
  });

  it('keeps every database instance private', () => {
    const t = dev.template(dev.deployment.data);
    const instances = Object.values(resourcesOf(t, 'AWS::RDS::DBInstance'));
    expect(instances.length).toBeGreaterThan(0);
    for (const instance of instances) expect(instance.Properties?.PubliclyAccessible).toBe(false);
  });

  it('places the cluster in the isolated subnets only', () => {
    const t = dev.template(dev.deployment.data);
    const isolatedSubnets = Object.keys(resourcesOf(t, 'AWS::EC2::Subnet')).filter((id) =>
      id.includes('Isolated'),
    );
    expect(isolatedSubnets).toHaveLength(2);
    t.hasResourceProperties('AWS::RDS::DBSubnetGroup', {
      SubnetIds: isolatedSubnets.map((id) => ({ Ref: id })),
    });
    // no internet route from the isolated subnets
    for (const id of isolatedSubnets) {
      const table = Object.entries(resourcesOf(t, 'AWS::EC2::SubnetRouteTableAssociation')).find(
        ([, r]) => JSON.stringify(r.Properties?.SubnetId) === JSON.stringify({ Ref: id }),
      );
      const routeTableRef = JSON.stringify(table?.[1].Properties?.RouteTableId);
      const routes = Object.values(resourcesOf(t, 'AWS::EC2::Route')).filter(
        (r) => JSON.stringify(r.Properties?.RouteTableId) === routeTableRef,
      );
      expect(routes).toEqual([]);
    }
  });

  it('puts RDS Proxy with TLS in front of the cluster, logging in with end-to-end IAM as the function roles', () => {
    const t = dev.template(dev.deployment.data);
    t.resourceCountIs('AWS::RDS::DBProxy', 1);
    t.hasResourceProperties('AWS::RDS::DBProxy', {
      EngineFamily: 'POSTGRESQL',
      RequireTLS: true,
      DefaultAuthScheme: 'IAM_AUTH',
      Auth: Match.absent(),
    });
    // The proxy's own role may connect to the cluster as each function role, never as the owner.
    const proxy = Object.values(t.findResources('AWS::RDS::DBProxy'))[0] as {
      Properties: { RoleArn: unknown };
    };
    const proxyRole = (JSON.stringify(proxy.Properties.RoleArn).match(/"(ProxyRole[A-Za-z0-9]*)"/) ?? [])[1];
    expect(proxyRole).toBeDefined();
    const connects = statementsOfRole(t, proxyRole ?? '').filter((st) =>
      [st.Action].flat().includes('rds-db:connect'),
    );
    const resources = JSON.stringify(connects.map((st) => st.Resource));
    for (const role of DATABASE_ROLES) expect(resources).toContain(`/${role}"`);
    expect(resources).not.toContain('oracle_admin');
    expect(resources).toContain('DBClusterResourceId');
    t.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', {
      DBClusterIdentifiers: [{ Ref: Match.stringLikeRegexp('^Database') }],
    });
  });

  it('lets only the database client security group reach the proxy', () => {
    const t = dev.template(dev.deployment.data);
    const proxySg = Object.entries(resourcesOf(t, 'AWS::EC2::SecurityGroupIngress')).filter(([, r]) =>
      JSON.stringify(r.Properties?.GroupId).includes('ProxyProxySecurityGroup'),
    );
    expect(proxySg).toHaveLength(1);
    expect(JSON.stringify(proxySg[0]?.[1].Properties?.SourceSecurityGroupId)).toContain(
      'DatabaseClientSecurityGroup',
    );
  });

  it('creates the Secrets Manager secrets of DESIGN.md section 2 and the DB credentials', () => {
    const t = dev.template(dev.deployment.data);
    t.resourceCountIs('AWS::SecretsManager::Secret', 8);
    for (const name of [
      'EvmSignerKey',
      'SolanaPublisherKeypair',
      'TwitchCredentials',
      'IngestApiKeys',
      'AdminTokens',
      'AirApiKey',
    ]) {
      t.hasResourceProperties('AWS::SecretsManager::Secret', { Name: `engagement-oracle/dev/${name}` });
    }
    t.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'engagement-oracle/dev/database' });
  });

  it('creates the idempotency, rate-limit and WebSocket connection tables with TTL on expiresAt', () => {
    const t = dev.template(dev.deployment.data);
    t.resourceCountIs('AWS::DynamoDB::Table', 3);
    const tables = Object.values(resourcesOf(t, 'AWS::DynamoDB::Table'));
    for (const table of tables) {
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      });
    }
  });

  it('applies the migrations on deploy through the migrate function, after the cluster exists', () => {
    const t = dev.template(dev.deployment.data);
    t.hasResource('Custom::DatabaseMigrations', {
      Properties: { MigrationsHash: Match.stringLikeRegexp('^[0-9a-f]{64}$') },
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^Database')]),
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Applies the committed drizzle migrations on deploy',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Environment: {
        Variables: Match.objectLike({
          MIGRATIONS_DIR: '/var/task/drizzle/migrations',
          DB_SECRET_ARN: { Ref: Match.stringLikeRegexp('DatabaseSecretAttachment') },
        }),
      },
      VpcConfig: Match.objectLike({
        SecurityGroupIds: [
          Match.objectLike({ 'Fn::GetAtt': [Match.stringLikeRegexp('MigrationsSecurityGroup'), 'GroupId'] }),
        ],
      }),
    });
  });

  it('protects production data and lets dev be torn down', () => {
    const devT = dev.template(dev.deployment.data);
    const prodT = prod.template(prod.deployment.data);
    devT.hasResource('AWS::RDS::DBCluster', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtection: false }),
    });
    prodT.hasResource('AWS::RDS::DBCluster', {
      DeletionPolicy: 'Snapshot',
      Properties: Match.objectLike({
        DeletionProtection: true,
        BackupRetentionPeriod: 14,
        ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 16 },
      }),
    });
    prodT.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
    prodT.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    prodT.resourceCountIs('AWS::RDS::DBInstance', 2);
    devT.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    prodT.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('hard-codes no account or region', () => {
    for (const s of [dev, prod]) {
      expect(s.deployment.stacks.length).toBeGreaterThanOrEqual(4);
      for (const stack of s.deployment.stacks) {
        expect(stack.environment).toBe('aws://unknown-account/unknown-region');
      }
    }
  });
});

describe('cdk-nag AwsSolutions checks', () => {
  it('leave no unacknowledged finding in the dev deployment', () => {
    expect(nagFindings(dev.app)).toEqual([]);
  });

  it('leave no unacknowledged finding in the prod deployment', () => {
    expect(nagFindings(prod.app)).toEqual([]);
  });
});

describe('the committed stages', () => {
  it('give every deployed function and the IRC task all the variables its cold start requires', () => {
    expect(unmetRequirements(dev)).toEqual([]);
    expect(unmetRequirements(prod)).toEqual([]);
    // dev runs the attention oracle; prod the core until its settings are filled in
    expect(dev.deployment.pipeline.functions['Publisher']).toBeDefined();
    expect(prod.deployment.api.functions['HealthApi']).toBeDefined();
  });
});

describe('DiscoveryDaily', () => {
  let db: TestDatabase;
  let twitch: TwitchFixture;
  let platform: Platform | undefined;

  beforeAll(async () => {
    [db, twitch] = await Promise.all([
      createTestDatabase({ max: 2 }),
      startTwitchFixture({ channels: sampleChannels(30) }),
    ]);
  });
  afterAll(async () => {
    await platform?.close();
    await Promise.all([db.close(), twitch.close()]);
  });

  it('hands the discovery handler an input it runs, and the run is recorded', async () => {
    const schedule = dev.deployment.pipeline.schedules['DiscoveryDaily'];
    expect(schedule).toBeDefined();
    const resource = dev.template(dev.deployment.pipeline).toJSON().Resources[
      logicalIdOf(schedule?.schedule as NonNullable<typeof schedule>['schedule'])
    ];
    const input: unknown = JSON.parse(resource.Properties.Target.Input);
    Object.assign(process.env, {
      ORACLE_MODE: 'local',
      DATABASE_URL: db.url,
      TWITCH_SECRET_ARN: 'twitch-app',
      TWITCH_AUTH_URL: twitch.authUrl,
      TWITCH_HELIX_URL: twitch.helixUrl,
      LOG_LEVEL: 'SILENT',
    });
    platform = platformFromEnv({
      secrets: new StaticSecretStore({
        'twitch-app': JSON.stringify({ clientId: twitch.clientId, clientSecret: twitch.clientSecret }),
      }),
    });
    const handler = (await import('../../functions/scheduled/discovery/index.ts')).handler.on(platform);
    await expect(handler(input)).resolves.toMatchObject({ outcome: 'succeeded' });
    const runs = await db.sql<{ mode: string; outcome: string }[]>`
      select mode, outcome from attention.discovery_runs`;
    expect(runs).toEqual([{ mode: 'daily', outcome: 'succeeded' }]);
  });
});

describe('HealthApi', () => {
  it('gets the ingest queue URL and may read that queue for its check', () => {
    const health = dev.deployment.api.functions['HealthApi'];
    expect(health).toBeDefined();
    if (health === undefined) return;
    const template = dev.template(dev.deployment.api);
    const variables =
      template.toJSON().Resources[logicalIdOf(health.function)].Properties.Environment.Variables;
    expect(variables).toHaveProperty('INGEST_QUEUE_URL');
    expect(variables).toHaveProperty('NOTIFICATIONS_QUEUE_URL');
    const role = logicalIdOf(health.function.role as NonNullable<typeof health.function.role>);
    expect(
      statementsOfRole(template, role).some((s) => allows(s, 'sqs:GetQueueAttributes', 'IngestQueue')),
    ).toBe(true);
  });
});

describe('the IRC task', () => {
  let pg: EmbeddedPostgresHandle;
  let secrets: SecretsManagerServer;
  let sqs: FauxqsServer;
  let irc: IrcFixture;
  let child: ChildProcess | undefined;
  let dir: string;

  beforeAll(async () => {
    const ca = await createCertificateAuthority();
    [pg, sqs, irc] = await Promise.all([
      startEmbeddedPostgres({ tls: await issueServerCertificate(ca, ['localhost']) }),
      startFauxqs({ port: 0, logger: false }),
      startIrcFixture(),
    ]);
    dir = mkdtempSync(join(tmpdir(), 'eo-task-'));
    writeFileSync(join(dir, 'ca.pem'), ca.certificate);
    const url = new URL(pg.url);
    secrets = await startSecretsManagerServer({
      'database-secret': JSON.stringify({
        engine: 'postgres',
        username: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
      }),
    });
  });
  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
    await Promise.all([pg?.stop(), secrets?.close(), sqs?.stop(), irc?.close()]);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('starts from the database settings of its task definition, joins the tracked channels and exits 0 on SIGTERM', async () => {
    const task = Object.values(dev.template(dev.worker).findResources('AWS::ECS::TaskDefinition'))[0] as {
      Properties: { ContainerDefinitions: { Environment: { Name: string; Value: unknown }[] }[] };
    };
    const names = new Set((task.Properties.ContainerDefinitions[0]?.Environment ?? []).map((e) => e.Name));
    for (const name of ['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'INGEST_QUEUE_URL'])
      expect(names).toContain(name);
    expect(names).not.toContain('DATABASE_URL');
    expect(names).not.toContain('DB_SECRET_ARN');

    await runMigrations({
      url: pg.urlFor('postgres').replace('127.0.0.1', 'localhost'),
      options: { tls: { ca: ca(dir) } },
    });
    const seed = createDb(pg.urlFor('postgres').replace('127.0.0.1', 'localhost'), {
      tls: { ca: ca(dir) },
      max: 1,
    });
    await seed.db.insert(channels).values([{ channel: 'alpha_channel', tracked: true }]);
    // RDS Proxy checks the task's IAM token for its role; PostgreSQL cannot, so here the role alone
    // is let in (over TLS), and the task reads as that role with its grants.
    const [{ hba_file: hba } = { hba_file: '' }] = await seed.sql<{ hba_file: string }[]>`show hba_file`;
    writeFileSync(
      hba,
      `hostssl all ${WORKER_DATABASE_ROLE} 127.0.0.1/32 trust\nhostssl all ${WORKER_DATABASE_ROLE} ::1/128 trust\n${readFileSync(hba, 'utf8')}`,
    );
    await seed.sql`select pg_reload_conf()`;
    await seed.close();

    // The task definition's variables, each resolved to its local stand-in.
    const stand: Record<string, string> = {
      DB_HOST: 'localhost',
      DB_PORT: String(pg.port),
      DB_NAME: 'postgres',
      INGEST_QUEUE_URL: sqs.createQueue('ingest').queueUrl,
      TWITCH_IRC_HOST: irc.host,
      TWITCH_IRC_PORT: String(irc.port),
      TWITCH_IRC_TLS: 'false',
    };
    const environment = Object.fromEntries(
      (task.Properties.ContainerDefinitions[0]?.Environment ?? [])
        .filter((e) => e.Name !== 'TWITCH_SECRET_ARN')
        .map((e) => [e.Name, stand[e.Name] ?? String(e.Value)]),
    );
    child = spawn(process.execPath, ['--import', 'tsx', WORKER_ENTRY], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        ...environment,
        LOG_LEVEL: 'ERROR',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
        AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${sqs.port}`,
        DATABASE_CA_FILE: join(dir, 'ca.pem'),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));
    await irc.waitForJoined(['alpha_channel'], 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${stderr}`);
    });
    expect(secrets.requests).not.toContain('database-secret');
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
  });
});

function ca(dir: string): string {
  return readFileSync(join(dir, 'ca.pem'), 'utf8');
}
