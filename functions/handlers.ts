/**
 * The one shape of an entry point. Each factory takes the function's `dependencies` (built once
 * per platform: once per container in Lambda) and its `handle` (once per invocation), and gives
 * a middy handler with the Powertools middleware every function shares: the Lambda context on
 * every log line (keys reset between invocations) and the metrics published after each
 * invocation, with the cold-start metric.
 *
 * In Lambda the platform comes from the environment: `loadConfig(process.env, { require })` runs
 * when the module loads, so a missing or malformed variable fails the cold start naming it.
 * `handler.on(platform)` is the same handler on a platform a runtime or a test built
 * (functions/platform.ts), with a stand-in Context when none is given.
 */
import { randomUUID } from 'node:crypto';
import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type {
  APIGatewayProxyWebsocketEventV2,
  APIGatewayRequestAuthorizerEventV2,
  Context,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import { type ConfigName, loadConfig } from '../layers/shared/src/config.ts';
import { loadMarketConfig, type MarketConfigName } from '../layers/shared/src/market-config.ts';
import { logger, metrics } from '../layers/shared/src/observability.ts';
import { errorResponse, type HttpEvent, type HttpResult, header, limitPerIp } from './api/http.ts';
import {
  createPlatform,
  isPlatformSetting,
  type Platform,
  type RequiredConfig,
  requireConfig,
} from './platform.ts';

/** The property that says which factory built a handler (test/infra/handler-shapes.test.ts reads it). */
export const HANDLER_SHAPE: unique symbol = Symbol.for('engagement-oracle.handler-shape');

export type HandlerShape = 'scheduled' | 'sqs' | 'http' | 'websocket' | 'custom-resource' | 'authorizer';

export interface Entry<E, R, D = unknown> extends MiddyfiedHandler<E, R, Error, Context> {
  /**
   * The same handler on a given platform (the local runtime, tests): dependencies built once per
   * platform, or `deps` where a test built its own.
   */
  on(platform: Platform, deps?: D): (event: E, context?: Context) => Promise<R>;
  readonly [HANDLER_SHAPE]: HandlerShape;
}

/** A platform setting or a market setting the function cannot run without in production. */
export type Requirement = ConfigName | MarketConfigName;

export interface EntryOptions<K extends Requirement> {
  /** What the function needs; checked at cold start (production) and before its dependencies are built. */
  readonly require?: readonly K[];
  /**
   * Checks of the configuration beyond presence, made at cold start (a value the function cannot
   * work with fails it there, in every mode) and again on any other platform it is given.
   */
  readonly check?: (config: RequiredConfig<Extract<K, ConfigName>>) => void;
  /**
   * Reads the market settings at cold start even where none is required, so a malformed one
   * fails it there (market-config.ts) rather than a request later.
   */
  readonly market?: boolean;
}

/** The platform a function's dependencies see: its required settings known present. */
export type PlatformOf<K extends Requirement> = Platform<RequiredConfig<Extract<K, ConfigName>>>;

type Dependencies<K extends Requirement, D> = (platform: PlatformOf<K>) => D | Promise<D>;

/** A scheduled (EventBridge Scheduler) or directly invoked function: the event in, a result out. */
export function scheduled<E, R, D, K extends Requirement = never>(
  dependencies: Dependencies<K, D>,
  handle: (event: E, deps: D, context: Context) => Promise<R>,
  options: EntryOptions<K> = {},
): Entry<E, R, D> {
  return entry('scheduled', dependencies, options, invokeWith(handle));
}

/** A CloudFormation custom resource's provider: invoked like a scheduled function, by the stack. */
export function customResource<E, R, D, K extends Requirement = never>(
  dependencies: Dependencies<K, D>,
  handle: (event: E, deps: D, context: Context) => Promise<R>,
  options: EntryOptions<K> = {},
): Entry<E, R, D> {
  return entry('custom-resource', dependencies, options, invokeWith(handle));
}

export interface SqsOptions<K extends Requirement, D, B> extends EntryOptions<K> {
  /**
   * A FIFO queue: a failed message fails the later messages of its group with it (their order
   * holds) and the other groups go on (Powertools' SqsFifoPartialProcessor, skipGroupOnError).
   */
  readonly fifo: boolean;
  /** Work done for the whole batch before its records are handled (one transaction for all). */
  readonly prepare?: (records: readonly SQSRecord[], deps: D, context: Context) => Promise<B>;
  /** Work after the records, whatever they came to; its failure fails no record. */
  readonly finish?: (deps: D) => Promise<void>;
}

/**
 * An SQS consumer with partial batch responses: `recordHandle` throws for a record that must come
 * back, and only those are reported (Powertools BatchProcessor, or its FIFO processor).
 */
export function sqsRecords<D, K extends Requirement = never, B = undefined>(
  dependencies: Dependencies<K, D>,
  recordHandle: (
    record: SQSRecord,
    deps: D,
    batch: { readonly context: Context; readonly prepared: B },
  ) => Promise<unknown>,
  options: SqsOptions<K, D, B>,
): Entry<SQSEvent, SQSBatchResponse, D> {
  return entry('sqs', dependencies, options, async (event: SQSEvent, context, deps) => {
    const given = deps();
    const built = isPromise(given) ? await given : given;
    const prepared = (
      options.prepare === undefined ? undefined : await options.prepare(event.Records, built, context)
    ) as B;
    // A processor holds the batch it works on: one per invocation, so concurrent local calls share none.
    const handleRecord = (record: SQSRecord) => recordHandle(record, built, { context, prepared });
    const response = options.fifo
      ? await processPartialResponse(event, handleRecord, new SqsFifoPartialProcessorAsync(), {
          context,
          skipGroupOnError: true,
          throwOnFullBatchFailure: false,
        })
      : await processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), {
          context,
          throwOnFullBatchFailure: false,
        });
    await options.finish?.(built);
    return response;
  });
}

