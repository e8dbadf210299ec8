/**
 * The check of one synthesized stage: starts the stand-ins, runs every function of the templates
 * from its bundle with the event its trigger delivers (custom resources, then seeds, then the IRC
 * task and the schedules, the HTTP and WebSocket routes, the queue consumers, the rule targets),
 * and judges each as the issue defines `ok`.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import postgres from 'postgres';
import { EventBridgeBus } from '../../layers/shared/src/adapters/aws/eventbridge-bus.ts';
import { runMigrations } from '../../layers/shared/src/adapters/db/migrate.ts';
import { FUNCTIONS, type RouteAuth } from '../../lib/functions.ts';
import {
  BUCKET_DEPLOYMENT,
  corsProblems,
  performBucketDeployment,
  siteProblems,
} from './claims-page-site.ts';
import {
  type CloudAssembly,
  type LambdaFunction,
  lambdaFunctions,
  loadCloudAssembly,
} from './cloud-assembly.ts';
import { allowedAdditions, buildEnvironment, lambdaReservedVariables } from './function-environment.ts';
import { FunctionProcess, type InvokeResult, nodeForRuntime } from './function-process.ts';
import { answerProblem, successStatuses, validRequest } from './http-requests.ts';
import { runIrcTask } from './irc-task.ts';
import {
  AFTER_DELIVERY_ROUTES,
  MARKET_SIGN_IN_ROUTES,
  MARKET_SIGN_IN_SETTINGS,
  MarketSessionFlow,
} from './market-session-flow.ts';
import { epochUnitsOf, publishedRootProblem } from './published-roots.ts';
import { resolveValue, UnresolvedReference } from './references.ts';
import { isProviderFramework, PROVIDER_FRAMEWORK_REASON, type ReportEntry } from './report.ts';
import { sampleDomainEvent } from './sample-events.ts';
import { type SeedData, seed, seedMarketPrice } from './seed.ts';
import { SIGN_IN_ROUTES, SignInFlow, signInOrder, VIEWER_SESSION_ROUTES } from './sign-in-flow.ts';
import { startStandIns } from './stand-ins.ts';
import {
  authorizerEvent,
  customResourceEvent,
  eventBridgeEvent,
  type HttpRequest,
  httpApiEvent,
  patternMatches,
  scheduleEvent,
  sqsEvent,
  webSocketEvent,
} from './trigger-events.ts';
import { describeTrigger, readTriggers, type Triggers } from './triggers.ts';

export interface StageCheckOptions {
  readonly stage: string;
  readonly assemblyDir: string;
  readonly workDir: string;
  /** Only these functions (`<stack>/<logicalId>`) and, when `task` is set, the task: the self-test's focus. */
  readonly only?: ReadonlySet<string>;
  readonly runTask?: boolean;
  /** Replaces the assembly as read (the self-test's fixture templates). */
  readonly patchAssembly?: (assembly: CloudAssembly) => CloudAssembly;
  /** Replaces a function's asset directory (a bundle rebuilt from patched source). */
  readonly assetOverride?: (fn: LambdaFunction) => string | undefined;
  /** Replaces the worker's build context (a patched copy). */
  readonly taskContextOverride?: string;
  readonly log?: (line: string) => void;
}

export interface StageCheckResult {
  readonly functions: ReportEntry[];
  readonly tasks: ReportEntry[];
  readonly warnings: string[];
}

interface Verdict {
  ok: boolean;
  notes: string[];
}

const CONCURRENCY = 3;

async function inParallel<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await run(item);
    }),
  );
}

function errorText(r: InvokeResult & { ok: false }): string {
  const e = r.error;
  const name =
    e.constructorName !== undefined && e.constructorName !== e.errorType
      ? `${e.errorType} (class ${e.constructorName})`
      : e.errorType;
  return `${name}: ${e.errorMessage}`;
}

