import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AssetHashType, Duration, type ILocalBundling, RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type BuildOptions, buildSync } from 'esbuild';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../../layers/shared/src/metric-names.ts';
import { REPO_ROOT } from '../functions.ts';
import { acknowledge, NAG } from '../nag.ts';

/** Node 24 on Lambda. */
export const NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** How every function is bundled; the bundle reports, benchmarks and bundle tests use the same options. */
export const ESBUILD_OPTIONS = {
  target: 'node24',
  format: 'esm',
  platform: 'node',
  minify: true,
  // Minified without this, an error thrown as ValidationError reaches CloudWatch named `yn`.
  keepNames: true,
  // The AWS SDK v3 is bundled, not taken from the runtime: the runtime's copy is CommonJS spread
  // over hundreds of files, and a cold start that loads a client from it spends most of its
  // import time resolving and lexing them (`node --cpu-prof`: cjs-module-lexer and the CommonJS
  // loader, over half of Discovery's import). Bundled as ESM, only the commands used remain, and
  // `npm run bench cold-start` halved every function's import (Discovery 1.8 s to 0.8 s on a
  // loaded machine, the authorizer 1.0 s to 0.6 s).
  external: [] as string[],
  mainFields: ['module', 'main'],
  // bigint-buffer (under @solana/web3.js) tries its native addon, which no bundle ships, and logs
  // "Failed to load bindings, pure JS will be used" at every cold start. Its browser build is the
  // same pure-JS code without the attempt and the warning.
  alias: { 'bigint-buffer': 'bigint-buffer/dist/browser.js' },
  // ESM bundles still meet CommonJS dependencies that call require() and read __filename: the
  // `bindings` loader (bigint-buffer, under @solana/web3.js) otherwise throws a ReferenceError from
  // inside Error.prepareStackTrace and leaves it installed, so the next error's stack crashes the
  // runtime and CloudWatch shows that instead of the error.
  banner:
    "import { createRequire } from 'node:module'; import { fileURLToPath as __fileURLToPath } from 'node:url'; import { dirname as __pathDirname } from 'node:path'; const require = createRequire(import.meta.url); const __filename = __fileURLToPath(import.meta.url); const __dirname = __pathDirname(__filename);",
} as const;

/**
 * ESBUILD_OPTIONS as esbuild's build API takes them, for a bundle written to a directory: the
 * handler's `index.mjs` and a chunk for every dynamic `import()`. Split this way, what a handler
 * imports lazily (a chain SDK, an AWS client it needs on some requests) is a separate file that
 * Node reads and compiles on first use; in one file, every cold start paid to read, decode and
 * parse all of it (`node --cpu-prof`: module compilation and UTF-8 decoding grew with the file,
 * about 35 ms a megabyte). Chunks sit beside `index.mjs`, so `__dirname` is one directory.
 */
export function esbuildBuildOptions(): BuildOptions {
  return {
    bundle: true,
    platform: ESBUILD_OPTIONS.platform,
    target: ESBUILD_OPTIONS.target,
    format: ESBUILD_OPTIONS.format,
    minify: ESBUILD_OPTIONS.minify,
    keepNames: ESBUILD_OPTIONS.keepNames,
    external: [...ESBUILD_OPTIONS.external],
    mainFields: [...ESBUILD_OPTIONS.mainFields],
    alias: { ...ESBUILD_OPTIONS.alias },
    banner: { js: ESBUILD_OPTIONS.banner },
    splitting: true,
    entryNames: 'index',
    chunkNames: '[name]-[hash]',
    outExtension: { '.js': '.mjs' },
  };
}

/** The bundle of one handler in `outdir`; Lambda's handler is `index.handler`. */
export function bundleOptions(entry: string, outdir: string): BuildOptions {
  return { ...esbuildBuildOptions(), entryPoints: [entry], outdir };
}

/** A file or directory of the repository copied into a function's bundle. */
export interface BundledFile {
  /** Relative to the repository root. A directory is copied whole; a missing one yields an empty directory. */
  readonly from: string;
  /** Relative to the bundle's root (`/var/task`). */
  readonly to: string;
}

