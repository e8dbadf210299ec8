/**
 * What a service reports about its work: log lines at a level with structured fields, and metrics
 * for the alarms. In Lambda and the IRC worker it is Powertools
 * (observability.ts: JSON logs, CloudWatch EMF); tests pass a recorder, or SILENT_TELEMETRY.
 */
export type TelemetryFields = Readonly<Record<string, unknown>>;

/** The CloudWatch units the services' metrics use. */
export type TelemetryUnit = 'Count' | 'Percent' | 'Seconds';

export interface Telemetry {
  info(message: string, fields?: TelemetryFields): void;
  warn(message: string, fields?: TelemetryFields): void;
  error(message: string, fields?: TelemetryFields): void;
  /** Adds a data point, published with the invocation's other metrics. */
  metric(name: string, unit: TelemetryUnit, value: number): void;
}

/** Reports nothing: for callers with no one to tell (tools, tests that do not look). */
export const SILENT_TELEMETRY: Telemetry = {
  info: () => {},
  warn: () => {},
  error: () => {},
  metric: () => {},
};
