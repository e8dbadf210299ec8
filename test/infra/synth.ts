/**
 * Synthesizes the deployment for the infra tests: the same stacks as bin/app.ts, without Lambda
 * bundling (`aws:cdk:bundling-stacks: []` makes the function assets stage no code), into a temp dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildDeployment, type Deployment } from '../../lib/app.ts';
import type { WorkQueue } from '../../lib/constructs/work-queue.ts';
import type { FunctionSpec, QueueName } from '../../lib/functions.ts';
import type { WorkerStack } from '../../lib/stacks/worker-stack.ts';
import { EXAMPLE_STAGE_FILE } from '../../lib/stage-config.ts';

export interface Synthesized {
  readonly app: App;
  readonly deployment: Deployment;
  /** The IRC worker stack; fails the test where the stage deploys none. */
  readonly worker: WorkerStack;
  /** A pipeline queue; fails the test where the stage deploys none. */
  queue(name: QueueName): WorkQueue;
  readonly outdir: string;
  template(stack: Stack): Template;
  /** Every CloudFormation template of the app, by stack name. */
  readonly templates: Record<string, Template>;
}

export interface SynthOptions {
  readonly stage?: 'dev' | 'prod';
  /** The stage configuration file. @default lib/stages/example.json (every system enabled) */
  readonly config?: string;
  readonly context?: Record<string, unknown>;
  /** The registry to deploy. @default FUNCTIONS */
  readonly functions?: readonly FunctionSpec[];
}

export function synthesize(options: SynthOptions = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'eo-cdk-'));
  const app = new App({
    outdir,
    context: {
      'aws:cdk:bundling-stacks': [],
      stage: options.stage ?? 'dev',
      config: options.config ?? EXAMPLE_STAGE_FILE,
      ...options.context,
    },
  });
  const deployment = buildDeployment(
    app,
    options.functions === undefined ? {} : { functions: options.functions },
  );
  app.synth();
  const stacks = deployment.stacks;
  const cache = new Map<Stack, Template>();
  const template = (stack: Stack) => {
    let t = cache.get(stack);
    if (t === undefined) {
      t = Template.fromStack(stack);
      cache.set(stack, t);
    }
    return t;
  };
  return {
    app,
    deployment,
    get worker() {
      if (deployment.worker === undefined)
        throw new Error(`${deployment.settings.file} deploys no IRC worker`);
      return deployment.worker;
    },
    queue(name) {
      const queue = deployment.pipeline.queues[name];
      if (queue === undefined) throw new Error(`${deployment.settings.file} deploys no ${name} queue`);
      return queue;
    },
    outdir,
    template,
    templates: Object.fromEntries(stacks.map((s) => [s.stackName, template(s)])),
  };
}

/** Removes the cloud assemblies written by `synthesize`. */
export function removeOutput(...synthesized: (Synthesized | undefined)[]): void {
  for (const s of synthesized) if (s !== undefined) rmSync(s.outdir, { recursive: true, force: true });
}

/** cdk-nag AwsSolutions findings left after acknowledgements, as `rule at path` strings. */
export function nagFindings(app: App): string[] {
  const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}`),
  );
}

export type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

export function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

export interface StatementJson {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** The statements of the IAM policies attached to the role with this logical id. */
export function statementsOfRole(template: Template, roleLogicalId: string): StatementJson[] {
  const policies = template.findResources('AWS::IAM::Policy') as Record<
    string,
    { Properties: { Roles: unknown; PolicyDocument: { Statement: StatementJson[] } } }
  >;
  return Object.values(policies)
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${roleLogicalId}"`))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

export function allows(statement: StatementJson, action: string, resourceContains: string): boolean {
  return (
    [statement.Action].flat().includes(action) &&
    JSON.stringify(statement.Resource).includes(resourceContains)
  );
}

/** The CloudFormation logical id of a construct (of its default child for an L2). */
export function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(element).getLogicalId(element);
}
