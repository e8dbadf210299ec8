/**
 * The check's self-test: each of issue 16's first six defects reintroduced, in a fixture template
 * or a patched copy of the code, must be reported `failed` for the function or task it concerns,
 * for that defect's reason; and an error thrown from a bundle must keep its class name. It runs on
 * the synthesis of the example configuration (every system enabled, so every function a defect
 * concerns is deployed) and runs only those functions, in one stage run.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleOptions } from '../../lib/constructs/node-function.ts';
import { checkStage } from './check-stage.ts';
import type { CfnResource, CloudAssembly, LambdaFunction } from './cloud-assembly.ts';
import { ADDRESS_SETTINGS, ENDPOINT_SETTINGS } from './function-environment.ts';
import type { ReportEntry } from './report.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** One reintroduced defect: the entry it must fail, and a word its detail must contain. */
export interface DefectCase {
  readonly id: string;
  readonly description: string;
  /** Logical id prefix of the function (or task definition) that must be reported failed. */
  readonly target: string;
  /** The failure must be for this reason: a word the detail contains. */
  readonly evidence: RegExp;
}

export const DEFECTS: readonly DefectCase[] = [
  {
    id: 'schedule-input',
    description: 'the daily discovery schedule sends {"mode":"full"}',
    target: 'DiscoveryFunction',
    evidence: /mode/,
  },
  {
    id: 'worker-database-url',
    description: 'the IRC worker requires DATABASE_URL, which the task definition does not give',
    target: 'IrcWorkerTask',
    evidence: /DATABASE_URL/,
  },
  {
    id: 'air-whole-secret',
    description: "token generation sends the AIR secret's whole JSON as x-api-key",
    target: 'TokenGenerationFunction',
    evidence: /AIR|401|api key/i,
  },
  {
    id: 'health-without-queue',
    description: 'HealthApi is deployed without INGEST_QUEUE_URL (or any queue URL)',
    target: 'HealthApiFunction',
    evidence: /queues/,
  },
  {
    id: 'unconfigured-system',
    description: "the market poller is deployed without its system's settings",
    target: 'MarketPollerFunction',
    evidence: /required|not set|MARKET_|EVM_RPC_URL/,
  },
  {
    id: 'publish-mode-default',
    description: 'the templates set no PUBLISH_MODE',
    target: 'PublisherFunction',
    evidence: /PUBLISH_MODE/,
  },
  {
    id: 'claims-page-wrong-api',
    description:
      "the claims page's deployment writes another API's URL into config.json and the page's policy",
    target: 'CustomCDKBucketDeployment',
    evidence: /config\.json names the API/,
  },
  {
    id: 'cors-any-origin',
    description: 'the HTTP API allows every origin (*) for CORS',
    target: 'HealthApiFunction',
    evidence: /never \*/,
  },
];

/** An API that is not the stage's. */
const WRONG_API = 'https://wrongapi00.execute-api.us-east-1.amazonaws.com';

const CLASS_NAME_CASE: DefectCase = {
  id: 'error-class-name',
  description: 'an error thrown from a bundle keeps its class name',
  target: 'DiscoveryFunction',
  evidence: /ValidationError/,
};

function variablesOf(resource: CfnResource): Record<string, unknown> | undefined {
  return (resource.Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)
    ?.Variables;
}

/** The templates with the template-level defects put back. */
export function reintroduceTemplateDefects(assembly: CloudAssembly): CloudAssembly {
  const stacks = assembly.stacks.map((stack) => {
    const resources: Record<string, CfnResource> = structuredClone(stack.template.Resources);
    for (const [logicalId, resource] of Object.entries(resources)) {
      const vars = variablesOf(resource);
      if (resource.Type === 'AWS::Scheduler::Schedule') {
        const target = resource.Properties?.['Target'] as { Input?: string };
        if (target.Input !== undefined && (JSON.parse(target.Input) as { mode?: string }).mode === 'daily') {
          target.Input = JSON.stringify({ mode: 'full' });
        }
      }
      if (resource.Type === 'AWS::ApiGatewayV2::Api') {
        const cors = resource.Properties?.['CorsConfiguration'] as { AllowOrigins?: unknown[] } | undefined;
        if (cors !== undefined) cors.AllowOrigins = ['*'];
      }
      if (resource.Type === 'Custom::CDKBucketDeployment') {
        // Every marker that CloudFormation would resolve (the API's URL) names another API.
        for (const markers of (resource.Properties?.['SourceMarkers'] ?? []) as Record<string, unknown>[]) {
          for (const [marker, value] of Object.entries(markers))
            if (typeof value !== 'string') markers[marker] = WRONG_API;
        }
      }
      if (vars === undefined) continue;
      // /health reads every queue it is given: without any queue URL its queue check never runs
      if (logicalId.startsWith('HealthApiFunction')) {
        for (const name of Object.keys(vars)) if (name.endsWith('_QUEUE_URL')) delete vars[name];
      }
      if (logicalId.startsWith('PublisherFunction')) delete vars['PUBLISH_MODE'];
      if (logicalId.startsWith('MarketPollerFunction')) {
        for (const name of [...ADDRESS_SETTINGS, ...ENDPOINT_SETTINGS, 'MARKET_CHAIN_ID']) delete vars[name];
      }
    }
    return { ...stack, template: { ...stack.template, Resources: resources } };
  });
  return { ...assembly, stacks };
}

