import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function runOracle(
  args: string[],
  extraEnv: Record<string, string> = {},
): {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
} {
  const env = { ...process.env };
  // The runtime must start its own services, whatever the test process was given.
  for (const name of [
    'DATABASE_URL',
    'EVM_RPC_URL',
    'SOLANA_RPC_URL',
    'SQS_ENDPOINT',
    'DYNAMODB_ENDPOINT',
    'PUBLISH_MODE',
    'TOKEN_GROUP_MINTS',
  ])
    delete env[name];
  Object.assign(env, extraEnv);
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/oracle.ts', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('oracle local', () => {
  it('--once runs a cycle in program mode (a viewer claims on chain), prints a JSON summary with every dependency healthy, exits 0 and leaves no process', async () => {
    const run = runOracle(['local', '--once']);
    const code = await run.exit;
    expect(code, run.stderr()).toBe(0);
    const summary = JSON.parse(run.stdout());
    expect(summary.ok).toBe(true);
    for (const name of ['postgres', 'anvil', 'solana', 'sqs', 'dynamodb', 'twitch', 'api'] as const) {
      expect(summary.health.dependencies[name], name).toMatchObject({ up: true });
    }
    expect(summary.stages.discovery.tracked.length).toBeGreaterThan(0);
    expect(summary.stages.chat.participationRows).toBeGreaterThan(0);
    expect(summary.stages.chat.mappingCoverage.coverage).toBe(1);
    expect(summary.stages.ingestApi.eventsStored).toBe(summary.stages.ingestApi.eventsPosted);
    expect(summary.stages.ingestApi.mappingCoverage.coverage).toBe(1);
    // Through the admin routes: one channel put in MILO, one blocklisted and untracked by the liveness pass.
    const configured = summary.stages.channels;
    expect(configured.untrackedByLiveness).toEqual([configured.blocked]);
    expect(configured.tracked).not.toContain(configured.blocked);
    expect(configured.tracked.length).toBe(summary.stages.discovery.tracked.length - 1);
    expect(configured.auditEntries).toBe(2);
    expect(summary.stages.seal.channelsSealed).toBe(configured.tracked.length);
    // The viewer whose claim is checked below bound through Twitch sign-in and a signed message.
    expect(summary.stages.seal.walletsBoundThroughSignIn).toBe(1);
    expect(summary.stages.publish.published).toBeGreaterThan(0);
    expect(summary.stages.publish.verified).toBe(true);
    // The crowd channel's bound viewers fill more than one tree: each shard published and verified.
    // (Category trees shard too; locally their units are 0, so they are built, not published.)
    const sharded = Object.entries(summary.stages.seal.shardedTrees as Record<string, string[]>)
      .filter(([base]) => !base.startsWith('category:'))
      .map(([, shards]) => shards);
    expect(sharded.length).toBeGreaterThan(0);
    const published = summary.stages.publish.publications.map((p: { channel: string }) => p.channel);
    for (const shards of sharded) expect(published).toEqual(expect.arrayContaining(shards));
    expect(summary.stages.claim.proofVerified).toBe(true);
    // Program mode: the viewer's wallet signed and sent what POST /claims/{user}/transactions
    // answered, the served leaf among the claims, and its token balance grew by their amounts.
    const onChain = summary.stages.claim.onChain;
    expect(onChain).toMatchObject({ leafClaimedOnChain: true });
    expect(onChain.claims).toContain(
      `${summary.stages.claim.epoch}:${summary.stages.claim.channel}:${summary.stages.claim.index}`,
    );
    expect(BigInt(onChain.amount)).toBeGreaterThanOrEqual(BigInt(summary.stages.claim.amount));
    expect(BigInt(onChain.balanceAfter) - BigInt(onChain.balanceBefore)).toBe(BigInt(onChain.amount));
    // The recovery dashboard's snapshot of the sealed epoch's day: every sealed viewer mapped, half
    // of the chat's viewers bound, nobody past the shard cap (8 trees a channel hold the crowd).
    const recovery = summary.stages.recovery;
    expect(recovery.day).toBe(new Date(summary.stages.seal.epoch * 1000).toISOString().slice(0, 10));
    expect(recovery.coverage.participants).toBeGreaterThan(0);
    expect(recovery.coverage.mapping).toBe(100);
    expect(recovery.overflow.sealedParticipations).toBeGreaterThan(recovery.coverage.participants);
    expect(recovery.overflow).toMatchObject({ participations: 0, amount: '0' });
    if (!recovery.complete) {
      // Taken while the day is open (all but 01:00–02:00 UTC, when the sealed hour was yesterday):
      // this cycle's carried balances and bindings are in it.
      expect(recovery.carried.amount).toBe(summary.stages.seal.carried.amount);
      expect(recovery.carried.viewers).toBeGreaterThan(0);
      expect(recovery.coverage.binding).toBeGreaterThan(0);
      expect(recovery.coverage.binding).toBeLessThan(100);
    }
    // The FPMM updates went through POST /admin/fpmm/{fpmm}/..., audited, and the contract holds them.
    const fpmm = summary.stages.oracleCalls;
    expect(fpmm.byStatus).toEqual({ success: fpmm.enqueued });
    expect(fpmm.auditEntries).toBe(fpmm.enqueued);
    expect(fpmm.onChain).toEqual(fpmm.sent);
    expect(fpmm.onChain.map((v: { probabilityBps: number }) => v.probabilityBps)).toEqual([1000, 1250, 1500]);
    expect(summary.stages.market.ok).toBe(true);
    const { rounds, lastRunStatus } = summary.stages.creators;
    expect(summary.stages.creators.metricsPushed, `after ${rounds} sync rounds, last ${lastRunStatus}`).toBe(
      summary.stages.creators.creators,
    );
    expect(summary.stages.creators.onChainMatches.equal).toBe(summary.stages.creators.onChainMatches.checked);
    // Every root published and every milestone recorded reached the demo subscribers, once.
    expect(summary.stages.notifications.byTrigger.epoch_published).toEqual({
      sent: summary.stages.publish.published,
    });
    expect(summary.stages.notifications.byTrigger.creator_milestone).toEqual({
      sent: summary.stages.creators.milestonesRecorded,
    });
    const pids = Object.values(summary.processes) as number[];
    expect(pids.length).toBeGreaterThanOrEqual(2);
    await waitFor(() => pids.every((pid) => !alive(pid)), 5000);
  }, 180_000);

  it('in memo mode, serves claims whose proofs `oracle tree verify` accepts, agrees with `oracle publication verify`, and stops everything on SIGINT', async () => {
    const run = runOracle(['local', '--interval', '3600'], { PUBLISH_MODE: 'memo' });
    await waitFor(() => run.stderr().includes('Ctrl-C stops everything'), 120_000);
    await waitFor(() => run.stderr().includes('npx oracle publication verify'), 120_000);
    const claimUrl = /GET (\S+\/claims\/\S+)/.exec(run.stderr())?.[1] as string;
    const claims = (await (await fetch(claimUrl)).json()) as {
      claims: { root: string; leaf: string; proof: string[] }[];
    };
    const served = claims.claims[0] as { root: string; leaf: string; proof: string[] };
    const treeVerify = runOracle([
      'tree',
      'verify',
      '--root',
      served.root,
      '--leaf',
      served.leaf,
      '--proof',
      ...served.proof,
    ]);
    expect(await treeVerify.exit, treeVerify.stderr()).toBe(0);
    const [, epoch, channel] = /publication verify (\d+) (\S+)/.exec(run.stderr()) ?? [];
    const publicationVerify = runOracle(['publication', 'verify', epoch as string, channel as string]);
    expect(await publicationVerify.exit, publicationVerify.stderr()).toBe(0);
    expect(JSON.parse(publicationVerify.stdout())).toMatchObject({ ok: true, status: 'published' });

    const line = run
      .stderr()
      .split('\n')
      .find((l) => l.startsWith('processes'));
    const pids = Object.values(JSON.parse(line?.slice('processes'.length).trim() ?? '{}')) as number[];
    expect(pids.every(alive)).toBe(true);
    run.child.kill('SIGINT');
    // The command's own shutdown stops everything and exits 0 (the cluster's signal hook defers to it).
    expect(await run.exit).toBe(0);
    await waitFor(() => pids.every((pid) => !alive(pid)), 5000);
  }, 180_000);
});
