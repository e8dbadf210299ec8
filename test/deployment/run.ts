/**
 * `npm run check:deployment`: synthesizes the app for `stage=dev` and `stage=prod` as `cdk
 * deploy` would (bundling included, each stage into its own output directory), runs every
 * function and task of the templates against local stand-ins, runs the self-test, writes
 * `deployment-check.json` and exits non-zero when anything is not `ok`.
 *
 *   --stage dev|prod   one stage only
 *   --skip-synth       reuse the last synthesized output
 *   --no-self-test     leave the self-test out
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { checkStage } from './check-stage.ts';
import { type DeploymentReport, failures, formatTable, type ReportEntry, writeReport } from './report.ts';
import { runSelfTest } from './self-test.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Outside the repository, so a bundle cannot resolve a package from the repository's
 * node_modules that it failed to include; beside it, the AWS SDK as the Lambda runtime ships it.
 */
export function workDirectory(): string {
  const dir = join(
    tmpdir(),
    `engagement-oracle-deployment-check-${createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 8)}`,
  );
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  const sdk = join(dir, 'node_modules', '@aws-sdk');
  if (!existsSync(sdk)) symlinkSync(join(REPO_ROOT, 'node_modules', '@aws-sdk'), sdk, 'dir');
  return dir;
}

const EXAMPLE = 'example';
const EXAMPLE_CONFIG = 'lib/stages/example.json';

/** `cdk synth` as `cdk deploy` runs it (bundling included); `config` only for the self-test's fixture. */
export async function synthesize(stage: string, outDir: string, config?: string): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  const args = [
    'cdk',
    'synth',
    '--quiet',
    '-c',
    `stage=${stage}`,
    ...(config === undefined ? [] : ['-c', `config=${config}`]),
    '-o',
    outDir,
  ];
  await promisify(execFile)('npx', args, {
    cwd: REPO_ROOT,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stderr?: string; message: string }) => {
    throw new Error(
      `cdk synth of stage ${stage} failed:\n${(error.stderr ?? error.message).split('\n').slice(-30).join('\n')}`,
    );
  });
}

async function main(argv: readonly string[]): Promise<number> {
  const started = Date.now();
  const stageArg = argv.includes('--stage') ? argv[argv.indexOf('--stage') + 1] : undefined;
  // dev and prod as committed, and every function of every system from the example configuration.
  const stages = stageArg === undefined ? ['dev', 'prod', EXAMPLE] : [stageArg];
  const work = workDirectory();
  const verbose = argv.includes('--verbose');
  const log = (line: string) => {
    if (verbose) console.log(`  ${line}`);
  };
  const assemblyDir = (stage: string) => join(work, stage, 'cdk.out');
  const selfTest = !argv.includes('--no-self-test');
  if (!argv.includes('--skip-synth')) {
    // The example configuration (every system enabled) is a target of its own and the self-test's
    // fixture, so every function a defect concerns exists.
    const synthesized = [...new Set([...stages, ...(selfTest ? [EXAMPLE] : [])])];
    console.log(`synthesizing ${synthesized.join(', ')} into ${work}`);
    await Promise.all(
      synthesized.map((stage) =>
        stage === EXAMPLE
          ? synthesize('dev', assemblyDir(EXAMPLE), EXAMPLE_CONFIG)
          : synthesize(stage, assemblyDir(stage)),
      ),
    );
    console.log(`synthesized in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  const report: DeploymentReport = { functions: [], tasks: [], selfTest: [], warnings: [] };
  for (const stage of stages) {
    const result = await checkStage({
      stage,
      assemblyDir: assemblyDir(stage),
      workDir: join(work, stage),
      log,
    });
    report.functions.push(...result.functions);
    report.tasks.push(...result.tasks);
    report.warnings?.push(...result.warnings.filter((w) => !report.warnings?.includes(w)));
    console.log(`stage ${stage} checked at ${Math.round((Date.now() - started) / 1000)} s`);
  }
  let selfTestFailed: ReportEntry[] = [];
  if (selfTest) {
    const entries = await runSelfTest({
      stage: EXAMPLE,
      assemblyDir: assemblyDir(EXAMPLE),
      workDir: join(work, `${EXAMPLE}-self-test`),
      log,
    });
    report.selfTest?.push(...entries);
    selfTestFailed = entries.filter((e) => e.outcome !== 'ok');
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  writeReport(join(REPO_ROOT, 'deployment-check.json'), { ...report, seconds });
  console.log(formatTable([...report.functions, ...report.tasks]));
  if ((report.selfTest?.length ?? 0) > 0) {
    console.log('\nself-test (each reintroduced defect must be reported failed):');
    console.log(formatTable(report.selfTest ?? []));
  }
  for (const warning of report.warnings ?? []) console.log(`warning: ${warning}`);
  const failed = failures(report);
  console.log(
    `\n${report.functions.length} functions and ${report.tasks.length} tasks: ${failed.length} not ok; self-test ${selfTestFailed.length === 0 ? 'passed' : `${selfTestFailed.length} defect(s) not caught`}; ${seconds} s; report in deployment-check.json`,
  );
  return failed.length === 0 && selfTestFailed.length === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(2);
    },
  );
}
