import { CfnCondition, CfnParameter, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from '../../layers/shared/src/metric-names.ts';
import { AlarmSet, RUNBOOK } from '../constructs/alarm-set.ts';
import type { StageConfig } from '../stage.ts';
import { SYSTEM_NAMES, type SystemName } from '../systems.ts';

export interface MonitoringStackProps extends StackProps {
  readonly stage: StageConfig;
  /** Systems the stage enables: alarms and widgets of the others are not created. */
  readonly systems: ReadonlySet<SystemName>;
  /** Paging subscriptions from context; a missing one becomes a CloudFormation parameter. */
  readonly alarmEmail?: string;
  readonly alarmSms?: string;
  readonly alarmHttpsUrl?: string;
  /** The ORACLE_ALERT_CUTOFF the functions run with, so the alarm pages at the same count. @default 3 */
  readonly oracleAlertCutoff?: number;
}

interface BusinessAlarm {
  readonly id: string;
  readonly system: SystemName;
  readonly metric: string;
  readonly statistic: string;
  readonly period: Duration;
  readonly comparison: cloudwatch.ComparisonOperator;
  readonly threshold: number;
  readonly evaluationPeriods?: number;
  readonly missing: cloudwatch.TreatMissingData;
  readonly anchor: string;
  readonly description: string;
}

const {
  GREATER_THAN_OR_EQUAL_TO_THRESHOLD: GTE,
  LESS_THAN_THRESHOLD: LT,
  GREATER_THAN_THRESHOLD: GT,
} = cloudwatch.ComparisonOperator;
const { NOT_BREACHING, BREACHING } = cloudwatch.TreatMissingData;

/** The alerts of DESIGN.md and the issues, over the metrics named in layers/shared/src/metric-names.ts. */
export const BUSINESS_ALARMS: readonly BusinessAlarm[] = [
  {
    id: 'MappingCoverageLow',
    system: 'attention',
    metric: METRIC.mappingCoverage,
    statistic: cloudwatch.Stats.MINIMUM,
    period: Duration.hours(1),
    comparison: LT,
    threshold: 95,
    missing: NOT_BREACHING,
    anchor: 'mapping-coverage',
    description: 'Mapping coverage below 95 %: participants without a user_mapping row',
  },
  {
    id: 'NoEpochSealed',
    system: 'attention',
    metric: METRIC.epochsSealed,
    statistic: cloudwatch.Stats.SUM,
    period: Duration.hours(2),
    comparison: LT,
    threshold: 1,
    // no data for 2 h is exactly the condition: sealing did not run or sealed nothing
    missing: BREACHING,
    anchor: 'no-sealed-epoch',
    description: 'No epoch sealed in 2 h',
  },
  {
    id: 'DiscoveryFailed',
    system: 'attention',
    metric: METRIC.discoveryFailure,
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(5),
    comparison: GTE,
    threshold: 1,
    missing: NOT_BREACHING,
    anchor: 'discovery-failure',
    description: 'A channel discovery run failed',
  },
  {
    id: 'MerkleBuildTimedOut',
    system: 'attention',
    metric: METRIC.merkleBuildTimeout,
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(5),
    comparison: GTE,
    threshold: 1,
    missing: NOT_BREACHING,
    anchor: 'merkle-timeout',
    description: 'A merkle tree build exceeded its time budget',
  },
  {
    id: 'SyncSuccessRateWarning',
    system: 'creator',
    metric: METRIC.syncSuccessRate,
    statistic: cloudwatch.Stats.MINIMUM,
    period: Duration.hours(1),
    comparison: LT,
    threshold: 90,
    missing: NOT_BREACHING,
    anchor: 'sync-success-rate',
    description: 'WARNING: creator sync success rate below 90 %',
  },
  {
    id: 'SyncSuccessRateCritical',
    system: 'creator',
    metric: METRIC.syncSuccessRate,
    statistic: cloudwatch.Stats.MINIMUM,
    period: Duration.hours(1),
    comparison: LT,
    threshold: 70,
    missing: NOT_BREACHING,
    anchor: 'sync-success-rate',
    description: 'CRITICAL: creator sync success rate below 70 %',
  },
  {
    id: 'CreatorDataStale',
    system: 'creator',
    metric: METRIC.creatorDataStaleSeconds,
    statistic: cloudwatch.Stats.MAXIMUM,
    period: Duration.hours(1),
    comparison: GT,
    threshold: 7200,
    missing: NOT_BREACHING,
    anchor: 'stale-creator-data',
    description: 'Creator data on-chain stale for more than 2 h, or no successful sync in 2 h',
  },
  {
    id: 'CreatorSyncSilent',
    system: 'creator',
    metric: METRIC.creatorDataStaleSeconds,
    statistic: cloudwatch.Stats.SAMPLE_COUNT,
    // the hourly sync reports staleness on every run; three silent hours mean it stopped running
    period: Duration.hours(3),
    comparison: LT,
    threshold: 1,
    missing: BREACHING,
    anchor: 'stale-creator-data',
    description: 'The creator sync has reported nothing for 3 h',
  },
  {
    id: 'CreatorSyncResponseTimeHigh',
    system: 'creator',
    metric: METRIC.creatorSyncResponseTime,
    statistic: cloudwatch.Stats.AVERAGE,
    period: Duration.hours(1),
    comparison: GTE,
    // "Response Times: Average <30 seconds" (streamvault-database.md, Sync Health Metrics)
    threshold: 30,
    missing: NOT_BREACHING,
    anchor: 'sync-response-time',
    description: 'Creator sync calls took 30 s or more on average from enqueue to confirmation',
  },
  {
    id: 'OracleConsecutiveFailures',
    system: 'delivery',
    metric: METRIC.oracleConsecutiveFailures,
    statistic: cloudwatch.Stats.MAXIMUM,
    period: Duration.minutes(5),
    comparison: GTE,
    // ORACLE_ALERT_CUTOFF = 3 in oracle-call-history-and-alerts.md
    threshold: 3,
    missing: NOT_BREACHING,
    anchor: 'oracle-consecutive-failures',
    description: 'An oracle target address reached 3 consecutive failed attempts',
  },
  {
    id: 'OracleCallSuccessRateWarning',
    system: 'delivery',
    metric: METRIC.oracleCallSuccessRate,
    statistic: cloudwatch.Stats.MINIMUM,
    period: Duration.hours(1),
    comparison: LT,
    threshold: 90,
    missing: NOT_BREACHING,
    anchor: 'oracle-call-success-rate',
    description: 'WARNING: oracle call success rate below 90 %',
  },
  {
    id: 'OracleCallSuccessRateCritical',
    system: 'delivery',
    metric: METRIC.oracleCallSuccessRate,
    statistic: cloudwatch.Stats.MINIMUM,
    period: Duration.hours(1),
    comparison: LT,
    threshold: 70,
    missing: NOT_BREACHING,
    anchor: 'oracle-call-success-rate',
    description: 'CRITICAL: oracle call success rate below 70 %',
  },
  {
    id: 'OracleFailedTransactions',
    system: 'delivery',
    metric: METRIC.oracleFailedTransactions,
    statistic: cloudwatch.Stats.SUM,
    period: Duration.hours(1),
    comparison: GTE,
    threshold: 10,
    missing: NOT_BREACHING,
    anchor: 'oracle-failed-transactions',
    description: '10 or more oracle transactions failed in the last hour',
  },
  {
    id: 'RootExpired',
    system: 'attention',
    metric: METRIC.rootExpired,
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(5),
    comparison: GTE,
    threshold: 1,
    missing: NOT_BREACHING,
    anchor: 'root-expired',
    description: 'A sealed root can no longer be published (its ring slot holds a newer epoch)',
  },
  {
    id: 'ReturnUndecided',
    system: 'attention',
    metric: METRIC.returnUndecided,
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(5),
    comparison: GTE,
    threshold: 1,
    missing: NOT_BREACHING,
    anchor: 'return-undecided',
    description:
      "An overwritten root's unclaimed leaves could not be proven from the chain; nothing returned",
  },
  {
    id: 'SealingFailed',
    system: 'attention',
    metric: METRIC.sealingFailures,
    statistic: cloudwatch.Stats.SUM,
    period: Duration.hours(1),
    comparison: GTE,
    threshold: 1,
    missing: NOT_BREACHING,
    anchor: 'sealing-failed',
    description: 'An (epoch, channel) was not sealed or a tree not built; the rest of the run went on',
  },
  {
    id: 'AmountOverflow',
    system: 'attention',
    metric: METRIC.amountOverflow,
    statistic: cloudwatch.Stats.SUM,
    period: Duration.hours(1),
    comparison: GTE,
    threshold: 1,
    missing: NOT_BREACHING,
    anchor: 'amount-overflow',
    description:
      'Amounts past 2^63 - 1: a channel refused at sealing, a tree refused, or a carried balance paid in parts',
  },
  {
    id: 'ShardOverflow',
    system: 'attention',
    metric: METRIC.shardOverflow,
    statistic: cloudwatch.Stats.SUM,
    period: Duration.hours(1),
    comparison: GTE,
    threshold: 1,
    missing: NOT_BREACHING,
    anchor: 'shard-overflow',
    description:
      "Participants beyond a channel's shard cap got no reward this epoch: TOKEN_GROUP_MAX_SHARDS is too low",
  },
];

/** The alarms with the consecutive-failures threshold set to the deployment's cutoff. */
function withAlertCutoff(alarms: readonly BusinessAlarm[], cutoff: number | undefined): BusinessAlarm[] {
  return alarms.map((spec) =>
    spec.id !== 'OracleConsecutiveFailures' || cutoff === undefined
      ? spec
      : {
          ...spec,
          threshold: cutoff,
          description: `An oracle target address reached ${cutoff} consecutive failed attempts`,
        },
  );
}

export function businessMetric(name: string, statistic: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: METRICS_SERVICE },
    statistic,
    period,
  });
}

