/**
 * Starts a local stand-in for every resource the templates reference: fauxqs (SQS and SNS),
 * dynalite, embedded PostgreSQL serving TLS behind a secret in the RDS shape, the Secrets
 * Manager, EventBridge, SES and API Gateway management stand-ins, the Solana RPC, anvil, and
 * the Twitch, IRC and AIR fixtures. Everything listens on loopback and stops with `stop()`.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import postgres from 'postgres';
import { sqsClient } from '../../layers/shared/src/adapters/aws/sqs-work-queue.ts';
import { generateKeypairSigner } from '../../layers/shared/src/adapters/solana/keypair-signer.ts';
import { type AirFixtureServer, startAirFixtureServer } from '../../local/air-fixture-server.ts';
import { ANVIL_DEV_ACCOUNTS, type AnvilHandle } from '../../local/anvil.ts';
import { type AttentionProtocol, setUpAttentionProtocol } from '../../local/attention-program-accounts.ts';
import { type IrcFixture, startIrcFixture } from '../../local/irc-fixture.ts';
import { type SecretsManagerServer, startSecretsManagerServer } from '../../local/secrets-manager-server.ts';
import { startAnvil, startDynamo, startEmbeddedPostgres } from '../../local/services.ts';
import { type SolanaRpcHandle, startSolanaRpc } from '../../local/solana-rpc.ts';
import { createCertificateAuthority, issueServerCertificate } from '../../local/tls-certificates.ts';
import { sampleChannels, startTwitchFixture, type TwitchFixture } from '../../local/twitch-fixture.ts';
import {
  type ConnectionsStandIn,
  type EventBridgeStandIn,
  type PutEvent,
  type SentSms,
  type SesStandIn,
  startConnectionsApi,
  startEventBridge,
  startQueueUrlProxy,
  startSes,
} from './aws-stand-ins.ts';
import { type CloudAssembly, referencedId, resourcesOfType } from './cloud-assembly.ts';
import {
  type CreatorChain,
  deployCreatorChain,
  deployFpmm,
  deployMarketFactory,
} from './creator-contracts.ts';
import { startDatabaseProxy } from './database-proxy.ts';
import { DUMMY_CREDENTIALS, type StandInEndpoints } from './function-environment.ts';
import { PSEUDO_PARAMETERS, resolveValue, type StandInLookup } from './references.ts';
import { type SecretMaterial, secretValue } from './secret-shapes.ts';
import { managementEndpoint, planStandIns, type StandInPlan, standInLookup } from './stand-in-plan.ts';
import { patternMatches } from './trigger-events.ts';

/** The host name functions reach the database stand-in by; its certificate names it. */
const DATABASE_HOST = 'localhost';

export interface RuleDelivery {
  readonly stack: string;
  readonly functionLogicalId: string;
  readonly event: PutEvent;
}

export interface StandIns {
  readonly plan: StandInPlan;
  readonly lookup: StandInLookup;
  readonly endpoints: StandInEndpoints;
  readonly material: SecretMaterial;
  readonly sqs: SQSClient;
  readonly secrets: SecretsManagerServer;
  readonly bus: EventBridgeStandIn;
  readonly ses: SesStandIn;
  /** Text messages SNS was asked to send to phone numbers. */
  readonly sms: readonly SentSms[];
  readonly connections: ConnectionsStandIn;
  readonly twitch: TwitchFixture;
  readonly irc: IrcFixture;
  readonly air: AirFixtureServer;
  readonly solana: SolanaRpcHandle;
  /** Per token group of the templates' TOKEN_GROUP_MINTS: the mint, protocol state and treasury set up for it. */
  readonly attentionProtocols: Readonly<Record<string, AttentionProtocol>>;
  readonly anvil: AnvilHandle;
  /** The creator contracts on anvil, where the templates configure the creator oracle. */
  readonly creatorChain: CreatorChain | undefined;
  /** A FixedProductMarketMaker on anvil, where the templates configure the delivery engine. */
  readonly fpmmAddress: string | undefined;
  /** Superuser URL of the database stand-in (for seeding and judging); TLS with `databaseCa`. */
  readonly adminDatabaseUrl: string;
  readonly databaseCa: string;
  /** Events the bus's rules delivered to Lambda targets, for the check to invoke them. */
  readonly ruleDeliveries: RuleDelivery[];
  /** The templates' EventBridge rules: the bus each listens on (its name) and its pattern. */
  readonly rules: readonly { readonly bus: unknown; readonly pattern: Record<string, unknown> }[];
  /** Whether a message on the queue at this URL (visible or in flight) contains `text`. */
  queueHolds(queueUrl: string, text: string): boolean;
  /** The plaintext value of a stand-in secret, by ARN (what ECS would inject). */
  secretValueOf(arn: string): string | undefined;
  stop(): Promise<void>;
}

