import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC, METRICS_NAMESPACE } from '../../layers/shared/src/metric-names.ts';
import { REPO_ROOT } from '../../lib/functions.ts';
import { BUSINESS_ALARMS } from '../../lib/stacks/monitoring-stack.ts';
import { WORKER_DOCKERFILE } from '../../lib/stacks/worker-stack.ts';
import { EXAMPLE_STAGE_FILE } from '../../lib/stage-config.ts';
import {
  allows,
  logicalIdOf,
  removeOutput,
  resourcesOf,
  type Synthesized,
  statementsOfRole,
  synthesize,
} from './synth.ts';

let app: Synthesized;
let full: Synthesized;
let paged: Synthesized;
const stageDir = mkdtempSync(join(tmpdir(), 'eo-stage-'));

// one synthesis per hook: each gets the whole hook timeout on a loaded machine
beforeAll(() => {
  app = synthesize();
});
beforeAll(() => {
  full = synthesize();
});
beforeAll(() => {
  // The example stage file with the delivery engine's alert cutoff changed from its default of 3.
  const stage = JSON.parse(readFileSync(join(REPO_ROOT, EXAMPLE_STAGE_FILE), 'utf8'));
  stage.systems.delivery.settings.ORACLE_ALERT_CUTOFF = 5;
  const config = join(stageDir, 'alert-cutoff.json');
  writeFileSync(config, JSON.stringify(stage));
  paged = synthesize({
    config,
    context: {
      alarmEmail: 'oncall@example.org',
      alarmSms: '+15555550100',
      alarmHttpsUrl: 'https://pager.example.org/hook',
    },
  });
});

afterAll(() => {
  removeOutput(app, full, paged);
  rmSync(stageDir, { recursive: true, force: true });
});

describe('IRC worker', () => {
  it('runs one Fargate task in the private subnets with a deployment circuit breaker that rolls back', () => {
    const t = app.template(app.worker);
    t.resourceCountIs('AWS::ECS::Service', 1);
    t.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DesiredCount: 1,
      DeploymentConfiguration: Match.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
      }),
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({
          AssignPublicIp: 'DISABLED',
          Subnets: Match.arrayWith([
            Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('PrivateSubnet') }),
          ]),
        }),
      },
    });
  });

  it('runs the worker image built from this repository, logging through awslogs', () => {
    const t = app.template(app.worker);
    const manifest = JSON.parse(
      readFileSync(join(app.outdir, `${app.worker.artifactId}.assets.json`), 'utf8'),
    ) as {
      dockerImages: Record<string, { source: { directory: string; dockerFile?: string; platform?: string } }>;
    };
    const images = Object.entries(manifest.dockerImages);
    expect(images).toHaveLength(1);
    const [hash, image] = images[0] as (typeof images)[number];
    expect(image.source.dockerFile).toBe(WORKER_DOCKERFILE);
    expect(image.source.platform).toBe('linux/arm64');
    const staged = join(app.outdir, image.source.directory);
    expect(existsSync(join(staged, WORKER_DOCKERFILE))).toBe(true);
    expect(existsSync(join(staged, 'package-lock.json'))).toBe(true);
    expect(existsSync(join(staged, 'layers/shared/src'))).toBe(true);
    // the worker runs on the Lambdas' platform: every module it reaches, statically or lazily, is in
    expect(existsSync(join(staged, 'functions/platform.ts'))).toBe(true);
    const missing = reachableModules('functions/worker/irc/index.ts').filter(
      (path) => !existsSync(join(staged, path)),
    );
    expect(missing).toEqual([]);
    // only the worker's inputs go into the build context
    expect(existsSync(join(staged, 'node_modules'))).toBe(false);
    expect(existsSync(join(staged, 'test'))).toBe(false);
    expect(existsSync(join(staged, 'functions/api'))).toBe(false);
    expect(readFileSync(join(staged, WORKER_DOCKERFILE), 'utf8')).toMatch(/FROM node:24/);

    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [
        Match.objectLike({
          Image: { 'Fn::Sub': Match.stringLikeRegexp(`:${hash}$`) },
          LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
          StopTimeout: 60,
        }),
      ],
    });
  });

  it('lets the worker send to the ingest queue and read only the Twitch secret: the database takes its IAM token', () => {
    const taskRole = logicalIdOf(app.worker.taskDefinition.taskRole);
    const statements = statementsOfRole(app.template(app.worker), taskRole);
    const secretReads = statements
      .filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'))
      .map((s) => JSON.stringify(s.Resource));
    expect(secretReads).toHaveLength(1);
    expect(secretReads.join()).toMatch(/TwitchCredentials/);
    expect(secretReads.join()).not.toMatch(/DatabaseSecret/);
    expect(statements.some((s) => [s.Action].flat().includes('rds-db:connect'))).toBe(true);
    expect(secretReads.join()).not.toMatch(/EvmSigner|SolanaPublisher/);
    expect(statements.some((s) => allows(s, 'sqs:SendMessage', 'IngestQueue'))).toBe(true);
  });
});

