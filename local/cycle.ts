/**
 * One full cycle of the pipeline on the local runtime, as the schedules run it on AWS:
 * producers send events → the ingest writer → (the stages after it as they exist) → a summary.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SqsEventSink } from '../layers/shared/src/adapters/aws/sqs-event-sink.ts';
import { ircFrameworkConnector } from '../layers/shared/src/adapters/twitch/irc-framework-connection.ts';
import { epochOfMs } from '../layers/shared/src/core/attention/signals.ts';
import { mappingCoverage } from '../layers/shared/src/services/attention/ingest-writer.ts';
import { IrcWorker } from '../layers/shared/src/services/attention/irc-worker.ts';
import { randomChatScript } from './chat-script.ts';
import { configureChannels } from './cycle-channels.ts';
import { fpmmOracleCalls } from './cycle-fpmm.ts';
import { asFunction } from './function-databases.ts';
import { drain, lambdaContext } from './queue-poller.ts';
import type { LocalRuntime } from './runtime.ts';

export interface CycleSummary {
  readonly ok: boolean;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly health: Awaited<ReturnType<LocalRuntime['health']>>;
  readonly endpoints: Record<string, string>;
  readonly processes: Record<string, number | undefined>;
  readonly stages: Record<string, unknown>;
  readonly errors: string[];
}

type Stage = (runtime: LocalRuntime, context: CycleContext) => Promise<unknown>;

export interface CycleContext {
  readonly nowMs: number;
  /** The current (open) epoch. */
  readonly epoch: number;
  /** The past epoch the chat stage filled, which the cycle seals and publishes. */
  chatEpoch?: number;
  /** A viewer with a wallet bound before sealing, whose claim the cycle checks. */
  boundViewer?: string | undefined;
  /** That viewer's wallet (generated for this run, funded), which signs the claim. */
  boundWallet?: Uint8Array | undefined;
  /** That viewer's session from the Twitch sign-in, which asks for the claim transactions. */
  boundSession?: string | undefined;
  readonly stages: Record<string, unknown>;
}

/** Discovery as the daily schedule runs it, against the Helix fixture. */
const discover: Stage = async (runtime) => {
  const { handler } = await import('../functions/scheduled/discovery/index.ts');
  const result = await asFunction('Discovery', handler.on(runtime.platform))({ mode: 'daily' });
  const { sql } = await runtime.platform.database();
  const tracked = await sql<
    { channel: string }[]
  >`select channel from attention.channels where tracked order by channel`;
  return {
    outcome: result.outcome,
    seen: result.seen,
    added: result.added.length,
    removed: result.removed.length,
    tracked: tracked.map((r) => r.channel),
    helixRequests: result.helixRequests,
  };
};

/** A token group and a blocklisted channel set through the admin routes (cycle-channels.ts). */
const channels: Stage = (runtime, context) =>
  configureChannels(runtime, (context.stages['discovery'] as { tracked: string[] }).tracked);
/** Chatters of the crowd in the first tracked channel. */
const CROWD = 2400;

/**
 * An hour of chat in the tracked channels, played by the IRC fixture to the IRC worker, which
 * sends it to the ingest queue; the writer then drains the queue. The chat is dated in the
 * previous hour (IRC lines carry their own `tmi-sent-ts`), so the cycle can seal that epoch.
 */
