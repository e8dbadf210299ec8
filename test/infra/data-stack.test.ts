import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nagFindings, removeOutput, resourcesOf, type Synthesized, synthesize } from './synth.ts';

let dev: Synthesized;
let prod: Synthesized;

// one synthesis per hook: each gets the whole hook timeout on a loaded machine
beforeAll(() => {
  dev = synthesize({ stage: 'dev' });
});
beforeAll(() => {
  prod = synthesize({ stage: 'prod' });
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

  it('puts RDS Proxy with TLS in front of the cluster, authenticating with the cluster secret', () => {
    const t = dev.template(dev.deployment.data);
    t.resourceCountIs('AWS::RDS::DBProxy', 1);
    t.hasResourceProperties('AWS::RDS::DBProxy', {
      EngineFamily: 'POSTGRESQL',
      RequireTLS: true,
      Auth: [
        Match.objectLike({
          AuthScheme: 'SECRETS',
          SecretArn: { Ref: Match.stringLikeRegexp('DatabaseSecretAttachment') },
        }),
      ],
    });
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
      expect(s.deployment.stacks).toHaveLength(5);
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