/**
 * Bundles a function on the synthesizing machine with esbuild's API (no Docker). Its fields are
 * part of the asset's cache key, so two functions never share a bundle.
 */
class EsbuildBundling implements ILocalBundling {
  constructor(
    readonly entry: string,
    readonly files: readonly BundledFile[],
  ) {}

  tryBundle(outputDir: string): boolean {
    buildSync({
      ...bundleOptions(this.entry, outputDir),
      sourcemap: true,
      sourcesContent: false,
      logLevel: 'warning',
    });
    for (const file of this.files) {
      const from = join(REPO_ROOT, file.from);
      const to = join(outputDir, file.to);
      if (existsSync(from)) cpSync(from, to, { recursive: true });
      else mkdirSync(to, { recursive: true });
    }
    return true;
  }
}

export interface NodeFunctionVpcPlacement {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroups: ec2.ISecurityGroup[];
}

export interface NodeFunctionProps {
  /** Absolute path of the handler module; it exports `handler`. */
  readonly entry: string;
  readonly description?: string;
  /** Stage name, exported to the handler as `STAGE`. */
  readonly stage: string;
  /** POWERTOOLS_SERVICE_NAME. One name for all functions keeps one series per business metric. @default 'engagement-oracle' */
  readonly serviceName?: string;
  /** LOG_LEVEL for the Powertools logger. @default 'INFO' */
  readonly logLevel?: string;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** Retention of the function's log group. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** What happens to the log group when the stack is deleted. @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** @default - unreserved */
  readonly reservedConcurrency?: number;
  /** Async invocation retries (events from EventBridge Scheduler or rules). @default 2 (Lambda's own default) */
  readonly asyncRetryAttempts?: number;
  /** @default - not in a VPC */
  readonly vpcPlacement?: NodeFunctionVpcPlacement;
  /** Merged over the Powertools variables. @default {} */
  readonly environment?: Record<string, string>;
  /** Files copied into the bundle beside the handler, e.g. migrations. @default - none */
  readonly bundledFiles?: readonly BundledFile[];
}

/**
 * A Node 24 Lambda on ARM64, bundled locally with esbuild (no Docker), with Powertools configuration,
 * its own log group and active X-Ray tracing.
 */
export class NodeFunction extends Construct {
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    if (!existsSync(props.entry)) throw new Error(`${id}: the entry file ${props.entry} does not exist`);
    this.function = new lambda.Function(this, 'Function', {
      code: lambda.Code.fromAsset(REPO_ROOT, {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          local: new EsbuildBundling(props.entry, props.bundledFiles ?? []),
          // Never used: local bundling either succeeds or throws esbuild's error.
          image: NODE_RUNTIME.bundlingImage,
        },
      }),
      handler: 'index.handler',
      ...(props.description === undefined ? {} : { description: props.description }),
      runtime: NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      ...(props.asyncRetryAttempts === undefined ? {} : { retryAttempts: props.asyncRetryAttempts }),
      ...(props.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrency }),
      ...(props.vpcPlacement === undefined
        ? {}
        : {
            vpc: props.vpcPlacement.vpc,
            vpcSubnets: props.vpcPlacement.subnets,
            securityGroups: props.vpcPlacement.securityGroups,
          }),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? METRICS_SERVICE,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        LOG_LEVEL: props.logLevel ?? 'INFO',
        STAGE: props.stage,
        // config.ts: production mode requires each function's settings at cold start
        ORACLE_MODE: 'production',
        NODE_ENV: 'production',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    });

    const role = this.function.role;
    if (role !== undefined) {
      acknowledge(
        role,
        NAG.basicExecutionRole,
        "AWS-managed policy limited to writing this function's CloudWatch logs; the log group is created explicitly.",
      );
      acknowledge(
        role,
        NAG.wildcardResource,
        'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) support no resource-level scoping.',
      );
      if (props.vpcPlacement !== undefined) {
        acknowledge(
          role,
          NAG.vpcAccessExecutionRole,
          'AWS-managed policy for the ENI actions a VPC function needs; those actions support no resource scoping.',
        );
      }
    }
  }

  addEnvironment(key: string, value: string): this {
    this.function.addEnvironment(key, value);
    return this;
  }
}