const chat: Stage = async (runtime, context) => {
  const { sql } = await runtime.platform.database();
  const channels = (
    await sql<{ channel: string }[]>`select channel from attention.channels where tracked order by channel`
  ).map((r) => r.channel);
  if (channels.length === 0) throw new Error('no tracked channels: discovery found none');
  // Two hours back: that epoch is over (and sealable) whatever minute of the hour this runs.
  const startMs = (context.epoch - 7200) * 1000 + 5 * 60_000;
  const script = randomChatScript({ channels, startMs, lines: 600, viewersPerChannel: 60, seed: 42 });
  // A crowd in the first channel, more than one tree holds once half of it binds: the channel's
  // bound viewers fill shard trees (<channel>, <channel>~2), each published and verified below.
  for (let i = 0; i < CROWD; i++) script.chat(channels[0] as string, `crowd_${String(i).padStart(4, '0')}`);
  const worker = new IrcWorker({
    connect: ircFrameworkConnector({
      host: runtime.irc.host,
      port: runtime.irc.port,
      tls: false,
      nick: 'justinfan20260',
    }),
    sink: new SqsEventSink({ client: runtime.sqs.client, queueUrl: runtime.sqs.queues.ingest.url }),
    trackedChannels: async () => channels,
    flushIntervalMs: 3_600_000,
    now: () => script.receivedAtMs,
  });
  await worker.start();
  await runtime.irc.waitForJoined(channels);
  await runtime.irc.play(script.entries);
  await runtime.irc.sync();
  await worker.stop();
  const written = await drain(
    runtime.sqs.client,
    runtime.sqs.queues.ingest.url,
    await ingestWriterConsumer(runtime),
    {
      batchSize: 10,
    },
  );
  const epoch = context.epoch - 7200;
  const coverage = await mappingCoverage(sql, epoch);
  const [counts] = await sql<{ participants: number }[]>`
    select count(*)::int as participants from attention.channel_participation where epoch = ${epoch}`;
  context.chatEpoch = epoch;
  return {
    epoch,
    channels: channels.length,
    ircLines: script.entries.length,
    eventsSent: worker.stats.sent,
    queueMessagesWritten: written.received - written.failed,
    participationRows: counts?.participants ?? 0,
    mappingCoverage: coverage,
  };
};

async function ingestWriterConsumer(
  runtime: LocalRuntime,
): Promise<(event: SQSEvent) => Promise<SQSBatchResponse>> {
  const { handler } = await import('../functions/queue/ingest-writer/index.ts');
  return asFunction('IngestWriter', handler.on(runtime.platform));
}

