import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ArnFormat, CustomResource, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { NodeFunction } from '../constructs/node-function.ts';
import {
  DATABASE_ROLES,
  type DatabaseRole,
  MIGRATE_ENTRY,
  REPO_ROOT,
  type SecretName,
  type TableName,
} from '../functions.ts';
import { acknowledge, functionVersionsFinding, NAG } from '../nag.ts';
import type { StageConfig } from '../stage.ts';
import { statementTimeoutMs } from '../statement-timeout.ts';

export interface DataStackProps extends StackProps {
  readonly stage: StageConfig;
}

/**
 * Database connection details handed to functions: no password at all, each logs in as its own
 * role with an IAM auth token (end-to-end IAM authentication through RDS Proxy).
 */
export interface DatabaseAccess {
  readonly proxyEndpoint: string;
  /**
   * The proxy's read-only endpoint, to the cluster's readers; undefined where the stage has no
   * reader (functions marked `databaseReader` then use the writer's endpoint).
   */
  readonly readerEndpoint?: string;
  readonly port: string;
  readonly name: string;
  /** Grants `rds-db:connect` through the proxy as that one database role. */
  grantConnect(grantee: iam.IGrantable, role: DatabaseRole): void;
  /** Functions that reach the proxy run in this security group. */
  readonly clientSecurityGroup: ec2.ISecurityGroup;
}

export const DATABASE_NAME = 'oracle';
/** Connections subscribed to a topic (a token address), for the price broadcast. */
export const WS_TOPIC_INDEX = 'ByTopic';
const DATABASE_PORT = 5432;
const MIGRATIONS_DIR = 'drizzle/migrations';
/** Amazon RDS root CAs (public), committed beside the migrate entry and copied into its bundle. */
export const RDS_CA_BUNDLE = 'functions/custom-resource/migrate/rds-ca-bundle.pem';
const MIGRATE_TIMEOUT = Duration.minutes(10);

/**
 * What each secret holds, for the operator who fills it in after the first deploy (README.md,
 * "Before the first deploy", generated from `shape`).
 */
export const SECRETS: Record<SecretName, { id: string; description: string; key: string; shape: string }> = {
  evmSigner: {
    id: 'EvmSignerKey',
    description: 'EVM oracle signer private key',
    key: 'privateKey',
    shape: '{"privateKey":"0x..."}',
  },
  solanaPublisher: {
    id: 'SolanaPublisherKeypair',
    description: 'Solana root publisher keypair (64-byte secret key, base58)',
    key: 'secretKey',
    shape: '{"secretKey":"<base58 64-byte secret key>"}',
  },
  twitch: {
    id: 'TwitchCredentials',
    description: 'Twitch app client id and secret',
    key: 'clientSecret',
    shape: '{"clientId":"...","clientSecret":"..."} (optionally "ircNick", "ircToken")',
  },
  ingestApiKeys: {
    id: 'IngestApiKeys',
    description: 'API keys accepted by POST /ingest',
    key: 'primary',
    shape:
      '{"primary":"...","<name>":"..."} (every value is a valid key; its name is stored with its events)',
  },
  adminTokens: {
    id: 'AdminTokens',
    description: 'Bearer tokens accepted by the admin routes',
    key: 'primary',
    shape: '{"primary":"...","<name>":"..."} (bearer tokens, named for logs and audit)',
  },
  airApiKey: {
    id: 'AirApiKey',
    description: 'AIR credential API key for the token generator',
    key: 'apiKey',
    shape: '{"apiKey":"..."}',
  },
  webPush: {
    id: 'WebPushVapidKeys',
    description: 'VAPID keys of web push notifications ({"subject","publicKey","privateKey"})',
    key: 'privateKey',
    shape: '{"subject":"mailto:...","publicKey":"...","privateKey":"..."}',
  },
};

