/**
 * The IRC worker's entry point (the Fargate task's command; `startIrcWorker` for the local
 * runtime). Wires Twitch chat (irc-framework), the tracked channels from the database and the
 * ingest queue into the worker service; on SIGTERM or SIGINT it flushes its buffer before the
 * process exits. It runs on the same platform as the Lambdas (functions/platform.ts: the
 * database, secrets), from its configuration loaded once with its required settings checked; the
 * image holds layers/, functions/worker/ and the platform's two files (lib/stacks/worker-stack.ts).
 */
import { randomInt } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { SqsEventSink } from '../../../layers/shared/src/adapters/aws/sqs-event-sink.ts';
import { sqsClient } from '../../../layers/shared/src/adapters/aws/sqs-work-queue.ts';
import { ircFrameworkConnector } from '../../../layers/shared/src/adapters/twitch/irc-framework-connection.ts';
import { type Config, loadConfig } from '../../../layers/shared/src/config.ts';
import {
  flushMetrics,
  logger,
  MetricUnit,
  metrics,
  powertoolsTelemetry,
} from '../../../layers/shared/src/observability.ts';
import type { ChatConnector } from '../../../layers/shared/src/ports/chat-connection.ts';
import type { EventSink } from '../../../layers/shared/src/ports/event-sink.ts';
import type { SecretStore } from '../../../layers/shared/src/ports/secret-store.ts';
import { parseSecret } from '../../../layers/shared/src/secret-value.ts';
import { trackedChannels } from '../../../layers/shared/src/services/attention/discovery.ts';
import {
  IrcWorker,
  type IrcWorkerOptions,
} from '../../../layers/shared/src/services/attention/irc-worker.ts';
import { createPlatform, type Platform, type RequiredConfig, requireConfig } from '../../platform.ts';

export interface IrcWorkerDeps {
  readonly connect: ChatConnector;
  readonly sink: EventSink;
  readonly trackedChannels: () => Promise<readonly string[]>;
  readonly options?: Omit<IrcWorkerOptions, 'connect' | 'sink' | 'trackedChannels'>;
}

/** Starts a worker; resolves once it is connected. Call `worker.stop()` to flush and leave. */
export async function startIrcWorker(deps: IrcWorkerDeps): Promise<IrcWorker> {
  const worker = new IrcWorker({ telemetry: powertoolsTelemetry, ...deps.options, ...deps });
  await worker.start();
  return worker;
}

/** A logged-in bot's nick and token from the Twitch secret (`ircNick`, `ircToken`), else anonymous. */
export async function ircIdentity(
  config: Config,
  secrets: SecretStore,
): Promise<{ nick: string; password?: string }> {
  const anonymous = { nick: `justinfan${randomInt(10_000, 99_999)}` };
  if (config.TWITCH_SECRET_ARN === undefined) return anonymous;
  const { ircNick, ircToken } = parseSecret(
    await secrets.getSecret(config.TWITCH_SECRET_ARN),
    z.record(z.string(), z.unknown()),
    'the Twitch secret',
  );
  if (typeof ircNick !== 'string' || typeof ircToken !== 'string') return anonymous;
  const token = ircToken.startsWith('oauth:') ? ircToken : `oauth:${ircToken}`;
  return { nick: ircNick.toLowerCase(), password: token };
}

/** The worker's configuration: what it cannot run without is checked present, in every mode. */
export type IrcWorkerConfig = RequiredConfig<'DATABASE_URL' | 'INGEST_QUEUE_URL'>;

/**
 * The task definition gives DB_HOST, DB_PORT, DB_NAME and DB_SECRET_ARN (RDS Proxy), the same
 * settings as the Lambdas; DATABASE_URL serves local runs.
 */
export function ircWorkerConfig(env: NodeJS.ProcessEnv = process.env): IrcWorkerConfig {
  const options = { require: ['DATABASE_URL', 'INGEST_QUEUE_URL'] } as const;
  return requireConfig(loadConfig(env, options), options.require);
}

/** The worker's platform: its pool holds two connections (it only reads the tracked channels). */
export function ircWorkerPlatform(config: IrcWorkerConfig): Platform<IrcWorkerConfig> {
  return createPlatform({ ...config, DATABASE_POOL_MAX: 2 });
}

/**
 * What the worker runs on: Twitch chat as the bot of the Twitch secret (or anonymously), the
 * tracked channels from the platform's database, and the ingest queue. The sink sends with its
 * own SQS client: it retries exactly the entries SQS refused, which a WorkQueue does not report.
 */
export async function ircWorkerDependencies(platform: Platform<IrcWorkerConfig>): Promise<IrcWorkerDeps> {
  const config = platform.config;
  const db = await platform.database();
  const identity = await ircIdentity(config, platform.secrets);
  return {
    connect: ircFrameworkConnector({
      host: config.TWITCH_IRC_HOST,
      port: config.TWITCH_IRC_PORT,
      tls: config.TWITCH_IRC_TLS,
      ...identity,
    }),
    sink: new SqsEventSink({
      client: sqsClient({
        region: config.AWS_REGION,
        ...(config.SQS_ENDPOINT === undefined ? {} : { endpoint: config.SQS_ENDPOINT }),
      }),
      queueUrl: config.INGEST_QUEUE_URL,
    }),
    trackedChannels: () => trackedChannels(db.db),
  };
}

async function main(): Promise<void> {
  const platform = ircWorkerPlatform(ircWorkerConfig());
  const worker = new IrcWorker({
    telemetry: powertoolsTelemetry,
    ...(await ircWorkerDependencies(platform)),
  });
  // Handlers first: a SIGTERM while the first connection is still being made flushes too.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping the IRC worker', { signal, buffered: worker.pending });
    worker
      .stop()
      .then(() => platform.close())
      .then(
        () => process.exit(worker.pending === 0 ? 0 : 1),
        (error: unknown) => {
          logger.error('IRC worker stopped badly', { error: error as Error });
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await worker.start();
  reportEveryMinute(worker);
}

/** EMF metrics from the task's stdout (published where EMF_TO_STDOUT=true, as on Fargate). */
function reportEveryMinute(worker: IrcWorker): void {
  let last = { ...worker.stats };
  setInterval(() => {
    const now = { ...worker.stats };
    metrics.addMetric('IrcEventsRead', MetricUnit.Count, now.events - last.events);
    metrics.addMetric('IrcEventsSent', MetricUnit.Count, now.sent - last.sent);
    metrics.addMetric('IrcSendFailures', MetricUnit.Count, now.sendFailures - last.sendFailures);
    metrics.addMetric('IrcReconnects', MetricUnit.Count, now.connections - last.connections);
    metrics.addMetric('IrcEventsBuffered', MetricUnit.Count, worker.pending);
    flushMetrics();
    last = now;
  }, 60_000).unref();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    logger.error('IRC worker failed to start', { error: error as Error });
    process.exit(1);
  });
}