/** Viewers of the fixture channels talk, subscribe, cheer, gift and raid through POST /ingest. */
const ingestViaApi: Stage = async (runtime, context) => {
  const { sql: db } = await runtime.platform.database();
  const channels = (
    await db<
      { channel: string }[]
    >`select channel from attention.channels where tracked order by channel limit 6`
  ).map((r) => r.channel);
  const events: Array<Record<string, unknown>> = [];
  channels.forEach((channel, c) => {
    for (let v = 0; v < 40; v++) {
      const user = `viewer_${String(v).padStart(3, '0')}`;
      const ts = context.nowMs - (40 - v) * 1000 - c;
      events.push({ channel, user, kind: 'presence', ts });
      if (v % 7 === 0) events.push({ channel, user, kind: 'sub', ts: ts + 1 });
      if (v % 5 === 0) events.push({ channel, user, kind: 'bits', amount: 100 + v, ts: ts + 2 });
      if (v % 11 === 0) events.push({ channel, user, kind: 'gift', amount: 1 + (v % 3), ts: ts + 3 });
    }
    events.push({
      channel,
      user: channels[(c + 1) % channels.length],
      kind: 'raid',
      amount: 25 + c,
      ts: context.nowMs - 500,
    });
  });
  let accepted = 0;
  for (let i = 0; i < events.length; i += 500) {
    const response = await fetch(`${runtime.apiUrl}/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': runtime.ingestApiKey },
      body: JSON.stringify({ events: events.slice(i, i + 500) }),
    });
    const body = (await response.json()) as { enqueued?: number; error?: { message: string } };
    if (response.status !== 202)
      throw new Error(`POST /ingest answered ${response.status}: ${body.error?.message}`);
    accepted += body.enqueued ?? 0;
  }
  const written = await drain(
    runtime.sqs.client,
    runtime.sqs.queues.ingest.url,
    await ingestWriterConsumer(runtime),
    {
      batchSize: 10,
    },
  );
  const { sql } = await runtime.platform.database();
  const [counts] = await sql<{ events: number; participants: number; channels: number }[]>`
    select (select count(*)::int from attention.raw_events where epoch = ${context.epoch}) as events,
      (select count(*)::int from attention.channel_participation where epoch = ${context.epoch}) as participants,
      (select count(distinct channel)::int from attention.channel_participation where epoch = ${context.epoch}) as channels`;
  const coverage = await mappingCoverage(sql, context.epoch);
  return {
    epoch: context.epoch,
    eventsPosted: events.length,
    eventsEnqueued: accepted,
    queueMessagesWritten: written.received - written.failed,
    eventsStored: counts?.events ?? 0,
    participationRows: counts?.participants ?? 0,
    channels: counts?.channels ?? 0,
    mappingCoverage: coverage,
  };
};

/**
 * Half the viewers bind a Solana wallet, then the epoch is sealed and its trees built, as the
 * hourly schedule does: bound viewers get leaves, the others' amounts are carried until they bind.
 * The viewer whose claim the cycle checks binds through the API as a viewer would (Twitch sign-in
 * at the fixture, a signed message, the session); the rest are bound directly, without those
 * checks, to keep the cycle short.
 */
const seal: Stage = async (runtime, context) => {
  const epoch = context.chatEpoch;
  if (epoch === undefined) throw new Error('the chat stage filled no epoch');
  const { sql } = await runtime.platform.database();
  const { bindWalletDirect } = await import('../layers/shared/src/services/attention/wallet-binding.ts');
  const { bindWalletThroughApi } = await import('./wallet-binding-flow.ts');
  const { Keypair } = await import('@solana/web3.js');
  const { ed25519 } = await import('@noble/curves/ed25519');
  const viewers = await sql<{ username: string }[]>`
    select distinct um.username from attention.channel_participation cp
    join attention.user_mapping um using (user_hash) where cp.epoch = ${epoch} order by um.username`;
  const bound = viewers.filter((_, i) => i % 2 === 0);
  const [first, ...rest] = bound;
  if (first !== undefined) {
    const keypair = Keypair.generate();
    const binding = await bindWalletThroughApi(runtime.apiUrl, first.username, {
      address: keypair.publicKey.toBase58(),
      sign: (message) => ed25519.sign(message, keypair.secretKey.slice(0, 32)),
    });
    // The claim stage claims this viewer's leaf with this wallet.
    context.boundViewer = first.username;
    context.boundWallet = keypair.secretKey;
    context.boundSession = binding.session;
  }
  for (const viewer of rest) {
    await bindWalletDirect(
      sql,
      viewer.username,
      Keypair.generate().publicKey.toBase58(),
      new Date(context.nowMs - 60_000),
      { twitchUserId: runtime.twitch.userOf(viewer.username).id },
    );
  }
  const { handler } = await import('../functions/scheduled/seal/index.ts');
  const result = await asFunction('Seal', handler.on(runtime.platform))({ epoch });
  const finalized = result.epochs[0];
  const trees = await sql<
    { channel: string; kind: string; root: string; leaf_count: number; total_amount: string }[]
  >`
    select channel, kind, root, leaf_count, total_amount::text from attention.merkle_trees where epoch = ${epoch} order by kind, channel`;
  const [carried] = await sql<{ total: string | null; viewers: number }[]>`
    select sum(amount)::text as total, count(*)::int as viewers from attention.carried_balances where amount > 0`;
  const { splitShardName } = await import('../layers/shared/src/core/attention/trees.ts');
  const shards: Record<string, string[]> = {};
  for (const t of trees) {
    const base = splitShardName(t.channel)?.base ?? t.channel;
    shards[base] = [...(shards[base] ?? []), t.channel];
  }
  return {
    epoch,
    // Channels (and category trees) past one tree's capacity, with their shard trees.
    shardedTrees: Object.fromEntries(Object.entries(shards).filter(([, names]) => names.length > 1)),
    walletsBound: bound.length,
    walletsBoundThroughSignIn: first === undefined ? 0 : 1,
    channelsSealed: finalized?.seal.sealed.length ?? 0,
    mappingCoverage: finalized?.seal.mappingCoverage,
    trees: trees.map((t) => ({
      channel: t.channel,
      kind: t.kind,
      root: t.root,
      leaves: t.leaf_count,
      amount: t.total_amount,
    })),
    carried: { viewers: carried?.viewers ?? 0, amount: carried?.total ?? '0' },
  };
};

/**
 * The every-minute publisher: sealed roots onto the publish FIFO queue, the queue's consumer
 * publishing each to LiteSVM, then every publication verified against the chain.
 */
const publish: Stage = async (runtime, context) => {
  const schedule = asFunction(
    'PublishRoots',
    (await import('../functions/scheduled/publish-roots/index.ts')).handler.on(runtime.platform),
  );
  const consume = asFunction(
    'Publisher',
    (await import('../functions/queue/publisher/index.ts')).handler.on(runtime.platform),
  );
  const { verifierDeps } = await import('../functions/solana-dependencies.ts');
  const { platformRequiring } = await import('../functions/handler-entry.ts');
  const { verifyPublication } = await import(
    '../layers/shared/src/services/attention/publication-verifier.ts'
  );
  let queued = 0;
  for (let tick = 0; tick < 10; tick++) {
    const { queued: n } = await schedule({});
    queued += n;
    await drain(runtime.sqs.client, runtime.sqs.queues.publish.url, consume, { batchSize: 10 });
    if (n === 0) break;
  }
  const { sql } = await runtime.platform.database();
  const rows = await sql<{ epoch: number; channel: string }[]>`
    select epoch::float8 as epoch, channel from attention.publications where epoch = ${context.chatEpoch ?? 0} order by channel`;
  const deps = await verifierDeps(platformRequiring(runtime.platform, ['SOLANA_RPC_URL']));
  const checks = [];
  for (const row of rows) checks.push(await verifyPublication(deps, row.epoch, row.channel));
  const failed = checks.filter((c) => !c.ok);
  if (failed.length > 0)
    throw new Error(`publication verification failed for ${failed.map((c) => c.channel).join(', ')}`);
  return {
    queued,
    published: checks.filter((c) => c.status === 'published').length,
    verified: checks.every((c) => c.ok),
    publications: checks.map((c) => ({
      channel: c.channel,
      root: c.root,
      signature: c.signature,
      slot: c.onChain?.slot ?? null,
    })),
  };
};

/**
 * A bound viewer's claim from the running API, its proof checked against the root, and (in
 * program mode) the claim made on chain from the viewer's wallet: the token balance grows by
 * the leaf's amount.
 */
const claim: Stage = async (runtime, context) => {
  const user = context.boundViewer;
  if (user === undefined || context.chatEpoch === undefined) throw new Error('no bound viewer to claim for');
  const response = await fetch(`${runtime.apiUrl}/claims/${encodeURIComponent(user)}`);
  const body = (await response.json()) as {
    claims?: Array<Record<string, unknown>>;
    error?: { message: string };
  };
  if (response.status !== 200)
    throw new Error(`GET /claims/${user} answered ${response.status}: ${body.error?.message}`);
  const first = body.claims?.find((c) => c['epoch'] === context.chatEpoch);
  if (first === undefined) throw new Error(`no claim for ${user} in epoch ${context.chatEpoch}`);
  const { verifyProof, fromHex } = await import('../layers/shared/src/core/merkle/index.ts');
  const proof = (first['proof'] as string[]).map((p) => fromHex(p, 'proof'));
  const verified = verifyProof(
    fromHex(first['root'] as string, 'root'),
    fromHex(first['leaf'] as string, 'leaf'),
    proof,
    'claim-v1',
  );
  if (!verified) throw new Error(`the proof served for ${user} does not verify`);
  const served = {
    user,
    claims: body.claims?.length ?? 0,
    epoch: first['epoch'],
    channel: first['channel'],
    index: first['index'],
    amount: first['amount'],
    proofVerified: verified,
  };
  const { claimOnChain } = await import('./cycle-claim.ts');
  return { ...served, onChain: await claimOnChain(runtime, context, first) };
};

/**
 * The recovery dashboard's snapshot (daily at 01:00 UTC on AWS) of the day the cycle sealed, taken
 * through its function while the day is still open: what this cycle carried and bound is in it.
 */
const recovery: Stage = async (runtime, context) => {
  if (context.chatEpoch === undefined) throw new Error('the chat stage filled no epoch');
  const { dayOf } = await import('../layers/shared/src/core/attention/recovery-day.ts');
  const { handler } = await import('../functions/scheduled/recovery-snapshot/index.ts');
  return asFunction(
    'RecoverySnapshot',
    handler.on(runtime.platform),
  )({ day: dayOf(new Date(context.chatEpoch * 1000)) });
};

/** The FPMM oracle calls through the admin routes and the delivery engine (cycle-fpmm.ts). */
const oracleCalls: Stage = (runtime) => fpmmOracleCalls(runtime);

/** Pools on anvil with trading activity, prices and TWAP, rankings, generated tokens, notifications. */
const market: Stage = async (runtime) => {
  const { runMarketCycle } = await import('./market/market-cycle.ts');
  const { localProvider } = await import('./anvil.ts');
  // The market's pollers, token generation and notifications, all of the market writers' role.
  const { sql } = await runtime.databaseAs('oracle_market');
  const providers: ReturnType<typeof localProvider>[] = [];
  try {
    const summary = await runMarketCycle({
      sql,
      anvil: {
        chainId: 31337,
        provider: () => {
          const provider = localProvider(runtime.evmRpcUrl, 31337);
          providers.push(provider);
          return provider;
        },
      },
      // anvil's dev accounts 4 (deployer) and 3 (trader): never the oracle signer (0) or the
      // FPMM owner (1), so no two wallets race for one nonce.
      deployerKey: (await import('./anvil.ts')).ANVIL_DEV_ACCOUNTS[4]?.privateKey as string,
    });
    if (!summary.ok) throw new Error(`market checks failed: ${JSON.stringify(summary.checks)}`);
    return summary;
  } finally {
    for (const provider of providers) provider.destroy();
  }
};

/**
 * Demo subscribers to the attention and creator triggers, made before anything is published so
 * the roots and milestones of this cycle reach them: generated keys that sign in with Ethereum
 * over the API, subscribe, and confirm the link and the code the notifications queue brought them.
 */
const subscriptions: Stage = async (runtime) => {
  const { call, confirmOverApi, signInOverApi } = await import('./market/demo-users.ts');
  const { notificationsConsumer, notificationsDependencies } = await import(
    '../functions/queue/notifications/index.ts'
  );
  const { RecordingChannel } = await import('../layers/shared/src/services/market/notifications.ts');
  const viewer = await signInOverApi(runtime.apiUrl);
  const fan = await signInOverApi(runtime.apiUrl);
  const subscribe = (session: string, body: Record<string, unknown>) =>
    call(runtime.apiUrl, 'POST', '/api/notifications/subscribe', body, session) as Promise<{
      subscriptionId: string;
    }>;
  const made = [
    await subscribe(viewer.session, { trigger: 'epoch_published', email: 'viewer@example.test' }),
    await subscribe(fan.session, {
      trigger: 'creator_milestone',
      email: 'fan@example.test',
      phone: '+15550100002',
    }),
  ];
  const email = new RecordingChannel('email');
  const sms = new RecordingChannel('sms');
  const channels = new Map([
    ['email', email],
    ['sms', sms],
  ] as const);
  const handler = notificationsConsumer((platform) => notificationsDependencies(platform, channels));
  const run = handler.on(runtime.platform);
  const consumer = asFunction('Notifications', (event: SQSEvent) => run(event, lambdaContext(60_000)));
  await drain(runtime.sqs.client, runtime.sqs.queues.notifications.url, consumer, { batchSize: 10 });
  const to = (...contacts: string[]) => [...email.sent, ...sms.sent].filter((m) => contacts.includes(m.to));
  const confirmed =
    (await confirmOverApi(runtime.apiUrl, viewer, to('viewer@example.test'))) +
    (await confirmOverApi(runtime.apiUrl, fan, to('fan@example.test', '+15550100002')));
  if (confirmed !== 3) throw new Error(`the demo subscribers confirmed ${confirmed} of 3 contacts`);
  return { subscriptions: made.map((m) => m.subscriptionId), confirmedContacts: confirmed };
};

/**
 * The notifications queue through its Lambda consumer: the RootPublished and MilestoneReached
 * events the publisher and the creator sync put there become outbox rows and are sent (to
 * recording channels: locally, the outbox is where a notification can be read).
 */
const notifications: Stage = async (runtime) => {
  const { notificationsConsumer, notificationsDependencies } = await import(
    '../functions/queue/notifications/index.ts'
  );
  const { CHANNELS, RecordingChannel } = await import(
    '../layers/shared/src/services/market/notifications.ts'
  );
  const channels = new Map(CHANNELS.map((name) => [name, new RecordingChannel(name)]));
  const run = notificationsConsumer((platform) => notificationsDependencies(platform, channels)).on(
    runtime.platform,
  );
  const consumer = asFunction('Notifications', (event: SQSEvent) => run(event, lambdaContext(60_000)));
  await drain(runtime.sqs.client, runtime.sqs.queues.notifications.url, consumer, { batchSize: 10 });
  const { sql } = await runtime.platform.database();
  const rows = await sql<{ trigger: string; status: string; n: number }[]>`
    select trigger, status, count(*)::int as n from market.notification_outbox group by trigger, status order by trigger, status`;
  const byTrigger: Record<string, Record<string, number>> = {};
  for (const row of rows) byTrigger[row.trigger] = { ...byTrigger[row.trigger], [row.status]: row.n };
  for (const trigger of ['epoch_published', 'creator_milestone']) {
    if ((byTrigger[trigger]?.['sent'] ?? 0) === 0) throw new Error(`no ${trigger} notification was sent`);
  }
  return { byTrigger };
};

/** StreamVault demo creators seeded, synced to anvil through the delivery engine, coins launched. */
const creators: Stage = async (runtime, context) => {
  const { runCreatorOracleStage } = await import('./creator-oracle-stage.ts');
  return runCreatorOracleStage(runtime, context.nowMs);
};

/** The stages in pipeline order; each later stage reads what the earlier ones wrote. */
export const STAGES: ReadonlyArray<readonly [string, Stage]> = [
  ['subscriptions', subscriptions],
  ['discovery', discover],
  ['channels', channels],
  ['chat', chat],
  ['ingestApi', ingestViaApi],
  ['seal', seal],
  ['publish', publish],
  ['claim', claim],
  ['recovery', recovery],
  ['oracleCalls', oracleCalls],
  ['creators', creators],
  ['market', market],
  ['notifications', notifications],
];

export async function runCycle(runtime: LocalRuntime, nowMs = Date.now()): Promise<CycleSummary> {
  const started = performance.now();
  const context: CycleContext = { nowMs, epoch: epochOfMs(nowMs), stages: {} };
  const errors: string[] = [];
  for (const [name, stage] of STAGES) {
    try {
      context.stages[name] = await stage(runtime, context);
    } catch (error) {
      errors.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      context.stages[name] = { error: error instanceof Error ? error.message : String(error) };
    }
  }
  const health = await runtime.health();
  return {
    ok: errors.length === 0 && health.status === 'ok',
    startedAt: new Date(nowMs).toISOString(),
    durationMs: Math.round(performance.now() - started),
    health,
    endpoints: runtime.endpoints,
    processes: runtime.processes,
    stages: context.stages,
    errors,
  };
}