/**
 * An HTTP API (payload v2) route: the route's per-IP limit before anything else of the request is
 * read, the correlation id on every log line, and errors shaped into responses (a typed error
 * keeps its status and code; anything else is logged and answered with a plain 500).
 */
export function httpRoute<D, K extends Requirement = never>(
  dependencies: Dependencies<K, D>,
  handle: (event: HttpEvent, deps: D, context: Context) => Promise<HttpResult>,
  options: EntryOptions<K> = {},
): Entry<HttpEvent, HttpResult, D> {
  return entry('http', dependencies, options, async (event: HttpEvent, context, deps, platform) => {
    const correlationId = header(event, 'x-correlation-id') ?? event.requestContext?.requestId;
    if (correlationId !== undefined) logger.appendKeys({ correlationId });
    try {
      await limitPerIp(event, () => platform.rateLimiter());
      const given = deps();
      return await handle(event, isPromise(given) ? await given : given, context);
    } catch (error) {
      return errorResponse(error);
    } finally {
      logger.removeKeys(['correlationId']);
    }
  });
}

/** A WebSocket API route ($connect, $disconnect, messages). */
export function websocket<D, R, K extends Requirement = never>(
  dependencies: Dependencies<K, D>,
  handle: (event: APIGatewayProxyWebsocketEventV2, deps: D, context: Context) => Promise<R>,
  options: EntryOptions<K> = {},
): Entry<APIGatewayProxyWebsocketEventV2, R, D> {
  return entry('websocket', dependencies, options, invokeWith(handle));
}

/**
 * An HTTP API Lambda authorizer (simple responses). Errors are not shaped: one that cannot read its
 * keys throws, since API Gateway caches a refusal for the credential but never an error.
 */
export function authorizer<D, R, K extends Requirement = never>(
  dependencies: Dependencies<K, D>,
  handle: (event: APIGatewayRequestAuthorizerEventV2, deps: D, context: Context) => Promise<R>,
  options: EntryOptions<K> = {},
): Entry<APIGatewayRequestAuthorizerEventV2, R, D> {
  return entry('authorizer', dependencies, options, invokeWith(handle));
}

/** The plain invocation: dependencies, then `handle`. */
function invokeWith<E, R, D>(
  handle: (event: E, deps: D, context: Context) => Promise<R>,
): Invocation<E, R, D> {
  return async (event, context, deps) => {
    const given = deps();
    return handle(event, isPromise(given) ? await given : given, context);
  };
}

/**
 * The dependencies, awaited only when they are a promise: dependencies a test gives are passed as
 * they are (a stand-in that fails when touched must not be asked for `then`).
 */
function isPromise<D>(deps: D | Promise<D>): deps is Promise<D> {
  return deps instanceof Promise;
}

/** One invocation on `platform`; `deps()` gives the dependencies built for that platform. */
type Invocation<E, R, D> = (
  event: E,
  context: Context,
  deps: () => D | Promise<D>,
  platform: Platform,
) => Promise<R>;

function entry<E, R, D, K extends Requirement>(
  shape: HandlerShape,
  dependencies: Dependencies<K, D>,
  options: EntryOptions<K>,
  invoke: Invocation<E, R, D>,
): Entry<E, R, D> {
  const required = options.require ?? [];
  const platformKeys = required.filter(isPlatformSetting) as Extract<K, ConfigName>[];
  const marketKeys = required.filter((name) => !isPlatformSetting(name)) as MarketConfigName[];
  // Cold start: the environment is read once, and what is missing or malformed fails it here.
  const config = loadConfig(process.env, { require: platformKeys });
  const market =
    marketKeys.length === 0 && options.market !== true
      ? undefined
      : loadMarketConfig(process.env, { require: marketKeys });
  options.check?.(config as RequiredConfig<Extract<K, ConfigName>>);

  const built = new WeakMap<Platform, Promise<D>>();
  const depsOn = (platform: Platform): Promise<D> => {
    let deps = built.get(platform);
    if (deps === undefined) {
      deps = (async () => {
        options.check?.(requireConfig(platform.config, platformKeys));
        return dependencies(platform as PlatformOf<K>);
      })();
      built.set(platform, deps);
      // A failure (the database down at cold start) is not kept: the next invocation tries again.
      deps.catch(() => built.delete(platform));
    }
    return deps;
  };
  const run = (platform: Platform, event: E, context: Context) =>
    invoke(event, context, () => depsOn(platform), platform);

  let lambdaPlatform: Platform | undefined;
  const handler = withMiddleware<E, R>((event, context) => {
    lambdaPlatform ??= createPlatform(config, market === undefined ? {} : { market });
    return run(lambdaPlatform, event, context);
  });
  return Object.assign(handler, {
    on(platform: Platform, deps?: D) {
      const onPlatform = withMiddleware<E, R>((event, context) =>
        deps === undefined ? run(platform, event, context) : invoke(event, context, () => deps, platform),
      );
      return (event: E, context?: Context) => onPlatform(event, context ?? localContext());
    },
    [HANDLER_SHAPE]: shape,
  }) as Entry<E, R, D>;
}

function withMiddleware<E, R>(
  fn: (event: E, context: Context) => Promise<R>,
): MiddyfiedHandler<E, R, Error, Context> {
  // No early timeout: a Lambda's own timeout ends it, and a stand-in context has no deadline.
  return middy<E, R, Error, Context>(fn, { timeoutEarlyInMillis: 0 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}

/**
 * Outside Lambda (the local runtime, tests): a Context with no deadline known, so a handler that
 * budgets its time (the notifications consumer) does the least per invocation.
 */
export function localContext(functionName = 'local'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 0,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