/** A source patch applied while re-bundling: the file it concerns and how to turn the fix back. */
const SOURCE_PATCHES: readonly { file: RegExp; patch: (source: string) => string }[] = [
  {
    // the AirApiKey secret's whole JSON becomes the key again
    file: /adapters[\\/]air[\\/]air-api-key\.ts$/,
    patch: (source) =>
      source.replace(/export function airApiKeyFromSecret\(text: string\): string \{/, '$&\n  return text;'),
  },
];

/** The function's handler bundled again from patched source, with the deployment's esbuild options. */
async function rebundle(entry: string, outDir: string): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    ...bundleOptions(join(REPO_ROOT, entry), outDir),
    logLevel: 'silent',
    plugins: [
      {
        name: 'reintroduce-defects',
        setup(b) {
          b.onLoad({ filter: /\.ts$/ }, (args) => {
            const patch = SOURCE_PATCHES.find((p) => p.file.test(args.path));
            if (patch === undefined) return undefined;
            return { contents: patch.patch(readFileSync(args.path, 'utf8')), loader: 'ts' };
          });
        },
      },
    ],
  });
}

/** The worker's build context with the worker requiring DATABASE_URL again. */
function patchedWorkerContext(contextDir: string, target: string): string {
  rmSync(target, { recursive: true, force: true });
  cpSync(contextDir, target, { recursive: true });
  const file = join(target, 'functions', 'worker', 'irc', 'index.ts');
  writeFileSync(
    file,
    `${readFileSync(file, 'utf8')}\nif (process.env['DATABASE_URL'] === undefined) throw new Error('DATABASE_URL is required');\n`,
  );
  return target;
}

export async function runSelfTest(options: {
  stage: string;
  assemblyDir: string;
  workDir: string;
  log: (line: string) => void;
}): Promise<ReportEntry[]> {
  mkdirSync(options.workDir, { recursive: true });
  const tokenGenerationBundle = join(options.workDir, 'token-generation-patched');
  await rebundle('functions/scheduled/token-generation/index.ts', tokenGenerationBundle);
  const { loadCloudAssembly } = await import('./cloud-assembly.ts');
  const original = loadCloudAssembly(options.assemblyDir);
  const workerImage = original.stacks.flatMap((s) => Object.values(s.dockerImages))[0];
  const focus = [
    'DiscoveryFunction',
    'TokenGenerationFunction',
    'HealthApiFunction',
    'MarketPollerFunction',
    'PublisherFunction',
    'SealFunction',
    'PublishRootsFunction',
    'CustomCDKBucketDeployment',
  ];
  const only = new Set(
    original.stacks.flatMap((s) =>
      Object.entries(s.template.Resources)
        .filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && focus.some((f) => id.startsWith(f)))
        .map(([id]) => `${s.name}/${id}`),
    ),
  );
  const result = await checkStage({
    stage: options.stage,
    assemblyDir: options.assemblyDir,
    workDir: join(options.workDir, 'stand-ins'),
    only,
    patchAssembly: reintroduceTemplateDefects,
    assetOverride: (fn: LambdaFunction) =>
      fn.logicalId.startsWith('TokenGenerationFunction') ? tokenGenerationBundle : undefined,
    ...(workerImage === undefined
      ? {}
      : {
          taskContextOverride: patchedWorkerContext(
            workerImage.directory,
            join(options.workDir, 'worker-context'),
          ),
        }),
    log: options.log,
  });
  const entries = [...result.functions, ...result.tasks];
  return [...DEFECTS, CLASS_NAME_CASE].map((defect) => {
    const entry = entries.find((e) => e.logicalId.startsWith(defect.target));
    const base = {
      stage: options.stage,
      stack: entry?.stack ?? '',
      logicalId: defect.id,
      handler: entry?.handler ?? '',
      trigger: defect.description,
    };
    if (entry === undefined)
      return {
        ...base,
        outcome: 'failed',
        detail: `no ${defect.target} in the ${options.stage} templates to reintroduce it in`,
      };
    const caught = entry.outcome === 'failed' && defect.evidence.test(entry.detail);
    return {
      ...base,
      outcome: caught ? 'ok' : 'failed',
      detail: caught
        ? `${entry.logicalId} reported failed: ${entry.detail.split('\n')[0] ?? ''}`
        : `${entry.logicalId} reported ${entry.outcome}, not failed for this defect (${defect.evidence}): ${entry.detail.split('\n')[0] ?? ''}`,
    };
  });
}
