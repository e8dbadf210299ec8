/**
 * Logger, metrics and tracer (AWS Lambda Powertools). Logs are structured JSON with a
 * correlation id; metrics go out as CloudWatch EMF in the namespace the alarms watch.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

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

export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

// Tracing only where X-Ray runs; locally and in tests the tracer stays quiet.
export const tracer = new Tracer({
  serviceName: SERVICE_NAME,
  enabled:
    process.env['AWS_LAMBDA_FUNCTION_NAME'] !== undefined &&
    process.env['POWERTOOLS_TRACE_ENABLED'] !== 'false',
});

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
