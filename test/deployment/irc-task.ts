/**
 * The Fargate task as ECS would run it: a copy of exactly the image's build context (what the
 * asset's ignore rules let through, as `cdk synth` staged it), the Dockerfile's CMD and ENV, the
 * Node major of its base image, production dependencies only, and the task definition's
 * Environment and Secrets. It is `ok` when it joined the tracked channels on the IRC fixture,
 * put a batch on the ingest queue, and exited 0 on SIGTERM.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ircLine } from '../../local/twitch-irc-lines.ts';
import { type CfnValue, type CloudAssembly, resourcesOfType } from './cloud-assembly.ts';
import { allowedAdditions, buildEnvironment } from './function-environment.ts';
import { nodeForRuntime } from './function-process.ts';
import { resolveValue } from './references.ts';
import type { ReportEntry } from './report.ts';
import { ecsSecretValue } from './secret-shapes.ts';
import type { SeedData } from './seed.ts';
import type { StandIns } from './stand-ins.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Dockerfile {
  readonly nodeMajor: string | undefined;
  readonly workdir: string;
  readonly env: Record<string, string>;
  readonly cmd: string[];
}

/** The final stage of a Dockerfile: its base image's Node major, WORKDIR, ENV and CMD (exec form). */
export function parseDockerfile(text: string): Dockerfile {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  let stage: Dockerfile = { nodeMajor: undefined, workdir: '/', env: {}, cmd: [] };
  for (const line of lines) {
    const [instruction = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    switch (instruction.toUpperCase()) {
      case 'FROM':
        stage = { nodeMajor: /^node:(\d+)/.exec(args)?.[1], workdir: '/', env: {}, cmd: [] };
        break;
      case 'WORKDIR':
        stage = { ...stage, workdir: args };
        break;
      case 'ENV': {
        const pairs = args.includes('=')
          ? [...args.matchAll(/(\w+)=("[^"]*"|\S+)/g)].map((m) => [
              m[1] ?? '',
              (m[2] ?? '').replace(/^"|"$/g, ''),
            ])
          : [[rest[0] ?? '', rest.slice(1).join(' ')]];
        stage = { ...stage, env: { ...stage.env, ...Object.fromEntries(pairs) } };
        break;
      }
      case 'CMD':
        stage = { ...stage, cmd: JSON.parse(args) as string[] };
        break;
    }
  }
  return stage;
}

let productionPackages: string[] | undefined;

/** Directories of the production dependency tree (`npm ls --omit=dev`), at the top of node_modules. */
function productionPackageDirs(): string[] {
  productionPackages ??= npmLsOutput()
    .split('\n')
    .filter((p) => p.startsWith(join(REPO_ROOT, 'node_modules') + sep))
    .filter((p) => !relative(join(REPO_ROOT, 'node_modules'), p).includes(`${sep}node_modules${sep}`));
  return productionPackages;
}

/** `npm ls` lists the tree even when it exits non-zero over an extraneous or invalid package. */
function npmLsOutput(): string {
  try {
    return execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout;
    if (stdout === undefined || stdout === '') throw error;
    return stdout;
  }
}

/** A copy of the build context with a node_modules of symlinks to the production packages only. */
export function prepareTaskDirectory(contextDir: string, target: string): void {
  rmSync(target, { recursive: true, force: true });
  cpSync(contextDir, target, { recursive: true });
  const modules = join(target, 'node_modules');
  for (const dir of productionPackageDirs()) {
    const name = relative(join(REPO_ROOT, 'node_modules'), dir);
    if (name.includes('.bin')) continue;
    const link = join(modules, name);
    mkdirSync(join(link, '..'), { recursive: true });
    symlinkSync(dir, link, 'dir');
  }
}

interface ContainerDefinition {
  Name: string;
  Image: CfnValue;
  Environment?: { Name: string; Value: CfnValue }[];
  Secrets?: { Name: string; ValueFrom: CfnValue }[];
  StopTimeout?: number;
}

export async function runIrcTask(options: {
  assembly: CloudAssembly;
  standIns: StandIns;
  seeded: SeedData;
  contextOverride?: string;
  workDir?: string;
  log?: (line: string) => void;
}): Promise<Omit<ReportEntry, 'stage'>[]> {
  const { assembly, standIns, seeded } = options;
  const log = options.log ?? (() => {});
  const entries: Omit<ReportEntry, 'stage'>[] = [];
  for (const { stack, logicalId, resource } of resourcesOfType(assembly, 'AWS::ECS::TaskDefinition')) {
    for (const container of (resource.Properties?.['ContainerDefinitions'] ?? []) as ContainerDefinition[]) {
      const base = { stack, logicalId, handler: '', trigger: `ECS service task (${container.Name})` };
      const notes: string[] = [];
      try {
        const hash = /:([0-9a-f]{64})$/.exec(JSON.stringify(container.Image).replace(/"\}+$/, ''))?.[1];
        const image = assembly.stacks.find((s) => s.name === stack)?.dockerImages[hash ?? ''];
        if (image === undefined) throw new Error(`no container image asset for ${container.Name}`);
        const dockerfile = parseDockerfile(readFileSync(join(image.directory, image.dockerFile), 'utf8'));
        const taskDir = join(assembly.dir, '..', `task-${logicalId}`);
        prepareTaskDirectory(options.contextOverride ?? image.directory, taskDir);
        const node = nodeForRuntime(`nodejs${dockerfile.nodeMajor ?? '0'}.x`);
        if (node.warning !== undefined) notes.push(node.warning);
        const ctx = { assembly, stack, standIns: standIns.lookup };
        const variables = Object.fromEntries((container.Environment ?? []).map((e) => [e.Name, e.Value]));
        const built = buildEnvironment(variables, ctx, standIns.endpoints, undefined);
        notes.push(...built.substitutions.map((s) => `substituted ${s}`));
        if (built.problems.length > 0)
          throw new Error(
            built.problems.map((p) => `unresolved reference in ${container.Name}: ${p}`).join('; '),
          );
        const secrets = Object.fromEntries(
          (container.Secrets ?? []).map((s) => [
            s.Name,
            ecsSecretValue(resolveValue(s.ValueFrom, ctx), standIns.secretValueOf),
          ]),
        );
        const env = {
          PATH: `${join(node.path, '..')}:/usr/local/bin:/usr/bin:/bin`,
          HOSTNAME: 'ip-10-0-0-1',
          HOME: '/home/node',
          AWS_REGION: 'us-east-1',
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE',
          ...dockerfile.env,
          ...built.env,
          ...secrets,
          ...allowedAdditions(standIns.endpoints),
        };
        const [command = '', ...args] = dockerfile.cmd;
        const child = spawn(command === 'node' ? node.path : command, args, {
          cwd: taskDir,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const output: string[] = [];
        const keep = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        child.stdout.on('data', keep);
        child.stderr.on('data', keep);
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        const joined = await Promise.race([
          standIns.irc.waitForJoined([seeded.channel], 30_000).then(
            () => true,
            () => false,
          ),
          exited.then(() => false),
        ]);
        if (!joined) notes.unshift(`did not join #${seeded.channel} on the IRC fixture`);
        const ircUser = 'irc_check_viewer';
        if (joined) {
          standIns.irc.deliver(
            seeded.channel,
            ircLine({
              command: 'PRIVMSG',
              channel: seeded.channel,
              nick: ircUser,
              text: 'hello',
              sentAtMs: Date.now(),
            }),
          );
          await standIns.irc.sync(10_000).catch(() => {});
        }
        child.kill('SIGTERM');
        const timeout = setTimeout(() => child.kill('SIGKILL'), (container.StopTimeout ?? 30) * 1000);
        const code = await exited;
        clearTimeout(timeout);
        if (code !== 0) {
          // a crash prints its message above the stack: name it, not only the last frames
          const thrown = output.findLast((line) => /^\w*Error\b/.test(line.trim()));
          const error = thrown === undefined ? '' : `${thrown.trim().slice(0, 400)}; `;
          notes.push(`exited ${code}; ${error}last output: ${output.slice(-4).join(' | ').slice(0, 800)}`);
        }
        const queued = standIns.queueHolds(built.env['INGEST_QUEUE_URL'] ?? '', ircUser);
        if (!queued) notes.unshift(`put no batch with ${ircUser}'s event on the ingest queue`);
        log(`${container.Name}: joined=${joined} exit=${code} queued=${queued}`);
        const ok = joined && code === 0 && queued;
        entries.push({
          ...base,
          outcome: ok ? 'ok' : 'failed',
          detail: notes.filter((n) => !ok || n.startsWith('substituted')).join('\n'),
        });
      } catch (error) {
        entries.push({ ...base, outcome: 'failed', detail: [String(error), ...notes].join('\n') });
      }
    }
  }
  return entries;
}
