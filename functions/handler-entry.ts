/**
 * What every handler factory shares (functions/handlers.ts, and the authorizer's own in
 * functions/authorizer-handler.ts): the middy chain with the Powertools middleware, the cold-start
 * configuration check, dependencies built once per platform, `.on(platform)`. It imports no
 * platform, so a function whose platform is lighter (the authorizer: secrets only) bundles no
 * database client or queue SDK.
 */
import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import { type Config, type ConfigName, loadConfig } from '../layers/shared/src/config.ts';
import {
  loadMarketConfig,
  type MarketConfig,
  type MarketConfigName,
} from '../layers/shared/src/market-config.ts';
import { logger, metrics } from '../layers/shared/src/observability.ts';
import type { Platform } from './platform.ts';
import { isPlatformSetting, type RequiredConfig, requireConfig } from './required-config.ts';

/** Builds the platform a Lambda runs on from its configuration (once per container). */
export type PlatformMaker = (config: Config, market: MarketConfig | undefined) => Platform;

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

/**
 * `platform` with `keys` checked present in its configuration (a ConfigError naming what is
 * missing), for a caller to whom they are optional: a piece that needs them takes `PlatformOf<K>`
 * and reads them typed, and the caller that may go without checks them here, once.
 */
export function platformRequiring<K extends ConfigName>(
  platform: Platform,
  keys: readonly K[],
): PlatformOf<K> {
  requireConfig(platform.config, keys);
  return platform as PlatformOf<K>;
}

export type Dependencies<K extends Requirement, D> = (platform: PlatformOf<K>) => D | Promise<D>;

/** The plain invocation: dependencies, then `handle`. */
export function invokeWith<E, R, D>(
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
export function isPromise<D>(deps: D | Promise<D>): deps is Promise<D> {
  return deps instanceof Promise;
}

/** One invocation on `platform`; `deps()` gives the dependencies built for that platform. */
export type Invocation<E, R, D> = (
  event: E,
  context: Context,
  deps: () => D | Promise<D>,
  platform: Platform,
) => Promise<R>;

export function entry<E, R, D, K extends Requirement>(
  shape: HandlerShape,
  dependencies: Dependencies<K, D>,
  options: EntryOptions<K>,
  invoke: Invocation<E, R, D>,
  makePlatform: PlatformMaker,
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
        // On every platform, in every mode: what PlatformOf<K> says is present is.
        const checked = requireConfig(platform.config, platformKeys);
        options.check?.(checked);
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
    lambdaPlatform ??= makePlatform(config, market);
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