/** Content hash of the committed migrations, so the custom resource runs again when they change. */
export function migrationsHash(root = REPO_ROOT): string {
  const dir = join(root, MIGRATIONS_DIR);
  const hash = createHash('sha256');
  const walk = (path: string) => {
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else hash.update(relative(dir, full)).update('\0').update(readFileSync(full)).update('\0');
    }
  };
  if (existsSync(dir)) walk(dir);
  return hash.digest('hex');
}

/**
 * The foundations: VPC, Aurora PostgreSQL Serverless v2 behind RDS Proxy with migrations applied on
 * deploy, the DynamoDB tables, the Secrets Manager secrets and the EventBridge bus.
 */
export class DataStack extends Stack {
  readonly vpc: ec2.IVpc;
  readonly cluster: rds.DatabaseCluster;
  readonly proxy: rds.DatabaseProxy;
  readonly database: DatabaseAccess;
  readonly secrets: Record<SecretName, secretsmanager.ISecret>;
  readonly tables: Record<TableName, dynamodb.ITable>;
  readonly tableIndexes: Partial<Record<TableName, readonly string[]>> = { wsConnections: [WS_TOPIC_INDEX] };
  readonly bus: events.IEventBus;
  readonly migrations: CustomResource;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { stage } = props;

    // aws-cdk-lib's classes do not satisfy their own interfaces under exactOptionalPropertyTypes.
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: stage.natGateways,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: {
        DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
      },
      flowLogs: {
        FlowLogs: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(
            new logs.LogGroup(this, 'FlowLogsGroup', {
              retention: stage.logRetention,
              removalPolicy: stage.removalPolicy,
            }),
          ),
          trafficType: ec2.FlowLogTrafficType.REJECT,
        },
      },
    }) as ec2.IVpc;

    const clientSecurityGroup = new ec2.SecurityGroup(this, 'DatabaseClientSecurityGroup', {
      vpc: this.vpc,
      description: 'Functions and tasks that reach the database through RDS Proxy',
      allowAllOutbound: true,
    });
    const migrationsSecurityGroup = new ec2.SecurityGroup(this, 'MigrationsSecurityGroup', {
      vpc: this.vpc,
      description: 'The migrations custom resource, which talks to the writer directly',
      allowAllOutbound: true,
    });

    // Created before the cluster, so its retention applies (RDS would otherwise create it unbounded).
    const clusterIdentifier = `engagement-oracle-${stage.name}`;
    const postgresLogs = new logs.LogGroup(this, 'DatabaseLogs', {
      logGroupName: `/aws/rds/cluster/${clusterIdentifier}/postgresql`,
      retention: stage.logRetention,
      removalPolicy: stage.removalPolicy,
    });
    this.cluster = new rds.DatabaseCluster(this, 'Database', {
      clusterIdentifier,
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_17_5 }),
      credentials: rds.Credentials.fromGeneratedSecret('oracle_admin', {
        secretName: `engagement-oracle/${stage.name}/database`,
      }),
      defaultDatabaseName: DATABASE_NAME,
      port: DATABASE_PORT,
      writer: rds.ClusterInstance.serverlessV2('Writer', { publiclyAccessible: false }),
      readers: Array.from({ length: stage.auroraReaders }, (_, i) =>
        rds.ClusterInstance.serverlessV2(`Reader${i + 1}`, {
          publiclyAccessible: false,
          scaleWithWriter: true,
        }),
      ),
      serverlessV2MinCapacity: stage.auroraMinCapacity,
      serverlessV2MaxCapacity: stage.auroraMaxCapacity,
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      storageEncrypted: true,
      iamAuthentication: true,
      cloudwatchLogsExports: ['postgresql'],
      backup: { retention: stage.backupRetention },
      deletionProtection: stage.deletionProtection,
      removalPolicy: stage.databaseRemovalPolicy,
    });
    this.cluster.node.addDependency(postgresLogs);
    const clusterSecret = this.cluster.secret;
    if (clusterSecret === undefined) throw new Error('the cluster has generated credentials');
    acknowledge(
      this.cluster.node.findChild('Secret'),
      'AwsSolutions-SMG4',
      'The owner password is read only by Migrate, at deploy time, on the cluster endpoint: every function and the IRC task log in through RDS Proxy as their own roles with IAM tokens (README.md, "Database roles"), so no running code holds it. The operator rotates it between deploys.',
    );

    // End-to-end IAM: clients sign a token for their role, and the proxy logs in to the cluster
    // as that role with a token of its own, so no role has a password and the owner secret is
    // Migrate's alone (README.md, "Database roles").
    const proxyRole = new iam.Role(this, 'ProxyRole', {
      assumedBy: new iam.ServicePrincipal('rds.amazonaws.com'),
      description: 'RDS Proxy logs in to the cluster as the function roles',
    });
    proxyRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['rds-db:connect'],
        resources: DATABASE_ROLES.map((role) =>
          Stack.of(this).formatArn({
            service: 'rds-db',
            resource: 'dbuser',
            resourceName: `${this.cluster.clusterResourceIdentifier}/${role}`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ),
      }),
    );
    this.proxy = this.cluster.addProxy('Proxy', {
      defaultAuthScheme: rds.DefaultAuthScheme.IAM_AUTH,
      role: proxyRole,
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      requireTLS: true,
      // Lambdas open and drop connections per cold start; the proxy pools them.
      idleClientTimeout: Duration.minutes(30),
      maxConnectionsPercent: 90,
    });
    this.proxy.connections.allowFrom(
      clientSecurityGroup,
      ec2.Port.tcp(DATABASE_PORT),
      'functions and the IRC worker',
    );
    this.cluster.connections.allowDefaultPortFrom(migrationsSecurityGroup, 'migrations custom resource');

    // Read-only functions (analytics, GraphQL) go to the readers, off the writer that ingest and
    // sealing keep busy; without a reader, a READ_ONLY endpoint would have nothing to serve.
    const readerEndpoint =
      stage.auroraReaders > 0
        ? new rds.CfnDBProxyEndpoint(this, 'ProxyReaderEndpoint', {
            dbProxyName: this.proxy.dbProxyName,
            dbProxyEndpointName: `${this.proxy.dbProxyName}-reader`.slice(0, 63),
            vpcSubnetIds: this.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).subnetIds,
            vpcSecurityGroupIds: this.proxy.connections.securityGroups.map((group) => group.securityGroupId),
            targetRole: 'READ_ONLY',
          }).attrEndpoint
        : undefined;

    this.database = {
      proxyEndpoint: this.proxy.endpoint,
      ...(readerEndpoint === undefined ? {} : { readerEndpoint }),
      port: String(DATABASE_PORT),
      name: DATABASE_NAME,
      grantConnect: (grantee, role) => {
        this.proxy.grantConnect(grantee, role);
      },
      clientSecurityGroup,
    };

    this.secrets = Object.fromEntries(
      (Object.keys(SECRETS) as SecretName[]).map((name) => {
        const spec = SECRETS[name];
        const secret = new secretsmanager.Secret(this, spec.id, {
          secretName: `engagement-oracle/${stage.name}/${spec.id}`,
          description: `${spec.description}. Generated as a placeholder; set the real value after the first deploy.`,
          generateSecretString: {
            secretStringTemplate: '{}',
            generateStringKey: spec.key,
            excludePunctuation: true,
            passwordLength: 48,
          },
          removalPolicy: stage.removalPolicy,
        });
        acknowledge(
          secret,
          'AwsSolutions-SMG4',
          `${spec.description}: rotating it is an operator action (a new key is registered on-chain or with the provider), not an automatic Lambda rotation.`,
        );
        return [name, secret as secretsmanager.ISecret];
      }),
    ) as Record<SecretName, secretsmanager.ISecret>;

    const table = (tableId: string, partitionKey: string, sortKey?: string) =>
      new dynamodb.Table(this, tableId, {
        partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
        ...(sortKey === undefined ? {} : { sortKey: { name: sortKey, type: dynamodb.AttributeType.STRING } }),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        timeToLiveAttribute: 'expiresAt',
        deletionProtection: stage.deletionProtection,
        removalPolicy: stage.removalPolicy,
      });
    const wsConnections = table('WsConnectionsTable', 'connectionId', 'topic');
    wsConnections.addGlobalSecondaryIndex({
      indexName: WS_TOPIC_INDEX,
      partitionKey: { name: 'topic', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'connectionId', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
    this.tables = {
      // Powertools idempotency: key attribute `id`, configured with expiryAttr `expiresAt`.
      idempotency: table('IdempotencyTable', 'id') as dynamodb.ITable,
      rateLimits: table('RateLimitsTable', 'pk') as dynamodb.ITable,
      wsConnections: wsConnections as dynamodb.ITable,
    };

    this.bus = new events.EventBus(this, 'EventBus', {
      description: 'Engagement Oracle domain events',
    }) as events.IEventBus;

    this.migrations = this.migrationsResource(stage, migrationsSecurityGroup, clusterSecret);
  }

  private migrationsResource(
    stage: StageConfig,
    securityGroup: ec2.ISecurityGroup,
    secret: secretsmanager.ISecret,
  ): CustomResource {
    const migrate = new NodeFunction(this, 'MigrateFunction', {
      entry: join(REPO_ROOT, MIGRATE_ENTRY),
      description: 'Applies the committed drizzle migrations on deploy',
      stage: stage.name,
      logLevel: stage.logLevel,
      memorySize: 512,
      timeout: MIGRATE_TIMEOUT,
      logRetention: stage.logRetention,
      logRemovalPolicy: stage.removalPolicy,
      vpcPlacement: {
        vpc: this.vpc,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        securityGroups: [securityGroup],
      },
      environment: {
        DB_HOST: this.cluster.clusterEndpoint.hostname,
        DB_PORT: String(DATABASE_PORT),
        DB_NAME: DATABASE_NAME,
        DB_SECRET_ARN: secret.secretArn,
        // The cluster endpoint itself, not RDS Proxy: its certificate is signed by the RDS CAs.
        DB_VIA_PROXY: 'false',
        DATABASE_CA_FILE: '/var/task/rds-ca-bundle.pem',
        DATABASE_STATEMENT_TIMEOUT_MS: String(statementTimeoutMs(MIGRATE_TIMEOUT.toSeconds())),
        MIGRATIONS_DIR: `/var/task/${MIGRATIONS_DIR}`,
      },
      // The migrator reads the committed SQL at run time, so it travels with the bundle.
      bundledFiles: [
        { from: RDS_CA_BUNDLE, to: 'rds-ca-bundle.pem' },
        { from: MIGRATIONS_DIR, to: MIGRATIONS_DIR },
      ],
    });
    secret.grantRead(migrate.function);

    const provider = new cr.Provider(this, 'MigrationsProvider', {
      onEventHandler: migrate.function,
      logGroup: new logs.LogGroup(this, 'MigrationsProviderLogGroup', {
        retention: stage.logRetention,
        removalPolicy: stage.removalPolicy,
      }),
    });
    const resource = new CustomResource(this, 'Migrations', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::DatabaseMigrations',
      properties: { MigrationsHash: migrationsHash() },
    });
    resource.node.addDependency(this.cluster);
    acknowledge(
      provider,
      NAG.basicExecutionRole,
      'CDK custom-resource framework function: the managed policy only writes its CloudWatch logs.',
    );
    acknowledge(
      provider,
      functionVersionsFinding(migrate.function),
      'The custom-resource framework may invoke the migrations function and its versions only.',
    );
    return resource;
  }
}
