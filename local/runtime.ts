/**
 * `npm run local`: the whole platform on one machine. Starts (or points at, where the
 * environment names a real endpoint) PostgreSQL, anvil, the LiteSVM Solana RPC, fauxqs,
 * dynalite and the Twitch fixtures; applies migrations; serves every API route on one HTTP
 * server; and stops all of it again, leaving no process behind.
 *
 * On its own Solana RPC it publishes in program mode, so viewers can claim: each token group
 * gets a mint, the attention program's protocol state (this run's publisher allowlisted) and a
 * funded treasury, and the program's instructions run on the RPC's stand-in (or the compiled
 * program with ATTENTION_PROGRAM_SO). PUBLISH_MODE=memo publishes memos instead; against a real
 * cluster (SOLANA_RPC_URL) memo is the default unless PUBLISH_MODE and TOKEN_GROUP_MINTS say
 * otherwise, since its mints and protocol states are the operator's.
 */

import { createPlatform, type Platform } from '../functions/platform.ts';
import { SOLANA_CLUSTERS, type SolanaCluster } from '../functions/web/claims-page/src/config.ts';
import { StaticSecretStore } from '../layers/shared/src/adapters/aws/secrets-manager-store.ts';
import type { DbHandle } from '../layers/shared/src/adapters/db/client.ts';
import { runMigrations } from '../layers/shared/src/adapters/db/migrate.ts';
import { generateKeypairSigner } from '../layers/shared/src/adapters/solana/keypair-signer.ts';
import { Web3SolanaClient } from '../layers/shared/src/adapters/solana/web3-solana-client.ts';
import { loadConfig } from '../layers/shared/src/config.ts';
import { DEFAULT_ATTENTION_PROGRAM_ID } from '../layers/shared/src/core/solana/program-ids.ts';
import {
  checkHealth,
  type HealthCheck,
  type HealthReport,
  jsonRpcPing,
} from '../layers/shared/src/services/platform/health.ts';
import type { DatabaseRole } from '../lib/functions.ts';
import { ANVIL_DEV_ACCOUNTS } from './anvil.ts';
import { setUpAttentionProtocol } from './attention-program-accounts.ts';
import { claimsPageFiles, claimsPageHeaders } from './claims-page-files.ts';
import { type FunctionDatabases, openFunctionDatabases, setRolePasswords } from './function-databases.ts';
import { type LocalHttpServer, localCorsPolicy, startHttpServer } from './http-server.ts';
import { type IrcFixture, startIrcFixture } from './irc-fixture.ts';
import { ROUTES } from './routes.ts';
import {
  type DynamoService,
  generatedKey,
  queueAndTableEnvironment,
  type SqsService,
  startAnvil,
  startDynamo,
  startEmbeddedPostgres,
  startSqs,
} from './services.ts';
import { type SolanaRpcHandle, startSolanaRpc } from './solana-rpc.ts';
import { WorkerTreeHasher } from './tree-hash-pool.ts';
import { sampleChannels, startTwitchFixture, type TwitchFixture } from './twitch-fixture.ts';

export const SECRET_IDS = {
  ingestKeys: 'local/ingest-api-keys',
  adminTokens: 'local/admin-tokens',
  evmSigner: 'local/evm-signer',
  solanaPublisher: 'local/solana-publisher',
  twitch: 'local/twitch-credentials',
} as const;

export interface LocalRuntime {
  readonly apiUrl: string;
  readonly databaseUrl: string;
  readonly evmRpcUrl: string;
  readonly solanaRpcUrl: string;
  readonly sqs: SqsService;
  readonly dynamo: DynamoService;
  readonly twitch: TwitchFixture;
  readonly irc: IrcFixture;
  readonly http: LocalHttpServer;
  /** Generated at start, valid for this run only. */
  readonly ingestApiKey: string;
  readonly adminToken: string;
  /** Child processes this runtime started (so a test can check none outlives it). */
  readonly processes: Record<string, number | undefined>;
  readonly endpoints: Record<string, string>;
  /** The environment the runtime gave its handlers (what other `oracle` commands need). */
  readonly env: Record<string, string>;
  /** What every handler runs on: this run's configuration, databases, secrets and tree hashing. */
  readonly platform: Platform;
  /**
   * Logged in as `role`, as the functions of that role are (the owner where DATABASE_URL named
   * the database: its roles have no password the runtime knows).
   */
  databaseAs(role: DatabaseRole): Promise<DbHandle>;
  health(): Promise<HealthReport>;
  stop(): Promise<void>;
}