export async function checkStage(options: StageCheckOptions): Promise<StageCheckResult> {
  const log = options.log ?? (() => {});
  const loaded = loadCloudAssembly(options.assemblyDir);
  const assembly = options.patchAssembly === undefined ? loaded : options.patchAssembly(loaded);
  const functions = lambdaFunctions(assembly);
  const triggers = readTriggers(assembly);
  // The ingest queue is part of this deployment when any function or task is given its URL.
  const hasIngestQueue = JSON.stringify(assembly.stacks.map((s) => s.template.Resources)).includes(
    '"INGEST_QUEUE_URL"',
  );
  const key = (fn: { stack: string; logicalId: string }) => `${fn.stack}/${fn.logicalId}`;
  const selected = functions.filter((fn) => options.only === undefined || options.only.has(key(fn)));
  const warnings = new Set<string>();
  const verdicts = new Map<string, Verdict>();
  const verdict = (fn: LambdaFunction) => {
    const v = verdicts.get(key(fn)) ?? { ok: true, notes: [] };
    verdicts.set(key(fn), v);
    return v;
  };
  const fail = (fn: LambdaFunction, note: string) => {
    const v = verdict(fn);
    v.ok = false;
    v.notes.push(note);
  };

  const standIns = await startStandIns(assembly, options.workDir);
  // Each function's whole log, for a failure whose quoted lines do not say enough.
  const logDir = join(options.workDir, 'logs');
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const logFileOf = (fn: LambdaFunction) => join(logDir, `${fn.stack}-${fn.logicalId}.log`);
  const processes = new Map<string, FunctionProcess>();
  const admin = postgres(standIns.adminDatabaseUrl, {
    max: 2,
    onnotice: () => {},
    ssl: { ca: standIns.databaseCa },
  });
  try {
    /** One process per function, started on first use with the template's environment. */
    const processOf = (fn: LambdaFunction): FunctionProcess | undefined => {
      const existing = processes.get(key(fn));
      if (existing !== undefined) return existing;
      const taskRoot = options.assetOverride?.(fn) ?? fn.assetDir;
      const built = buildEnvironment(
        fn.variables,
        { assembly, stack: fn.stack, standIns: standIns.lookup },
        standIns.endpoints,
        {
          from: '/var/task',
          to: taskRoot,
        },
      );
      const v = verdict(fn);
      v.notes.push(...built.substitutions.map((s) => `substituted ${s}`));
      if (built.problems.length > 0) {
        for (const problem of built.problems) fail(fn, `unresolved reference in ${fn.logicalId}: ${problem}`);
        return undefined;
      }
      const node = nodeForRuntime(fn.runtime);
      if (node.warning !== undefined) warnings.add(node.warning);
      const name = `${fn.stack}-${fn.logicalId}`;
      const env = {
        ...lambdaReservedVariables({
          name,
          handler: fn.handler,
          runtime: fn.runtime,
          memoryMb: fn.memoryMb,
          taskRoot,
          region: 'us-east-1',
        }),
        ...built.env,
        ...allowedAdditions(standIns.endpoints),
      };
      const process = new FunctionProcess({
        node,
        taskRoot,
        env,
        timeoutSeconds: fn.timeoutSeconds,
        functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
        logFile: logFileOf(fn),
      });
      processes.set(key(fn), process);
      return process;
    };
    const invoke = async (
      fn: LambdaFunction,
      what: string,
      event: unknown,
    ): Promise<InvokeResult | undefined> => {
      const process = processOf(fn);
      if (process === undefined) return undefined;
      const result = await process.invoke(event);
      log(`${fn.logicalId} ${what}: ${result.ok ? 'returned' : errorText(result)} (${result.ms} ms)`);
      if (!result.ok) {
        fail(fn, `${what}: ${errorText(result)}`);
        const tail = process.output.slice(-8).map((l) => l.slice(0, 240));
        if (tail.length > 0) verdict(fn).notes.push(`log: ${tail.join(' | ')}`);
      }
      return result;
    };
    const triggersOf = (fn: LambdaFunction): Triggers | undefined => triggers.get(key(fn));
    const resolveIn = (stack: string) => ({ assembly, stack, standIns: standIns.lookup });
    /** CDK's bucket deployment of the claims page, performed by the check and the site judged. */
    const judgeBucketDeployment = (
      fn: LambdaFunction,
      cr: { logicalId: string; properties: Record<string, unknown> },
    ) => {
      const v = verdict(fn);
      const api = standIns.plan.httpApis[0];
      const apiUrl =
        api === undefined
          ? undefined
          : standIns.lookup(api.stack, api.logicalId)?.attributes?.['ApiEndpoint'];
      if (apiUrl === undefined) {
        fail(fn, `${cr.logicalId}: the stage has no HTTP API for the page to name`);
        return;
      }
      const siteDir = join(options.workDir, 'claims-page-site');
      try {
        const files = performBucketDeployment(
          assembly,
          { stack: fn.stack, properties: cr.properties },
          resolveIn(fn.stack),
          siteDir,
        );
        for (const problem of siteProblems(siteDir, apiUrl)) fail(fn, `${cr.logicalId}: ${problem}`);
        log(`${fn.logicalId} ${cr.logicalId}: deployed ${files.join(', ')} into ${siteDir}`);
        v.notes.push(
          `substituted the check's own run of CDK's bucket deployment (Python with the AWS CLI): its sources, markers resolved, into ${siteDir}, then judged index.html, what it references and config.json`,
        );
      } catch (error) {
        // An asset missing from the assembly, or a marker that does not resolve.
        fail(fn, `${cr.logicalId}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };

    // 1. Custom resources: the migrations, Create then Update.
    for (const fn of selected) {
      for (const cr of triggersOf(fn)?.customResources ?? []) {
        if (cr.type === BUCKET_DEPLOYMENT) {
          judgeBucketDeployment(fn, cr);
          continue;
        }
        const resource = {
          stack: fn.stack,
          logicalId: cr.logicalId,
          type: cr.type,
          properties: cr.properties,
        };
        const created = await invoke(
          fn,
          `${cr.logicalId} Create`,
          customResourceEvent('Create', resource, undefined),
        );
        const physicalId =
          created?.ok === true
            ? (created.result as { PhysicalResourceId?: string })?.PhysicalResourceId
            : undefined;
        if (created?.ok === true && physicalId === undefined)
          fail(fn, 'Create returned no PhysicalResourceId');
        await invoke(fn, `${cr.logicalId} Update`, customResourceEvent('Update', resource, physicalId));
      }
    }
    // The rest is judged on its own even when the migrations function failed.
    await runMigrations({ url: standIns.adminDatabaseUrl, options: { tls: { ca: standIns.databaseCa } } });
    let seeded: SeedData = await seed(admin, standIns, publishedTokenGroup(functions));
    const marketChainId = functions
      .map((fn) => fn.variables['MARKET_CHAIN_ID'])
      .find((v) => typeof v === 'string');
    if (marketChainId !== undefined) await seedMarketPrice(admin, Number(marketChainId), seeded.marketToken);

    // 2. The IRC task and the schedules (the task fills the ingest queue meanwhile).
    const tasks: ReportEntry[] = [];
    const taskRun =
      options.runTask === false
        ? Promise.resolve()
        : runIrcTask({
            assembly,
            standIns,
            seeded,
            ...(options.taskContextOverride === undefined
              ? {}
              : { contextOverride: options.taskContextOverride }),
            log,
          }).then((entries) => {
            for (const entry of entries) tasks.push({ stage: options.stage, ...entry });
          });
    for (const fn of selected) {
      for (const schedule of triggersOf(fn)?.schedules ?? []) {
        const since = new Date();
        const result = await invoke(fn, `schedule ${schedule.id}`, scheduleEvent(schedule.input));
        if (result?.ok === true) {
          const problem = await recordedRunProblem(admin, since);
          if (problem !== undefined) fail(fn, `schedule ${schedule.id}: ${problem}`);
        }
      }
    }

    // 3. Authorizers, HTTP routes and WebSocket routes, with an oracle call the schedules recorded.
    const [call] = await admin<
      { id: string }[]
    >`select id::text from delivery.oracle_call_history order by id limit 1`;
    if (call !== undefined) {
      seeded = { ...seeded, oracleCallId: call.id };
      // Only a failed call can be retried: the retry route gets one the engine gave up on. Its
      // retry queues it again, so the consumer's round below still sends it.
      await admin`
        update delivery.oracle_call_history
        set status = 'failed', error_message = 'deployment check: given up on, for the retry route'
        where id = ${call.id}::bigint and status in ('queued', 'retrying')`;
    }
    const authorizerFns = selected.filter((fn) => (triggersOf(fn)?.authorizers.length ?? 0) > 0);
    const credentialFor = (header: string, valid: boolean) => {
      const value =
        header === 'x-api-key' ? standIns.material.ingestApiKey : `Bearer ${standIns.material.adminToken}`;
      return valid ? value : `${value}-not-issued`;
    };
    const authorizerContexts = new Map<string, Record<string, unknown>>();
    for (const fn of authorizerFns) {
      // Every credential kind the authorizer accepts, whether or not this stage deploys a route
      // that needs it: the route comes from the registry the authorizer itself reads.
      for (const kind of CREDENTIAL_KINDS) {
        const a = triggersOf(fn)?.authorizers.find(
          (x) => (x.identitySource[0] ?? '').toLowerCase() === `$request.header.${kind.header}`,
        );
        const identitySource = a?.identitySource ?? [`$request.header.${kind.header}`];
        const route = findRouteFor(triggers, identitySource) ?? registryRouteFor(kind.auth);
        if (route === undefined) continue;
        const request = validRequest(route, seeded) ?? {};
        const name = a?.logicalId ?? `${kind.auth} credentials (no route of this stage needs them)`;
        for (const valid of [true, false]) {
          const credential = credentialFor(kind.header, valid);
          const event = authorizerEvent(
            route,
            { ...request, headers: { ...request.headers, [kind.header]: credential } },
            [credential],
            a?.apiId ?? 'httpapi',
          );
          const result = await invoke(
            fn,
            `authorizer ${name} (${valid ? 'valid' : 'invalid'} credential)`,
            event,
          );
          if (result?.ok !== true) continue;
          const answer = result.result as {
            isAuthorized?: boolean;
            context?: Record<string, unknown>;
          } | null;
          if (answer?.isAuthorized !== valid) {
            fail(fn, `authorizer ${name} ${valid ? 'denied a valid' : 'allowed an invalid'} credential`);
          } else if (valid) {
            authorizerContexts.set(identitySource.join(','), answer.context ?? {});
          }
        }
      }
    }
    const httpFns = selected.filter(
      (fn) => (triggersOf(fn)?.httpRoutes.length ?? 0) + (triggersOf(fn)?.webSocketRoutes.length ?? 0) > 0,
    );
    // What a browser on the claims page asks before each call: the API's CORS as the template has it.
    const cors = corsProblems(
      assembly,
      resolveIn(''),
      httpFns.flatMap((fn) => (triggersOf(fn)?.httpRoutes ?? []).map((r) => r.routeKey)),
    );
    for (const fn of httpFns) {
      for (const route of triggersOf(fn)?.httpRoutes ?? []) {
        for (const problem of cors.get(route.routeKey) ?? []) fail(fn, `${route.routeKey}: ${problem}`);
      }
    }
    type HttpRoute = NonNullable<ReturnType<typeof triggersOf>>['httpRoutes'][number];
    /**
     * Sends one route its request (with the authorizer's credential and context) and judges the
     * answer; the answer when it passed, or was `accepted` as the stage's designed refusal.
     */
    const sendRoute = async (
      fn: LambdaFunction,
      route: HttpRoute,
      request: HttpRequest,
      accepted: (status: number, body: string) => boolean = () => false,
    ): Promise<{ status: number; body: string; accepted: boolean } | undefined> => {
      const headers = { ...request.headers };
      let authorizer: Record<string, unknown> | undefined;
      if (route.authorizer !== undefined) {
        const header = (route.authorizer.identitySource[0] ?? '')
          .replace('$request.header.', '')
          .toLowerCase();
        headers[header] = credentialFor(header, true);
        authorizer = authorizerContexts.get(route.authorizer.identitySource.join(','));
        if (authorizer === undefined) {
          fail(fn, `${route.routeKey}: its authorizer allowed no valid credential`);
          return undefined;
        }
      }
      const event = httpApiEvent(
        route.routeKey,
        { ...request, headers },
        { apiId: 'httpapi', ...(authorizer === undefined ? {} : { authorizer }) },
      );
      const result = await invoke(fn, route.routeKey, event);
      if (result?.ok !== true) return undefined;
      const answer = result.result as { statusCode?: number; body?: string } | null;
      const status = answer?.statusCode ?? 200;
      const body = String(answer?.body ?? '');
      if (accepted(status, body)) return { status, body, accepted: true };
      const expected = successStatuses(route.routeKey);
      if (status >= 500) {
        const errors = (processes.get(key(fn))?.output ?? []).filter((l) => l.includes('"level":"ERROR"'));
        if (errors.length > 0) verdict(fn).notes.push(`log: ${(errors.at(-1) ?? '').slice(0, 600)}`);
      }
      if (status >= 500 || !expected.includes(status)) {
        fail(
          fn,
          `${route.routeKey} answered ${status}, the contract declares ${expected.join(' or ') || 'no 2xx'}: ${body.slice(0, 200)}`,
        );
        return undefined;
      }
      const problem = answerProblem(route.routeKey, safeJson(answer?.body), hasIngestQueue);
      if (problem !== undefined) {
        fail(fn, `${route.routeKey}: ${problem}`);
        return undefined;
      }
      return { status, body, accepted: false };
    };
    // The market user signs in first: the session routes of every function need its session.
    const signInFn = httpFns.find((fn) =>
      triggersOf(fn)?.httpRoutes.some((r) => r.routeKey === MARKET_SIGN_IN_ROUTES[0]),
    );
    const market = new MarketSessionFlow(
      seeded.marketWallet,
      Object.fromEntries(
        MARKET_SIGN_IN_SETTINGS.map((name) => {
          const value = signInFn?.variables[name];
          // Without a sign-in function there is nothing to switch off.
          if (signInFn === undefined) return [name, 'n/a'];
          // A value CloudFormation resolves (not a literal) is set.
          return [name, value === undefined ? '' : typeof value === 'string' ? value : 'resolved'];
        }),
      ),
    );
    if (market.off) {
      warnings.add(
        `${options.stage}: market sign-in is off (MarketSignIn has no ${MARKET_SIGN_IN_SETTINGS.join(', ')}), so no market user can open a session`,
      );
    }
    const marketRoute = async (fn: LambdaFunction, route: HttpRoute, delivered: readonly string[]) => {
      const step = await market.step(route.routeKey, validRequest(route.routeKey, seeded), delivered);
      if (step.kind === 'unavailable') {
        fail(fn, `${route.routeKey}: ${step.reason}`);
        return;
      }
      const answer = await sendRoute(fn, route, step.request, (status, body) =>
        market.acceptsUnavailable(route.routeKey, status, body),
      );
      if (answer !== undefined && !answer.accepted)
        market.observe(route.routeKey, answer.status, answer.body);
    };
    for (const routeKey of MARKET_SIGN_IN_ROUTES) {
      for (const fn of httpFns) {
        const route = triggersOf(fn)?.httpRoutes.find((r) => r.routeKey === routeKey);
        if (route !== undefined) await marketRoute(fn, route, []);
      }
    }
    // The viewer sign-in walk, whose session the routes of VIEWER_SESSION_ROUTES use afterwards.
    let viewerFlow: SignInFlow | undefined;
    await inParallel(httpFns, CONCURRENCY, async (fn) => {
      const routes = signInOrder(triggersOf(fn)?.httpRoutes ?? []);
      // The stage's value, or the claims page's URL from its stack (resolved as CloudFormation would).
      const redirectUris = fn.variables['TWITCH_REDIRECT_URIS'];
      const flow = routes.some((r) => SIGN_IN_ROUTES.includes(r.routeKey))
        ? new SignInFlow(standIns.twitch, seeded.viewers[1] ?? 'viewer_two', {
            TWITCH_REDIRECT_URIS: resolvedOrEmpty(redirectUris, resolveIn(fn.stack)),
          })
        : undefined;
      viewerFlow ??= flow;
      if (flow?.off === true) {
        warnings.add(
          `${options.stage}: viewer sign-in is off (WalletsApi has no TWITCH_REDIRECT_URIS), so no viewer can bind a wallet`,
        );
      }
      for (const route of routes) {
        // Sent before (sign-in) or after the queue consumers (what needs a delivered message), or
        // after the viewer's sign-in walk (what needs its session).
        if (
          [...MARKET_SIGN_IN_ROUTES, ...AFTER_DELIVERY_ROUTES, ...VIEWER_SESSION_ROUTES].includes(
            route.routeKey,
          )
        )
          continue;
        if (!SIGN_IN_ROUTES.includes(route.routeKey)) {
          await marketRoute(fn, route, []);
          continue;
        }
        const step = await flow?.step(route.routeKey);
        if (step === undefined) continue;
        if (step.kind === 'unavailable') {
          // Where the stage switched sign-in off, the warning above says so; otherwise it is a failure.
          if (flow?.off !== true) fail(fn, `${route.routeKey}: ${step.reason}`);
          continue;
        }
        const answer = await sendRoute(
          fn,
          route,
          step.request,
          (status, body) => flow?.acceptsUnavailable(route.routeKey, status, body) === true,
        );
        if (answer !== undefined && !answer.accepted)
          await flow?.observe(route.routeKey, answer.status, answer.body);
      }
      const ws = triggersOf(fn)?.webSocketRoutes ?? [];
      if (ws.length > 0) {
        const connectionId = `check${Date.now().toString(36)}=`;
        const first = ws[0];
        for (const routeKey of ['$connect', '$default', '$disconnect']) {
          if (!ws.some((r) => r.routeKey === routeKey)) continue;
          const body = routeKey === '$default' ? JSON.stringify({ action: 'ping' }) : undefined;
          const event = webSocketEvent(routeKey, connectionId, {
            apiId: first?.apiId ?? 'ws',
            stage: first?.stage ?? '',
            ...(body === undefined ? {} : { body }),
          });
          const result = await invoke(fn, `websocket ${routeKey}`, event);
          const status =
            (result?.ok === true
              ? (result.result as { statusCode?: number } | null)?.statusCode
              : undefined) ?? 200;
          if (result?.ok === true && status >= 500) fail(fn, `websocket ${routeKey} answered ${status}`);
        }
      }
    });
    // The routes that need the viewer session, in their order (claims before the opt-out).
    for (const routeKey of VIEWER_SESSION_ROUTES) {
      for (const fn of httpFns) {
        const route = triggersOf(fn)?.httpRoutes.find((r) => r.routeKey === routeKey);
        if (route === undefined) continue;
        const step = viewerFlow?.sessionStep(routeKey) ?? {
          kind: 'unavailable' as const,
          reason: 'no function of this stage serves the viewer sign-in routes',
        };
        if (step.kind === 'unavailable') {
          fail(fn, `${routeKey}: ${step.reason}`);
          continue;
        }
        // Where roots are published as memos, claims need the attention program: 409 by contract.
        const memoMode = fn.variables['PUBLISH_MODE'] !== 'program';
        await sendRoute(
          fn,
          route,
          step.request,
          (status, body) =>
            viewerFlow?.acceptsUnavailable(routeKey, status, body) === true ||
            (memoMode && routeKey === 'POST /claims/{user}/transactions' && status === 409),
        );
      }
    }
    await taskRun;

    // Every rule gets an event of each type it matches: where no function of this stage put one
    // on the bus, the check puts a sample there, and the rule carries it to its target as on AWS.
    for (const rule of standIns.rules) {
      for (const type of (rule.pattern['detail-type'] ?? []) as string[]) {
        const busName = String(rule.bus);
        if (standIns.bus.events.some((e) => e.eventBusName === busName && e.detailType === type)) continue;
        const bus = new EventBridgeBus(
          new EventBridgeClient({
            region: 'us-east-1',
            endpoint: standIns.bus.url,
            credentials: { accessKeyId: 'check', secretAccessKey: 'check' },
          }),
          busName,
        );
        await bus.publish(sampleDomainEvent(type, seeded));
        warnings.add(
          `${options.stage}: no function put a ${type} event on the bus; the check put a sample one`,
        );
      }
    }

    // 4. Queue consumers, in rounds: each round's work may put messages on the next queue.
    const consumers = selected.filter((fn) => (triggersOf(fn)?.queues.length ?? 0) > 0);
    const received = new Map<string, number>();
    // Until the queues are empty (a bounded number of rounds): a message behind others, such as
    // a verification behind the notifications of a dispatch, must reach its consumer too.
    for (let round = 0; round < 20; round++) {
      let moved = 0;
      for (const fn of consumers) {
        for (const q of triggersOf(fn)?.queues ?? []) {
          const queue = standIns.plan.queues.find(
            (p) => p.stack === fn.stack && p.logicalId === q.queueLogicalId,
          );
          const url = standIns.lookup(fn.stack, q.queueLogicalId)?.ref;
          if (queue === undefined || url === undefined) continue;
          const out = await standIns.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: url,
              MaxNumberOfMessages: Math.min(10, q.batchSize),
              WaitTimeSeconds: round === 0 ? 1 : 0,
              MessageSystemAttributeNames: ['All'],
              MessageAttributeNames: ['All'],
            }),
          );
          const messages = out.Messages ?? [];
          if (messages.length === 0) continue;
          moved += messages.length;
          received.set(key(fn), (received.get(key(fn)) ?? 0) + messages.length);
          const arn = `arn:aws:sqs:us-east-1:000000000000:${queue.name}`;
          const result = await invoke(
            fn,
            `batch of ${messages.length} from ${queue.name}`,
            sqsEvent(messages, arn, queue.fifo),
          );
          if (result?.ok !== true) continue;
          const failed = (
            (result.result as { batchItemFailures?: { itemIdentifier: string }[] } | null)
              ?.batchItemFailures ?? []
          ).map((f) => f.itemIdentifier);
          if (failed.length > 0) {
            fail(
              fn,
              `reported batchItemFailures for ${failed.length} of ${messages.length} messages from ${queue.name}`,
            );
            const output = processes.get(key(fn))?.output ?? [];
            const logged = output.filter(
              (l) => l.includes('"level":"ERROR"') || l.includes('"level":"WARN"'),
            );
            const tail = (logged.length > 0 ? logged : output).slice(-2).map((l) => l.slice(0, 400));
            if (tail.length > 0) verdict(fn).notes.push(`log: ${tail.join(' | ')}`);
          }
          // Lambda's event source deletes what the function did not report as failed.
          const done = messages.filter((m) => !failed.includes(m.MessageId ?? ''));
          if (done.length > 0) {
            await standIns.sqs.send(
              new DeleteMessageBatchCommand({
                QueueUrl: url,
                Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
              }),
            );
          }
        }
      }
      if (moved === 0 && round > 0) break;
    }
    for (const fn of consumers) {
      if ((received.get(key(fn)) ?? 0) === 0)
        fail(fn, 'no message reached its queue: nothing in the check produced work for it');
    }
    // The routes that need what the consumers delivered (the email link, the SMS code), the
    // subscription made, or end the session the others used.
    const delivered = [...standIns.ses.sent.map((e) => e.body), ...standIns.sms.map((m) => m.message)];
    for (const routeKey of AFTER_DELIVERY_ROUTES) {
      for (const fn of httpFns) {
        const route = triggersOf(fn)?.httpRoutes.find((r) => r.routeKey === routeKey);
        if (route !== undefined) await marketRoute(fn, route, delivered);
      }
    }
    // A program-mode publisher is judged by the chain: its roots must be in the channel accounts.
    for (const fn of consumers.filter((f) => f.variables['PUBLISH_MODE'] === 'program')) {
      const problem = await publishedRootProblem(
        admin,
        standIns,
        epochUnitsOf(fn.variables['TOKEN_GROUP_MINTS']),
      );
      if (problem !== undefined) fail(fn, problem);
    }

    // 5. EventBridge rule targets: one delivery of each event type the rule matches.
    for (const fn of selected) {
      for (const rule of triggersOf(fn)?.rules ?? []) {
        const types = (rule.pattern['detail-type'] ?? []) as string[];
        for (const type of types) {
          const delivered = standIns.ruleDeliveries.find(
            (d) =>
              d.stack === fn.stack &&
              d.functionLogicalId === fn.logicalId &&
              d.event.detailType === type &&
              patternMatches(rule.pattern, d.event),
          );
          if (delivered === undefined) {
            fail(fn, `no ${type} event reached the bus, so its rule delivered nothing`);
            continue;
          }
          await invoke(fn, `rule delivery of ${type}`, eventBridgeEvent(delivered.event));
        }
      }
    }

    const entries: ReportEntry[] = selected.map((fn) => {
      const t = triggersOf(fn);
      const base = {
        stage: options.stage,
        stack: fn.stack,
        logicalId: fn.logicalId,
        handler: fn.handler,
        trigger: describeTrigger(t),
      };
      const cdkPath = String(
        assembly.stacks.find((s) => s.name === fn.stack)?.template.Resources[fn.logicalId]?.Metadata?.[
          'aws:cdk:path'
        ] ?? '',
      );
      if (isProviderFramework({ handler: fn.handler, cdkPath })) {
        return { ...base, outcome: 'skipped', detail: PROVIDER_FRAMEWORK_REASON };
      }
      const v = verdicts.get(key(fn));
      if (v === undefined) {
        return {
          ...base,
          outcome: 'failed',
          detail:
            'nothing in the templates invokes it (no schedule, queue, route, authorizer, rule or custom resource)',
        };
      }
      // The failure first (the table shows the first line), then what the check substituted.
      const substituted = v.notes.filter((n) => n.startsWith('substituted'));
      const problems = v.notes.filter((n) => !n.startsWith('substituted'));
      const logged = processes.has(key(fn)) ? [`log: ${logFileOf(fn)}`] : [];
      return {
        ...base,
        outcome: v.ok ? 'ok' : 'failed',
        detail: [...(v.ok ? [] : [...problems, ...logged]), ...substituted].join('\n'),
      };
    });
    return { functions: entries, tasks, warnings: [...warnings] };
  } finally {
    await Promise.all([...processes.values()].map((p) => p.stop()));
    await admin.end();
    await standIns.stop();
  }
}

/** The credential kinds of the HTTP API's authorizer (lib/stacks/api-stack.ts). */
const CREDENTIAL_KINDS = [
  { auth: 'apiKey', header: 'x-api-key' },
  { auth: 'admin', header: 'authorization' },
] as const;

/** A route of the registry that needs `auth`, deployed in this stage or not. */
function registryRouteFor(auth: RouteAuth): string | undefined {
  for (const spec of FUNCTIONS) {
    if (spec.trigger.kind !== 'http') continue;
    const route = spec.trigger.routes.find((r) => r.auth === auth);
    if (route !== undefined) return `${route.method} ${route.path}`;
  }
  return undefined;
}

/** A route that sends this authorizer's identity header (for the request the authorizer sees). */
function findRouteFor(
  triggers: Map<string, Triggers>,
  identitySource: readonly string[],
): string | undefined {
  for (const t of triggers.values()) {
    const route = t.httpRoutes.find(
      (r) => r.authorizer?.identitySource.join(',') === identitySource.join(','),
    );
    if (route !== undefined) return route.routeKey;
  }
  return undefined;
}

/** Runs recorded since `since` that did not succeed (discovery runs, creator sync runs). */
async function recordedRunProblem(sql: postgres.Sql, since: Date): Promise<string | undefined> {
  const discovery = await sql<{ outcome: string; error: string | null }[]>`
    select outcome, error from attention.discovery_runs where started_at >= ${since}`;
  const sync = await sql<{ status: string; error_message: string | null }[]>`
    select status, error_message from creator.oracle_sync_logs where operation = 'SYNC_RUN' and created_at >= ${since}`.catch(
    () => [],
  );
  const badDiscovery = discovery.find((r) => r.outcome !== 'succeeded');
  if (badDiscovery !== undefined)
    return `recorded a ${badDiscovery.outcome} discovery run: ${badDiscovery.error ?? ''}`;
  const badSync = sync.find((r) => r.status !== 'success' && r.status !== 'partial');
  if (badSync !== undefined)
    return `recorded a ${badSync.status} creator sync run: ${badSync.error_message ?? ''}`;
  return undefined;
}

/** A token group the templates give a mint (TOKEN_GROUP_MINTS), else the default group. */
function publishedTokenGroup(functions: readonly LambdaFunction[]): string {
  for (const fn of functions) {
    const mints = fn.variables['TOKEN_GROUP_MINTS'];
    if (typeof mints !== 'string') continue;
    const group = Object.keys(safeJson(mints) ?? {})[0];
    if (group !== undefined) return group;
  }
  return 'OTHER';
}

/** A variable's value as CloudFormation resolves it; empty where it is unset or cannot be resolved (reported elsewhere). */
function resolvedOrEmpty(value: unknown, ctx: Parameters<typeof resolveValue>[1]): string {
  if (value === undefined) return '';
  try {
    return resolveValue(value, ctx);
  } catch (error) {
    if (error instanceof UnresolvedReference) return '';
    throw error;
  }
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? 'null');
  } catch {
    return undefined;
  }
}