/** Every way a stack can name the admin topic: a Ref in its own stack, an import elsewhere. */
function topicReferences(s: Synthesized): string[] {
  const monitoring = s.template(s.deployment.monitoring).toJSON();
  const topicId = logicalIdOf(s.deployment.monitoring.topic);
  const exports = Object.values(monitoring.Outputs ?? {}) as { Value: unknown; Export?: { Name: string } }[];
  const names = exports
    .filter((o) => JSON.stringify(o.Value) === JSON.stringify({ Ref: topicId }))
    .map((o) => o.Export?.Name as string);
  return [JSON.stringify({ Ref: topicId }), ...names.map((n) => JSON.stringify({ 'Fn::ImportValue': n }))];
}

function everyAlarm(s: Synthesized): [string, Record<string, unknown>][] {
  return Object.entries(s.templates).flatMap(([stack, t]: [string, Template]) =>
    Object.entries(resourcesOf(t, 'AWS::CloudWatch::Alarm')).map(
      ([id, r]) => [`${stack}/${id}`, r.Properties ?? {}] as [string, Record<string, unknown>],
    ),
  );
}

describe('alarms', () => {
  it('pages the admin topic from every alarm of every stack', () => {
    for (const s of [app, full]) {
      const refs = topicReferences(s);
      const alarms = everyAlarm(s);
      expect(alarms.length).toBeGreaterThan(20);
      for (const [id, props] of alarms) {
        const actions = ((props.AlarmActions ?? []) as unknown[]).map((a) => JSON.stringify(a));
        expect(actions.length, id).toBe(1);
        expect(refs, id).toContain(actions[0]);
      }
    }
  });

  it('alarms on every alert of DESIGN.md and the issues, on the metric names the services emit', () => {
    const t = app.template(app.deployment.monitoring);
    const expected: [string, string, number][] = [
      [METRIC.mappingCoverage, 'LessThanThreshold', 95],
      [METRIC.epochsSealed, 'LessThanThreshold', 1],
      [METRIC.discoveryFailure, 'GreaterThanOrEqualToThreshold', 1],
      [METRIC.merkleBuildTimeout, 'GreaterThanOrEqualToThreshold', 1],
      [METRIC.syncSuccessRate, 'LessThanThreshold', 90],
      [METRIC.syncSuccessRate, 'LessThanThreshold', 70],
      [METRIC.creatorDataStaleSeconds, 'GreaterThanThreshold', 7200],
      [METRIC.creatorSyncResponseTime, 'GreaterThanOrEqualToThreshold', 30],
      [METRIC.oracleConsecutiveFailures, 'GreaterThanOrEqualToThreshold', 3],
      [METRIC.oracleFailedTransactions, 'GreaterThanOrEqualToThreshold', 10],
      [METRIC.oracleCallSuccessRate, 'LessThanThreshold', 90],
      [METRIC.oracleCallSuccessRate, 'LessThanThreshold', 70],
      [METRIC.rootExpired, 'GreaterThanOrEqualToThreshold', 1],
      [METRIC.sealingFailures, 'GreaterThanOrEqualToThreshold', 1],
      [METRIC.amountOverflow, 'GreaterThanOrEqualToThreshold', 1],
      [METRIC.shardOverflow, 'GreaterThanOrEqualToThreshold', 1],
    ];
    for (const [metric, comparison, threshold] of expected) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: METRICS_NAMESPACE,
        MetricName: metric,
        ComparisonOperator: comparison,
        Threshold: threshold,
        Dimensions: [{ Name: 'service', Value: 'engagement-oracle' }],
      });
    }
    t.resourceCountIs('AWS::CloudWatch::Alarm', BUSINESS_ALARMS.length);
  });

  it('pages on consecutive oracle failures at the ORACLE_ALERT_CUTOFF the functions are given', () => {
    const cutoff = (s: Synthesized) =>
      Object.values(resourcesOf(s.template(s.deployment.monitoring), 'AWS::CloudWatch::Alarm'))
        .map((alarm) => alarm.Properties ?? {})
        .filter((props) => props['MetricName'] === METRIC.oracleConsecutiveFailures)
        .map((props) => props['Threshold']);
    // The functions that count the failures and page are given the same cutoff as the alarm.
    const given = (s: Synthesized) =>
      ['DeliveryConfirmer', 'OracleCalls'].map((name) => {
        const fn = s.deployment.pipeline.functions[name];
        if (fn === undefined) throw new Error(`${name} is not deployed`);
        return s.template(s.deployment.pipeline).toJSON().Resources[logicalIdOf(fn.function)].Properties
          .Environment.Variables['ORACLE_ALERT_CUTOFF'];
      });
    expect(cutoff(app)).toEqual([3]);
    expect(cutoff(paged)).toEqual([5]);
    expect(given(paged)).toEqual(['5', '5']);
  });

  it('treats two silent hours without a sealed epoch as an alarm', () => {
    app.template(app.deployment.monitoring).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: METRIC.epochsSealed,
      Period: 7200,
      TreatMissingData: 'breaching',
    });
  });

  it('alarms when the creator sync stops reporting for 3 h', () => {
    app.template(app.deployment.monitoring).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: METRIC.creatorDataStaleSeconds,
      Statistic: 'SampleCount',
      Period: 10800,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('alarms on errors and throttles of every Lambda', () => {
    for (const [stack, fns] of [
      [full.deployment.pipeline, full.deployment.pipeline.functions],
      [full.deployment.api, full.deployment.api.functions],
    ] as const) {
      const t = full.template(stack);
      for (const fn of Object.values(fns)) {
        for (const metric of ['Errors', 'Throttles']) {
          t.hasResourceProperties('AWS::CloudWatch::Alarm', {
            Namespace: 'AWS/Lambda',
            MetricName: metric,
            Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(fn.function) } }],
          });
        }
      }
    }
  });

  it('alarms when the IRC worker has no running task', () => {
    app.template(app.worker).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ECS/ContainerInsights',
      MetricName: 'RunningTaskCount',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
    });
  });

  it('encrypts the admin topic and lets CloudWatch use its key', () => {
    const t = app.template(app.deployment.monitoring);
    t.resourceCountIs('AWS::SNS::Topic', 1);
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    t.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  it('takes the paging subscriptions from context when given', () => {
    const t = paged.template(paged.deployment.monitoring);
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.org' });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sms', Endpoint: '+15555550100' });
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'https',
      Endpoint: 'https://pager.example.org/hook',
    });
    expect(Object.keys(t.toJSON().Parameters ?? {}).filter((p) => p.startsWith('Alarm'))).toEqual([]);
  });

  it('asks for the paging subscriptions as optional parameters otherwise', () => {
    const t = app.template(app.deployment.monitoring);
    for (const p of ['AlarmEmail', 'AlarmSms', 'AlarmHttps'])
      t.hasParameter(p, { Type: 'String', Default: '' });
    t.hasResource('AWS::SNS::Subscription', {
      Properties: { Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' } },
      Condition: 'AlarmEmailGiven',
    });
  });

  it('builds a dashboard with the business metrics', () => {
    const t = app.template(app.deployment.monitoring);
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(resourcesOf(t, 'AWS::CloudWatch::Dashboard'));
    for (const metric of Object.values(METRIC)) expect(body).toContain(metric);
  });

  it("shows the recovery dashboard's daily snapshot, one point a day", () => {
    const t = app.template(app.deployment.monitoring);
    const [dashboard] = Object.values(resourcesOf(t, 'AWS::CloudWatch::Dashboard'));
    const join = dashboard?.Properties?.['DashboardBody'] as { 'Fn::Join': [string, unknown[]] };
    const body = JSON.parse(
      join['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'token')).join(''),
    ) as {
      widgets: { properties: { title?: string; period?: number; metrics?: unknown[][] } }[];
    };
    const recovery = body.widgets.map((w) => w.properties).filter((p) => p.title?.startsWith('Recovery: '));
    expect(recovery.map((p) => p.title)).toEqual([
      'Recovery: carried balances at the daily snapshot',
      'Recovery: recovered by binding, per day',
      'Recovery: recovery rate, mapping and binding coverage (%)',
      'Recovery: overflow past the shard cap, per day',
    ]);
    // Each at a day's period, where the 01:00 UTC snapshot puts one point.
    for (const widget of recovery) expect(widget.period).toBe(86_400);
    expect(recovery.flatMap((p) => (p.metrics ?? []).map((m) => m[1]))).toEqual([
      METRIC.recoveryCarriedViewers,
      METRIC.recoveryCarriedAmount,
      METRIC.recoveredViewers,
      METRIC.recoveredAmount,
      METRIC.recoveryRate,
      METRIC.dailyMappingCoverage,
      METRIC.dailyBindingCoverage,
      METRIC.dailyOverflowShare,
      METRIC.dailyOverflowAmount,
    ]);
  });
});

/** The repository's modules `entry` reaches through relative imports, static or `import()`, transitively. */
function reachableModules(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    const text = readFileSync(join(REPO_ROOT, path), 'utf8');
    for (const match of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)'(\.[^']+\.ts)'/g)) {
      visit(relative(REPO_ROOT, resolve(dirname(join(REPO_ROOT, path)), match[1] as string)));
    }
  };
  visit(entry);
  return [...seen];
}