/** A literal setting as the templates give it to their functions (the first that sets it). */
function templateSetting(assembly: CloudAssembly, name: string): string | undefined {
  for (const { resource } of resourcesOfType(assembly, 'AWS::Lambda::Function')) {
    const vars = (resource.Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables;
    const value = vars?.[name];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/** EVM_CHAIN_ID as the templates set it, so anvil signs and checks with the deployed chain id. */
function templateChainId(assembly: CloudAssembly): number | undefined {
  const id = templateSetting(assembly, 'EVM_CHAIN_ID');
  return id !== undefined && /^\d+$/.test(id) ? Number(id) : undefined;
}

/**
 * Program mode needs, per token group of TOKEN_GROUP_MINTS, a mint with the attention program's
 * protocol state (the publisher allowlisted) and a funded treasury, as an operator sets them up
 * before deploying: the same set-up the local runtime does, on the check's chain. The groups and
 * their other fields (the epoch unit) stay the template's; only the mints are the stand-in's.
 */
async function setUpTokenGroups(
  assembly: CloudAssembly,
  solana: SolanaRpcHandle,
  publisher: string,
  programId: string | undefined,
): Promise<{ protocols: Record<string, AttentionProtocol>; mints: string | undefined }> {
  const configured = templateSetting(assembly, 'TOKEN_GROUP_MINTS');
  const groups = configured === undefined ? {} : (JSON.parse(configured) as Record<string, object>);
  const protocols: Record<string, AttentionProtocol> = {};
  const mints: Record<string, object> = {};
  for (const [group, settings] of Object.entries(groups)) {
    const protocol = await setUpAttentionProtocol(solana, {
      publisher,
      ...(programId === undefined ? {} : { programId }),
    });
    protocols[group] = protocol;
    mints[group] = { ...settings, mint: protocol.mint };
  }
  return { protocols, mints: configured === undefined ? undefined : JSON.stringify(mints) };
}

export async function startStandIns(assembly: CloudAssembly, workDir: string): Promise<StandIns> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    const plan = planStandIns(assembly);
    // A CA made for this run: only what names DATABASE_CA_FILE trusts the database stand-in.
    const ca = await createCertificateAuthority('deployment-check CA');
    mkdirSync(workDir, { recursive: true });
    const caFile = join(workDir, 'database-ca.pem');
    writeFileSync(caFile, ca.certificate);
    const server = await issueServerCertificate(ca, [DATABASE_HOST]);
    const pg = await startEmbeddedPostgres({
      tls: { certificate: server.certificate, privateKey: server.privateKey },
    });
    stops.push(() => pg.stop());
    const cluster = resourcesOfType(assembly, 'AWS::RDS::DBCluster')[0];
    const secretTemplate = resourcesOfType(assembly, 'AWS::SecretsManager::Secret').find((s) =>
      plan.secrets.some((p) => p.attachedToDatabase && p.logicalId === s.logicalId),
    );
    const username =
      (
        JSON.parse(
          String(
            (
              secretTemplate?.resource.Properties?.['GenerateSecretString'] as {
                SecretStringTemplate?: string;
              }
            )?.SecretStringTemplate ?? '{}',
          ),
        ) as { username?: string }
      ).username ?? 'oracle_admin';
    const database = {
      username,
      password: randomBytes(18).toString('base64url'),
      host: DATABASE_HOST,
      port: pg.port,
      dbname: plan.databaseName,
      clusterIdentifier: String(cluster?.resource.Properties?.['DBClusterIdentifier'] ?? 'deployment-check'),
    };
    const admin = postgres(pg.url.replace('127.0.0.1', DATABASE_HOST), {
      max: 1,
      onnotice: () => {},
      ssl: { ca: ca.certificate },
    });
    await admin.unsafe(`create role "${database.username}" login superuser password '${database.password}'`);
    await admin.unsafe(`create database "${database.dbname}" owner "${database.username}"`);
    await admin.end();
    // Functions log in through the RDS Proxy stand-in as their roles with IAM tokens (README,
    // "Deployment check"); Migrate through it with the owner secret.
    const proxy = await startDatabaseProxy({
      host: DATABASE_HOST,
      tls: { certificate: server.certificate, privateKey: server.privateKey },
      upstream: { port: pg.port, ca: ca.certificate },
      adminUrl: pg.url.replace('127.0.0.1', DATABASE_HOST),
      region: PSEUDO_PARAMETERS['AWS::Region'] ?? 'us-east-1',
      credentials: {
        accessKeyId: DUMMY_CREDENTIALS.AWS_ACCESS_KEY_ID,
        secretAccessKey: DUMMY_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
        sessionToken: DUMMY_CREDENTIALS.AWS_SESSION_TOKEN,
      },
    });
    stops.push(() => proxy.close());

    const { startFauxqs } = await import('fauxqs');
    const fauxqs = await startFauxqs({ port: 0, logger: false });
    stops.push(() => fauxqs.stop());
    const queueProxy = await startQueueUrlProxy(fauxqs.port);
    stops.push(() => queueProxy.close());
    const sqsEndpoint = queueProxy.url;
    const queueUrls = new Map<string, string>();
    const byLogicalId = new Map(plan.queues.map((q) => [`${q.stack}/${q.logicalId}`, q]));
    // Dead-letter queues first, so each RedrivePolicy names a queue that exists.
    const ordered = [...plan.queues].sort(
      (a, b) => Number(a.deadLetterQueue !== undefined) - Number(b.deadLetterQueue !== undefined),
    );
    for (const q of ordered) {
      const dlq =
        q.deadLetterQueue === undefined ? undefined : byLogicalId.get(`${q.stack}/${q.deadLetterQueue}`);
      const created = fauxqs.createQueue(q.name, {
        attributes: {
          ...q.attributes,
          ...(dlq === undefined
            ? {}
            : {
                RedrivePolicy: JSON.stringify({
                  deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:${dlq.name}`,
                  maxReceiveCount: q.maxReceiveCount ?? 5,
                }),
              }),
        },
      });
      queueUrls.set(q.name, `${sqsEndpoint}/000000000000/${created.queueName}`);
    }
    for (const t of plan.topics) fauxqs.createTopic(t.name);
    const sqs = sqsClient({ endpoint: sqsEndpoint, region: 'us-east-1' });
    stops.push(async () => sqs.destroy());

    const dynamo = await startDynamo();
    stops.push(() => dynamo.stop());
    await createTables(dynamo.endpoint, plan);

    const twitch = await startTwitchFixture({ channels: sampleChannels(6) });
    stops.push(() => twitch.close());
    const irc = await startIrcFixture();
    stops.push(() => irc.close());
    const air = await startAirFixtureServer({ apiKey: `air_${randomBytes(12).toString('hex')}` });
    stops.push(() => air.close());
    // The program runs at the address the templates name (the stand-in executes it).
    const attentionProgramId = templateSetting(assembly, 'ATTENTION_PROGRAM_ID');
    const solana = await startSolanaRpc(attentionProgramId === undefined ? {} : { attentionProgramId });
    stops.push(() => solana.stop());
    const publisher = generateKeypairSigner();
    solana.airdrop(publisher.signer.address, 100_000_000_000n);
    const tokenGroups = await setUpTokenGroups(
      assembly,
      solana,
      publisher.signer.address,
      attentionProgramId,
    );
    const chainId = templateChainId(assembly);
    const anvil = await startAnvil(chainId === undefined ? {} : { chainId });
    stops.push(() => anvil.stop());
    const creatorChain =
      templateSetting(assembly, 'CREATOR_TOKEN_FACTORY_ADDRESS') === undefined
        ? undefined
        : await deployCreatorChain(anvil.url, anvil.chainId);
    const marketFactory =
      templateSetting(assembly, 'MARKET_FACTORY_ADDRESS') === undefined
        ? undefined
        : await deployMarketFactory(anvil.url, anvil.chainId);
    const fpmmAddress =
      templateSetting(assembly, 'EVM_SIGNER_ADDRESS') === undefined
        ? undefined
        : await deployFpmm(anvil.url, anvil.chainId);

    const material: SecretMaterial = {
      // anvil's well-known dev account 0: a public test key, never a real one.
      evmPrivateKey: ANVIL_DEV_ACCOUNTS[0]?.privateKey ?? '',
      solanaSecretKey: publisher.secretKey,
      twitch: { clientId: twitch.clientId, clientSecret: twitch.clientSecret },
      ingestApiKey: `ingest_${randomBytes(18).toString('base64url')}`,
      adminToken: `admin_${randomBytes(18).toString('base64url')}`,
      airApiKey: air.apiKey,
      database,
    };
    const stored = plan.secrets.map((s) => ({
      arn: s.arn,
      name: s.name,
      // A secret nobody documented keeps the placeholder CloudFormation would generate.
      value: secretValue(s.name, s.attachedToDatabase, material) ?? '{}',
    }));
    const secrets = await startSecretsManagerServer(
      Object.fromEntries(
        stored.flatMap((s) => [
          [s.arn, s.value],
          [s.name, s.value],
        ]),
      ),
    );
    stops.push(() => secrets.close());

    const lookup = standInLookup(assembly, plan, {
      queueUrl: (name) => queueUrls.get(name) ?? `${sqsEndpoint}/000000000000/${name}`,
      database: { host: database.host, port: database.port },
    });
    const ruleDeliveries: RuleDelivery[] = [];
    const rules = resourcesOfType(assembly, 'AWS::Events::Rule').map(({ stack, resource }) => ({
      stack,
      bus: resolveValue(resource.Properties?.['EventBusName'] ?? 'default', {
        assembly,
        stack,
        standIns: lookup,
      }),
      pattern: (resource.Properties?.['EventPattern'] ?? {}) as Record<string, unknown>,
      targets: (resource.Properties?.['Targets'] ?? []) as { Arn: unknown }[],
    }));
    const bus = await startEventBridge(async (event) => {
      for (const rule of rules) {
        if (rule.bus !== event.eventBusName || !patternMatches(rule.pattern, event)) continue;
        for (const target of rule.targets) {
          const id = referencedId(target.Arn);
          const type =
            id === undefined
              ? undefined
              : assembly.stacks.find((s) => s.name === rule.stack)?.template.Resources[id]?.Type;
          if (id !== undefined && type === 'AWS::Lambda::Function') {
            ruleDeliveries.push({ stack: rule.stack, functionLogicalId: id, event });
          } else if (id !== undefined && type === 'AWS::SQS::Queue') {
            // EventBridge puts the whole event envelope on the queue as the message body.
            const { eventBridgeEvent } = await import('./trigger-events.ts');
            await sqs.send(
              new SendMessageCommand({
                QueueUrl: lookup(rule.stack, id)?.ref ?? '',
                MessageBody: JSON.stringify(eventBridgeEvent(event)),
              }),
            );
          }
        }
      }
    });
    stops.push(() => bus.close());
    const ses = await startSes();
    stops.push(() => ses.close());
    const connections = await startConnectionsApi();
    stops.push(() => connections.close());

    const endpoints: StandInEndpoints = {
      aws: {
        AWS_ENDPOINT_URL_SQS: sqsEndpoint,
        AWS_ENDPOINT_URL_SNS: sqsEndpoint,
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
        AWS_ENDPOINT_URL_EVENTBRIDGE: bus.url,
        AWS_ENDPOINT_URL_SESV2: ses.url,
        AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI: connections.url,
      },
      settings: {
        EVM_RPC_URL: anvil.url,
        SOLANA_RPC_URL: solana.url,
        AIR_API_URL: air.url,
        TWITCH_HELIX_URL: twitch.helixUrl,
        TWITCH_AUTH_URL: twitch.authUrl,
        TWITCH_IRC_HOST: irc.host,
        TWITCH_IRC_PORT: String(irc.port),
        TWITCH_IRC_TLS: 'false',
        DB_PORT: String(proxy.port),
        EVM_SIGNER_ADDRESS: ANVIL_DEV_ACCOUNTS[0]?.address ?? '',
        ...(tokenGroups.mints === undefined ? {} : { TOKEN_GROUP_MINTS: tokenGroups.mints }),
        ...(creatorChain === undefined
          ? {}
          : {
              CREATOR_METRICS_MANAGER_ADDRESS: creatorChain.managerAddress,
              CREATOR_TOKEN_FACTORY_ADDRESS: creatorChain.factoryAddress,
            }),
        ...(marketFactory === undefined ? {} : { MARKET_FACTORY_ADDRESS: marketFactory }),
      },
      databaseCaFile: caFile,
      rewriteUrl: (url) => managementEndpoint(url, plan, connections.url),
    };
    const secretByArn = new Map(stored.map((s) => [s.arn, s.value]));
    return {
      plan,
      lookup,
      endpoints,
      material,
      sqs,
      secrets,
      bus,
      ses,
      sms: queueProxy.sms,
      connections,
      twitch,
      irc,
      air,
      solana,
      attentionProtocols: tokenGroups.protocols,
      anvil,
      creatorChain,
      fpmmAddress,
      adminDatabaseUrl: pg.urlFor(database.dbname).replace('127.0.0.1', DATABASE_HOST),
      databaseCa: ca.certificate,
      ruleDeliveries,
      rules,
      secretValueOf: (arn) => secretByArn.get(arn),
      queueHolds: (queueUrl, text) => {
        const name = [...queueUrls].find(([, url]) => url === queueUrl)?.[0];
        const queue = name === undefined ? undefined : fauxqs.inspectQueue(name);
        // messages stay as fauxqs holds them
        if (queue === undefined) return false;
        const { ready, delayed, inflight } = queue.messages;
        return [...ready, ...delayed, ...inflight.map((m) => m.message)].some((m) => m.body.includes(text));
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Each table with the template's key schema, attribute definitions and global secondary indexes. */
async function createTables(endpoint: string, plan: StandInPlan): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'deployment-check', secretAccessKey: 'deployment-check' },
  });
  try {
    for (const table of plan.tables) {
      const p = table.properties as {
        KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
        AttributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
        GlobalSecondaryIndexes?: {
          IndexName: string;
          KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
          Projection: { ProjectionType?: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; NonKeyAttributes?: string[] };
        }[];
      };
      await client.send(
        new CreateTableCommand({
          TableName: table.name,
          KeySchema: p.KeySchema,
          AttributeDefinitions: p.AttributeDefinitions,
          BillingMode: 'PAY_PER_REQUEST',
          ...(p.GlobalSecondaryIndexes === undefined
            ? {}
            : {
                GlobalSecondaryIndexes: p.GlobalSecondaryIndexes.map((index) => ({
                  IndexName: index.IndexName,
                  KeySchema: index.KeySchema,
                  Projection: index.Projection,
                })),
              }),
        }),
      );
    }
  } finally {
    client.destroy();
  }
}