/**
 * The admin topic (every alarm of every stack pages through it), its paging subscriptions, the
 * business alarms and the dashboard.
 */
export class MonitoringStack extends Stack {
  readonly topic: sns.Topic;
  readonly alarms: AlarmSet;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const key = new kms.Key(this, 'AdminTopicKey', {
      description: 'Encrypts the admin alarm topic',
      enableKeyRotation: true,
      removalPolicy: props.stage.removalPolicy,
    });
    // CloudWatch alarms publish to an encrypted topic only if the key lets them.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'AdminTopic', {
      displayName: `Engagement Oracle ${props.stage.name} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    this.subscribe('Email', 'email', props.alarmEmail, 'Email address paged by every alarm');
    this.subscribe('Sms', 'sms', props.alarmSms, 'Phone number (E.164) paged by SMS');
    this.subscribe(
      'Https',
      'https',
      props.alarmHttpsUrl,
      'HTTPS endpoint (pager webhook) paged by every alarm',
    );

    this.alarms = new AlarmSet(this, 'Alarms', { topic: this.topic });
    const created = withAlertCutoff(
      BUSINESS_ALARMS.filter((spec) => props.systems.has(spec.system)),
      props.oracleAlertCutoff,
    ).map(
      (spec) =>
        new cloudwatch.Alarm(this.alarms, spec.id, {
          metric: businessMetric(spec.metric, spec.statistic, spec.period),
          threshold: spec.threshold,
          evaluationPeriods: spec.evaluationPeriods ?? 1,
          comparisonOperator: spec.comparison,
          treatMissingData: spec.missing,
          alarmDescription: `${spec.description}. Runbook: ${RUNBOOK}#${spec.anchor}`,
        }),
    );

    this.buildDashboard(created, props.systems);
  }

  private subscribe(
    id: string,
    protocol: 'email' | 'sms' | 'https',
    fromContext: string | undefined,
    help: string,
  ) {
    if (fromContext !== undefined && fromContext !== '') {
      new sns.CfnSubscription(this, `${id}Subscription`, {
        topicArn: this.topic.topicArn,
        protocol,
        endpoint: fromContext,
      });
      return;
    }
    const parameter = new CfnParameter(this, `Alarm${id}`, {
      type: 'String',
      default: '',
      description: help,
    });
    const given = new CfnCondition(this, `Alarm${id}Given`, {
      expression: Fn.conditionNot(Fn.conditionEquals(parameter.valueAsString, '')),
    });
    const subscription = new sns.CfnSubscription(this, `${id}Subscription`, {
      topicArn: this.topic.topicArn,
      protocol,
      endpoint: parameter.valueAsString,
    });
    subscription.cfnOptions.condition = given;
  }

  private buildDashboard(alarms: cloudwatch.Alarm[], systems: ReadonlySet<SystemName>) {
    const hour = Duration.hours(1);
    const fiveMin = Duration.minutes(5);
    const graph = (
      title: string,
      metrics: cloudwatch.IMetric[],
      leftAnnotations?: cloudwatch.HorizontalAnnotation[],
    ) =>
      new cloudwatch.GraphWidget({
        title,
        left: metrics,
        width: 8,
        ...(leftAnnotations === undefined ? {} : { leftAnnotations }),
      });
    // The recovery dashboard: one point a day, from the 01:00 UTC snapshot (README.md, "Recovery dashboard").
    const day = Duration.days(1);
    const daily = (name: string, label: string) =>
      businessMetric(name, cloudwatch.Stats.MAXIMUM, day).with({ label });
    const recovery = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width: 8, period: day });
    const lambdaAll = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName,
        statistic: cloudwatch.Stats.SUM,
        period: fiveMin,
      });

    const bySystem: Record<SystemName, cloudwatch.IWidget[]> = {
      attention: [
        graph(
          'Mapping coverage (%)',
          [businessMetric(METRIC.mappingCoverage, cloudwatch.Stats.MINIMUM, hour)],
          [{ value: 95, label: 'alarm' }],
        ),
        graph('Epochs sealed', [businessMetric(METRIC.epochsSealed, cloudwatch.Stats.SUM, hour)]),
        graph('Overflow share (%) and late events', [
          businessMetric(METRIC.overflowShare, cloudwatch.Stats.MAXIMUM, hour),
          businessMetric(METRIC.lateEvents, cloudwatch.Stats.SUM, hour),
        ]),
        graph('Carried balances (base units)', [
          businessMetric(METRIC.carriedBalance, cloudwatch.Stats.MAXIMUM, hour),
        ]),
        graph('Discovery and sealing failures, merkle timeouts, expired roots, overflows', [
          businessMetric(METRIC.discoveryFailure, cloudwatch.Stats.SUM, fiveMin),
          businessMetric(METRIC.merkleBuildTimeout, cloudwatch.Stats.SUM, fiveMin),
          businessMetric(METRIC.rootExpired, cloudwatch.Stats.SUM, fiveMin),
          businessMetric(METRIC.sealingFailures, cloudwatch.Stats.SUM, fiveMin),
          businessMetric(METRIC.amountOverflow, cloudwatch.Stats.SUM, fiveMin),
          businessMetric(METRIC.shardOverflow, cloudwatch.Stats.SUM, fiveMin),
        ]),
        recovery(
          'Recovery: carried balances at the daily snapshot',
          [daily(METRIC.recoveryCarriedViewers, 'viewers')],
          [daily(METRIC.recoveryCarriedAmount, 'base units')],
        ),
        recovery(
          'Recovery: recovered by binding, per day',
          [daily(METRIC.recoveredViewers, 'viewers')],
          [daily(METRIC.recoveredAmount, 'base units')],
        ),
        recovery('Recovery: recovery rate, mapping and binding coverage (%)', [
          daily(METRIC.recoveryRate, 'recovery rate'),
          daily(METRIC.dailyMappingCoverage, 'mapping coverage'),
          daily(METRIC.dailyBindingCoverage, 'binding coverage'),
        ]),
        recovery(
          'Recovery: overflow past the shard cap, per day',
          [daily(METRIC.dailyOverflowShare, 'share of participations (%)')],
          [daily(METRIC.dailyOverflowAmount, 'base units')],
        ),
      ],
      creator: [
        graph(
          'Creator sync success rate (%)',
          [businessMetric(METRIC.syncSuccessRate, cloudwatch.Stats.MINIMUM, hour)],
          [
            { value: 90, label: 'warning' },
            { value: 70, label: 'critical' },
          ],
        ),
        graph('Creator data staleness (s)', [
          businessMetric(METRIC.creatorDataStaleSeconds, cloudwatch.Stats.MAXIMUM, hour),
        ]),
        graph(
          'Creator sync response time (s)',
          [businessMetric(METRIC.creatorSyncResponseTime, cloudwatch.Stats.AVERAGE, hour)],
          [{ value: 30, label: 'alarm' }],
        ),
      ],
      delivery: [
        graph('Oracle failures', [
          businessMetric(METRIC.oracleConsecutiveFailures, cloudwatch.Stats.MAXIMUM, fiveMin),
          businessMetric(METRIC.oracleFailedTransactions, cloudwatch.Stats.SUM, hour),
          businessMetric(METRIC.oracleCallSuccessRate, cloudwatch.Stats.MINIMUM, hour),
        ]),
      ],
      market: [],
    };
    const graphs = [
      ...SYSTEM_NAMES.filter((name) => systems.has(name)).flatMap((name) => bySystem[name]),
      graph('Lambda errors and throttles (all functions)', [lambdaAll('Errors'), lambdaAll('Throttles')]),
    ];
    const rows: cloudwatch.IWidget[][] = [];
    for (let i = 0; i < graphs.length; i += 3) rows.push(graphs.slice(i, i + 3));
    new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(1),
      widgets: [
        ...(alarms.length === 0
          ? []
          : [[new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24 })]]),
        ...rows,
      ],
    });
  }
}
