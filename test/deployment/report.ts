/**
 * `deployment-check.json`: one entry per deployed function and task of each stage, with its
 * outcome and the detail an operator needs (the error, the substitutions made). Only CDK's own
 * provider-framework functions may be `skipped`; anything else not `ok` fails the check.
 */
import { writeFileSync } from 'node:fs';

export type Outcome = 'ok' | 'skipped' | 'failed';

export interface ReportEntry {
  readonly stage: string;
  readonly stack: string;
  readonly logicalId: string;
  readonly handler: string;
  readonly trigger: string;
  readonly outcome: Outcome;
  readonly detail: string;
}

export interface DeploymentReport {
  readonly functions: ReportEntry[];
  readonly tasks: ReportEntry[];
  /** Not part of the schema: the self-test's entries and run facts, kept apart. */
  readonly selfTest?: ReportEntry[];
  readonly warnings?: string[];
  readonly seconds?: number;
}

/** Why a `skipped` entry is allowed: CDK's custom-resource provider framework, never our code. */
export const PROVIDER_FRAMEWORK_REASON =
  "CDK's custom-resource provider framework (it only forwards the CloudFormation event to the function it names, which the check invokes itself)";

export function isProviderFramework(fn: { handler: string; cdkPath?: string }): boolean {
  return fn.handler.startsWith('framework.') && (fn.cdkPath ?? '').includes('/framework-');
}

/** Entries that make the check fail: anything failed, and any skip that is not the provider framework. */
export function failures(report: Pick<DeploymentReport, 'functions' | 'tasks'>): ReportEntry[] {
  return [...report.functions, ...report.tasks].filter(
    (e) =>
      e.outcome === 'failed' || (e.outcome === 'skipped' && !e.detail.startsWith("CDK's custom-resource")),
  );
}

export function writeReport(path: string, report: DeploymentReport): void {
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

/** A short table: stage, stack, function, trigger, outcome, and the first line of a failure. */
export function formatTable(entries: readonly ReportEntry[]): string {
  const rows = entries.map((e) => [
    e.stage,
    e.stack.replace(/^EngagementOracle-[a-z]+-/, ''),
    e.logicalId,
    e.trigger,
    e.outcome,
    e.outcome === 'ok' ? '' : (e.detail.split('\n')[0] ?? '').slice(0, 110),
  ]);
  const header = ['stage', 'stack', 'function', 'trigger', 'outcome', 'detail'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