export interface LocalRuntimeOptions {
  readonly port?: number;
  readonly log?: (line: string) => void;
}

export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const log = options.log ?? (() => {});
  const stack: Array<{ name: string; stop: () => Promise<void> }> = [];
  const processes: Record<string, number | undefined> = {};
  const stopAll = async () => {
    while (stack.length > 0) {
      const item = stack.pop();
      if (item === undefined) break;
      await item.stop().catch((error: unknown) => log(`stopping ${item.name} failed: ${String(error)}`));
    }
  };
  try {
    let databaseUrl = process.env['DATABASE_URL'];
    let adminUrl: string | undefined;
    if (databaseUrl === undefined) {
      const pg = await startEmbeddedPostgres();
      stack.push({ name: 'postgres', stop: () => pg.stop() });
      processes['postgres'] = pg.pid;
      const admin = (await import('postgres')).default(pg.url, { max: 1, onnotice: () => {} });
      await admin.unsafe('create database oracle');
      await admin.end();
      databaseUrl = pg.urlFor('oracle');
      adminUrl = pg.url;
      log(`postgres    ${pg.url.replace(/:[^:@/]+@/, ':***@')} (embedded, pid ${pg.pid})`);
    }
    const migrations = await runMigrations(databaseUrl);
    log(`migrations  ${migrations.applied} applied, ${migrations.total} in all`);
    // Each handler logs in as its function's role (local/function-databases.ts), with passwords
    // made for this run; a database named by DATABASE_URL is used as its URL's user throughout.
    let functionDatabases: FunctionDatabases | undefined;
    if (adminUrl !== undefined) {
      const opened = openFunctionDatabases(databaseUrl, await setRolePasswords(adminUrl));
      functionDatabases = opened;
      stack.push({ name: 'database roles', stop: () => opened.close() });
      log('roles       each handler logs in as its function role (passwords generated for this run)');
    }

    let evmRpcUrl = process.env['EVM_RPC_URL'];
    if (evmRpcUrl === undefined) {
      const anvil = await startAnvil();
      stack.push({ name: 'anvil', stop: () => anvil.stop() });
      processes['anvil'] = anvil.pid;
      evmRpcUrl = anvil.url;
      log(`anvil       ${anvil.url} (chain ${anvil.chainId})`);
    }

    let solanaRpcUrl = process.env['SOLANA_RPC_URL'];
    let embeddedSolana: SolanaRpcHandle | undefined;
    if (solanaRpcUrl === undefined) {
      const solana = await startSolanaRpc({ attentionProgramId: attentionProgramId() });
      embeddedSolana = solana;
      stack.push({ name: 'solana', stop: () => solana.stop() });
      solanaRpcUrl = solana.url;
      log(
        `solana      ${solana.url} (LiteSVM; attention program: ${solana.attentionProgram === 'compiled' ? 'compiled, ATTENTION_PROGRAM_SO' : 'stand-in'})`,
      );
    }

    const sqs = await startSqs();
    stack.push({ name: 'sqs', stop: () => sqs.stop() });
    log(`sqs         ${sqs.endpoint} (fauxqs)`);

    const dynamo = await startDynamo();
    stack.push({ name: 'dynamodb', stop: () => dynamo.stop() });
    log(`dynamodb    ${dynamo.endpoint} (dynalite)`);

    const twitch = await startTwitchFixture({ channels: sampleChannels(12) });
    stack.push({ name: 'twitch', stop: () => twitch.close() });
    log(`twitch      ${twitch.url} (Helix fixture)`);

    const irc = await startIrcFixture();
    stack.push({ name: 'irc', stop: () => irc.close() });
    log(`twitch irc  ${irc.host}:${irc.port} (IRC fixture)`);

    const ingestApiKey = generatedKey('ingest');
    const adminToken = generatedKey('admin');
    // The publisher's keypair is made for this run and funded by airdrop (local clusters only).
    const publisher = generateKeypairSigner();
    await new Web3SolanaClient({ url: solanaRpcUrl }).requestAirdrop(
      publisher.signer.address,
      100_000_000_000n,
    );
    const publisherSecret = JSON.stringify([...publisher.secretKey]);
    log(`publisher   ${publisher.signer.address} (generated, funded)`);
    const publishing = await localPublishing(embeddedSolana, publisher.signer.address, log);

    const secrets = new StaticSecretStore({
      [SECRET_IDS.ingestKeys]: JSON.stringify({ local: ingestApiKey }),
      [SECRET_IDS.adminTokens]: JSON.stringify({ local: adminToken }),
      // anvil's well-known dev account 0: a public test key, never a real one.
      [SECRET_IDS.evmSigner]: JSON.stringify({ privateKey: ANVIL_DEV_ACCOUNTS[0]?.privateKey }),
      [SECRET_IDS.twitch]: JSON.stringify({ clientId: twitch.clientId, clientSecret: twitch.clientSecret }),
      [SECRET_IDS.solanaPublisher]: publisherSecret,
    });

    const env: Record<string, string> = {
      ORACLE_MODE: 'local',
      DATABASE_URL: databaseUrl,
      EVM_RPC_URL: evmRpcUrl,
      SOLANA_RPC_URL: solanaRpcUrl,
      ...queueAndTableEnvironment(sqs, dynamo),
      TWITCH_HELIX_URL: twitch.helixUrl,
      TWITCH_AUTH_URL: twitch.authUrl,
      TWITCH_IRC_HOST: irc.host,
      TWITCH_IRC_PORT: String(irc.port),
      TWITCH_IRC_TLS: 'false',
      TWITCH_SECRET_ARN: SECRET_IDS.twitch,
      INGEST_API_KEYS_SECRET_ARN: SECRET_IDS.ingestKeys,
      ADMIN_TOKENS_SECRET_ARN: SECRET_IDS.adminTokens,
      EVM_SIGNER_SECRET_ARN: SECRET_IDS.evmSigner,
      EVM_SIGNER_ADDRESS: ANVIL_DEV_ACCOUNTS[0]?.address ?? '',
      ...(process.env['EVM_RPC_URL'] === undefined ? { EVM_CHAIN_ID: '31337' } : {}),
      AWS_REGION: process.env['AWS_REGION'] ?? 'us-east-1',
      POWERTOOLS_METRICS_NAMESPACE: 'EngagementOracle',
      POWERTOOLS_DEV: 'true',
      SOLANA_PUBLISHER_SECRET_ARN: SECRET_IDS.solanaPublisher,
      ...publishing,
      LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'WARN',
    };
    Object.assign(process.env, env);
    // The seal function hashes trees on worker threads here (on AWS, on its own thread).
    const trees = WorkerTreeHasher.start();
    stack.push({ name: 'tree hashing', stop: () => trees.close() });

    // The handlers' platform needs the server's origin (API_ORIGIN), known once it listens.
    let platformReady: (platform: Platform) => void = () => {};
    const platformPromise = new Promise<Platform>((resolve) => {
      platformReady = resolve;
    });
    const http = await startHttpServer({
      routes: ROUTES,
      platform: platformPromise,
      secrets,
      ingestKeysSecretId: SECRET_IDS.ingestKeys,
      adminTokensSecretId: SECRET_IDS.adminTokens,
      cors: localCorsPolicy(process.env, ROUTES),
      ...(options.port === undefined ? {} : { port: options.port }),
    });
    stack.push({ name: 'http', stop: () => http.close() });
    log(`api         ${http.url} (${http.routes.length} routes)`);
    // Known once the server listens: binding messages name this origin, and Twitch sign-in
    // returns to the page the runtime serves there.
    const late = {
      API_ORIGIN: http.url,
      TWITCH_REDIRECT_URIS: process.env['TWITCH_REDIRECT_URIS'] ?? `${http.url}/`,
    };
    Object.assign(env, late);
    Object.assign(process.env, late);
    const platform = createPlatform(loadConfig(process.env), {
      ...(functionDatabases === undefined ? {} : { database: functionDatabases.routed }),
      secrets,
      treeHasher: trees,
      env: process.env,
    });
    stack.push({ name: 'platform', stop: () => platform.close() });
    platformReady(platform);
    http.serveFiles(
      await claimsPageFiles({
        apiBaseUrl: http.url,
        solanaRpcUrl,
        solanaCluster: embeddedSolana === undefined ? clusterOf(solanaRpcUrl) : 'localnet',
      }),
      claimsPageHeaders(solanaRpcUrl),
    );
    log(`claims page ${http.url}/`);

    const finalDatabaseUrl = databaseUrl;
    const finalEvm = evmRpcUrl;
    const finalSolana = solanaRpcUrl;
    const checks: HealthCheck[] = [
      {
        name: 'postgres',
        check: async () => {
          const { sql } = await platform.database();
          await sql`select 1`;
        },
      },
      { name: 'anvil', check: () => jsonRpcPing(finalEvm, 'eth_chainId') },
      { name: 'solana', check: () => jsonRpcPing(finalSolana, 'getHealth') },
      {
        name: 'sqs',
        check: async () => {
          const { GetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
          await sqs.client.send(
            new GetQueueAttributesCommand({ QueueUrl: sqs.queues.ingest.url, AttributeNames: ['All'] }),
          );
        },
      },
      {
        name: 'dynamodb',
        check: async () => {
          const { DescribeTableCommand, DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
          const client = new DynamoDBClient({
            endpoint: dynamo.endpoint,
            region: 'us-east-1',
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          });
          try {
            await client.send(new DescribeTableCommand({ TableName: dynamo.tables.rateLimits }));
          } finally {
            client.destroy();
          }
        },
      },
      {
        name: 'twitch',
        check: async () => {
          const response = await fetch(`${twitch.url}/oauth2/validate`, {
            headers: { authorization: 'OAuth health' },
          });
          await response.body?.cancel();
        },
      },
      {
        name: 'api',
        check: async () => {
          const response = await fetch(`${http.url}/no-such-route`);
          await response.body?.cancel();
        },
      },
    ];

    let stopped = false;
    return {
      apiUrl: http.url,
      databaseUrl: finalDatabaseUrl,
      evmRpcUrl: finalEvm,
      solanaRpcUrl: finalSolana,
      sqs,
      dynamo,
      twitch,
      irc,
      http,
      ingestApiKey,
      adminToken,
      processes,
      endpoints: {
        api: http.url,
        postgres: finalDatabaseUrl.replace(/:[^:@/]+@/, ':***@'),
        anvil: finalEvm,
        solana: finalSolana,
        sqs: sqs.endpoint,
        dynamodb: dynamo.endpoint,
        twitch: twitch.url,
        irc: `${irc.host}:${irc.port}`,
      },
      env,
      platform,
      databaseAs: async (role) => functionDatabases?.pool(role) ?? (await platform.database()),
      health: () => checkHealth(checks),
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The cluster a wallet must be on for the page, from SOLANA_CLUSTER or the RPC's host name. */
function clusterOf(rpcUrl: string): SolanaCluster {
  const named = process.env['SOLANA_CLUSTER'];
  if (named !== undefined && (SOLANA_CLUSTERS as readonly string[]).includes(named))
    return named as SolanaCluster;
  const host = new URL(rpcUrl).hostname;
  const known = SOLANA_CLUSTERS.find((cluster) => cluster !== 'localnet' && host.includes(cluster));
  return known ?? (host.includes('mainnet') ? 'mainnet-beta' : 'localnet');
}

const LOCAL_TOKEN_GROUPS = ['MILO', 'CLS', 'OTHER'] as const;

const attentionProgramId = () => process.env['ATTENTION_PROGRAM_ID'] || DEFAULT_ATTENTION_PROGRAM_ID;

/**
 * PUBLISH_MODE and TOKEN_GROUP_MINTS for this run: program mode on the embedded chain, with a
 * mint, protocol state and treasury per token group; what the environment says otherwise.
 */
async function localPublishing(
  solana: SolanaRpcHandle | undefined,
  publisher: string,
  log: (line: string) => void,
): Promise<Record<string, string>> {
  const wanted = process.env['PUBLISH_MODE'];
  if (solana === undefined || wanted === 'memo' || process.env['TOKEN_GROUP_MINTS'] !== undefined) {
    return {
      PUBLISH_MODE: wanted ?? 'memo',
      ...(process.env['TOKEN_GROUP_MINTS'] === undefined
        ? {}
        : { TOKEN_GROUP_MINTS: process.env['TOKEN_GROUP_MINTS'] }),
    };
  }
  const mints: Record<string, { mint: string; epochUnit: 'hours' }> = {};
  for (const group of LOCAL_TOKEN_GROUPS) {
    const protocol = await setUpAttentionProtocol(solana, { publisher, programId: attentionProgramId() });
    mints[group] = { mint: protocol.mint, epochUnit: 'hours' };
    log(`mint ${group.padEnd(6)} ${protocol.mint} (treasury ${protocol.treasury}, publisher allowlisted)`);
  }
  return { PUBLISH_MODE: 'program', TOKEN_GROUP_MINTS: JSON.stringify(mints) };
}
