import { Aspects, Duration, type IAspect, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';

/** Where the runbook for each alarm lives; alarm descriptions point at its anchor. */
export const RUNBOOK = 'README.md';

/**
 * Gives every CloudWatch alarm in a scope the admin topic as its alarm action, whichever construct
 * created it, so no alarm can be left without a pager.
 */
class RouteAlarmsToTopic implements IAspect {
  private readonly routed = new WeakSet<cloudwatch.Alarm>();
  constructor(private readonly topic: sns.ITopic) {}

  visit(node: IConstruct): void {
    if (!(node instanceof cloudwatch.Alarm) || this.routed.has(node)) return;
    this.routed.add(node);
    node.addAlarmAction(new actions.SnsAction(this.topic));
  }
}

export interface AlarmSetProps {
  /** The admin topic that pages. */
  readonly topic: sns.ITopic;
}

export interface FunctionAlarmOptions {
  /** Errors in 5 minutes that raise the alarm. @default 1 */
  readonly errors?: number;
  /** Throttles in 5 minutes that raise the alarm. @default 1 */
  readonly throttles?: number;
}

/**
 * The alarms of one stack. Creating it routes every alarm of the stack (its own and those of
 * WorkQueue, Schedule, ...) to the admin topic.
 */
export class AlarmSet extends Construct {
  readonly topic: sns.ITopic;

  constructor(scope: Construct, id: string, props: AlarmSetProps) {
    super(scope, id);
    this.topic = props.topic;
    Aspects.of(Stack.of(this)).add(new RouteAlarmsToTopic(props.topic));
  }

  /** Lambda errors and throttles for one function. */
  watchFunction(id: string, fn: lambda.IFunction, options: FunctionAlarmOptions = {}): cloudwatch.Alarm[] {
    const period = Duration.minutes(5);
    return [
      new cloudwatch.Alarm(this, `${id}Errors`, {
        metric: fn.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
        threshold: options.errors ?? 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `${id}: the function failed. Runbook: ${RUNBOOK}#lambda-errors`,
      }),
      new cloudwatch.Alarm(this, `${id}Throttles`, {
        metric: fn.metricThrottles({ period, statistic: cloudwatch.Stats.SUM }),
        threshold: options.throttles ?? 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `${id}: invocations were throttled. Runbook: ${RUNBOOK}#lambda-throttles`,
      }),
    ];
  }
}
