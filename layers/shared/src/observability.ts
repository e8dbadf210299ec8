/**
 * Logger and metrics (AWS Lambda Powertools). Logs are structured JSON with a correlation id;
 * metrics go out as CloudWatch EMF in the namespace the alarms watch. Traces are Lambda's own
 * (active tracing: each invocation's and cold start's segments, lib/constructs/node-function.ts):
 * no function loads the X-Ray SDK, whose context tracking (cls-hooked) installs async hooks with
 * destroy tracking for every promise in the process (measured here: a million awaited promises
 * took 11x as long once it was imported, and the local claims server lost a third of its
 * throughput), and which every bundle carried even when loaded lazily.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Telemetry } from './ports/telemetry.ts';

export const SERVICE_NAME = process.env['POWERTOOLS_SERVICE_NAME'] ?? 'engagement-oracle';
export const METRICS_NAMESPACE = process.env['POWERTOOLS_METRICS_NAMESPACE'] ?? 'EngagementOracle';

export const logger = new Logger({
  serviceName: SERVICE_NAME,
  logLevel:
    (process.env['LOG_LEVEL'] as 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' | undefined) ?? 'INFO',
});

// EMF lines matter only where CloudWatch reads stdout: in Lambda, or a container that says so
// (the Fargate IRC worker sets EMF_TO_STDOUT). Elsewhere (local runs, tests) they are noise.
if (
  process.env['AWS_LAMBDA_FUNCTION_NAME'] === undefined &&
  process.env['EMF_TO_STDOUT'] !== 'true' &&
  process.env['POWERTOOLS_METRICS_DISABLED'] === undefined
) {
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
}

const emfCollected =
  process.env['AWS_LAMBDA_FUNCTION_NAME'] !== undefined || process.env['EMF_TO_STDOUT'] === 'true';

export const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: SERVICE_NAME,
  // Where nothing collects EMF, an invocation without metrics is no news (the middleware in
  // functions/handlers.ts publishes after every one): said at DEBUG only.
  logger: emfCollected
    ? logger
    : {
        debug: (...args: unknown[]) => logger.debug(args.map(String).join(' ')),
        info: (...args: unknown[]) => logger.info(args.map(String).join(' ')),
        warn: (...args: unknown[]) => logger.debug(args.map(String).join(' ')),
        error: (...args: unknown[]) => logger.error(args.map(String).join(' ')),
      },
});

/**
 * The telemetry port over the logger and metrics above, so that what services report carries the
 * invocation's context keys and goes out with its metrics.
 */
export const powertoolsTelemetry: Telemetry = {
  info: (message, fields = {}) => logger.info(message, { ...fields }),
  warn: (message, fields = {}) => logger.warn(message, { ...fields }),
  error: (message, fields = {}) => logger.error(message, { ...fields }),
  metric: (name, unit, value) => metrics.addMetric(name, MetricUnit[unit], value),
};

export { MetricUnit };

/** Runs `fn` with `correlationId` on every log line it writes. */
export async function withCorrelationId<T>(correlationId: string, fn: () => Promise<T>): Promise<T> {
  logger.appendKeys({ correlationId });
  try {
    return await fn();
  } finally {
    logger.removeKeys(['correlationId']);
  }
}

/** Publishes the metrics gathered so far (Lambda middleware does this per invocation). */
export function flushMetrics(): void {
  if (process.env['AWS_LAMBDA_FUNCTION_NAME'] !== undefined || process.env['EMF_TO_STDOUT'] === 'true') {
    metrics.publishStoredMetrics();
  } else {
    // Outside Lambda nothing collects EMF lines; drop them rather than flood the terminal.
    metrics.clearMetrics();
  }
}
