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
import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import type {
  APIGatewayProxyWebsocketEventV2,
  Context,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import { logger } from '../layers/shared/src/observability.ts';
import {
  errorResponse,
  forgetRequest,
  type HttpEvent,
  type HttpResult,
  header,
  limitPerIp,
  type RequestReaders,
  readRequest,
} from './api/http.ts';
import {
  type Dependencies,
  type Entry,
  type EntryOptions,
  type HandlerShape,
  type Invocation,
  invokeWith,
  isPromise,
  type PlatformMaker,
  type Requirement,
  entry as sharedEntry,
} from './handler-entry.ts';
import { createPlatform } from './platform.ts';

export {
  type Entry,
  type EntryOptions,
  HANDLER_SHAPE,
  type HandlerShape,
  localContext,
  type PlatformOf,
  type Requirement,
} from './handler-entry.ts';

/** The Lambda's platform: every client of its configuration, opened on first use. */
const fullPlatform: PlatformMaker = (config, market) =>
  createPlatform(config, market === undefined ? {} : { market });

function entry<E, R, D, K extends Requirement>(
  shape: HandlerShape,
  dependencies: Dependencies<K, D>,
  options: EntryOptions<K>,
  invoke: Invocation<E, R, D>,
): Entry<E, R, D> {
  return sharedEntry(shape, dependencies, options, invoke, fullPlatform);
}

/** A scheduled (EventBridge Scheduler) or directly invoked function: the event in, a result out. */
export function scheduled<E, R, D, K extends Requirement = never>(
  dependencies: Dependencies<K, D>,
  handle: (event: E, deps: D, context: Context) => Promise<R>,
  options: EntryOptions<K> & {
    /** Refuses a malformed event (a ValidationError) before any dependency is built or reached. */
    readonly validate?: (event: E) => void;
  } = {},
): Entry<E, R, D> {
  const invoke = invokeWith(handle);
  const validate = options.validate;
  return entry(
    'scheduled',
    dependencies,
    options,
    validate === undefined
      ? invoke
      : async (event, context, deps, platform) => {
          validate(event);
          return invoke(event, context, deps, platform);
        },
  );
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

export interface HttpRouteOptions<K extends Requirement> extends EntryOptions<K> {
  /**
   * How the function's routes read their requests, by route key: each route's contract
   * (./api/contract/), or the reader its handler uses (`requestReader` in ./api/http.ts). The
   * request is read after the per-IP limit and before any dependency is built, so a malformed one
   * is answered 400 naming the problem with nothing touched; the handler's own `parseRequest` (or
   * reader) then gets that same reading.
   */
  readonly routes?: RequestReaders;
}

/**
 * An HTTP API (payload v2) route: the route's per-IP limit before anything else of the request is
 * read, then the request read with its route's contract (`routes`), then the dependencies; the
 * correlation id on every log line, and errors shaped into responses (a typed error keeps its
 * status and code; anything else is logged and answered with a plain 500).
 */
export function httpRoute<D, K extends Requirement = never>(
  dependencies: Dependencies<K, D>,
  handle: (event: HttpEvent, deps: D, context: Context) => Promise<HttpResult>,
  options: HttpRouteOptions<K> = {},
): Entry<HttpEvent, HttpResult, D> {
  const routes = options.routes;
  return entry('http', dependencies, options, async (event: HttpEvent, context, deps, platform) => {
    const correlationId = header(event, 'x-correlation-id') ?? event.requestContext?.requestId;
    if (correlationId !== undefined) logger.appendKeys({ correlationId });
    try {
      await limitPerIp(event, () => platform.rateLimiter());
      if (routes !== undefined) readRequest(routes, event);
      const given = deps();
      return await handle(event, isPromise(given) ? await given : given, context);
    } catch (error) {
      return errorResponse(error);
    } finally {
      forgetRequest(event);
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
