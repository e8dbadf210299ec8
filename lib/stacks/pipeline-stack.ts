import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { NOTIFYING_EVENT_TYPES } from '../../layers/shared/src/core/events/domain-events.ts';
import { AlarmSet } from '../constructs/alarm-set.ts';
import type { NodeFunction } from '../constructs/node-function.ts';
import { Schedule } from '../constructs/schedule.ts';
import { WorkQueue } from '../constructs/work-queue.ts';
import { createRegisteredFunction } from '../function-wiring.ts';
import { FUNCTIONS, type FunctionSpec, type QueueName, requireEntries } from '../functions.ts';
import type { StageConfig } from '../stage.ts';
import { isEnabled, type StageSettings } from '../stage-config.ts';
import type { SystemOrCore } from '../systems.ts';
import type { DataStack } from './data-stack.ts';

export interface PipelineStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly data: DataStack;
  readonly alarmTopic: sns.ITopic;
  readonly settings: StageSettings;
  /** @default the registry in lib/functions.ts */
  readonly functions?: readonly FunctionSpec[];
}

interface QueueSpec {
  readonly id: string;
  /** Created only where the stage enables this system. */
  readonly system: SystemOrCore;
  readonly fifo: boolean;
  readonly maxReceiveCount: number;
  readonly maxMessageAge: Duration;
}

/** DESIGN.md section 2: the four work queues. */
export const QUEUES: Record<QueueName, QueueSpec> = {
  // a poison message reaches the DLQ after 5 receives (issue 4)
  ingest: {
    id: 'IngestQueue',
    system: 'attention',
    fifo: false,
    maxReceiveCount: 5,
    maxMessageAge: Duration.minutes(10),
  },
  // MessageGroupId = mint:channel keeps a channel's roots in epoch order
  publish: {
    id: 'PublishQueue',
    system: 'attention',
    fifo: true,
    maxReceiveCount: 5,
    maxMessageAge: Duration.minutes(30),
  },
  // MessageGroupId = signer address. The engine's attempt count in the database decides final
  // failure and moves the call to the DLQ itself; the receive count is only a backstop.
  oracleCalls: {
    id: 'OracleCallsQueue',
    system: 'delivery',
    fifo: true,
    maxReceiveCount: 100,
    maxMessageAge: Duration.minutes(30),
  },
  notifications: {
    id: 'NotificationsQueue',
    system: 'core',
    fifo: false,
    maxReceiveCount: 5,
    maxMessageAge: Duration.minutes(30),
  },
};

/** Events that may lead to a user notification (token-market-services.md triggers). */
const NOTIFYING_EVENTS = [...NOTIFYING_EVENT_TYPES];

/** The scheduled jobs, the work queues and their consumers. */
export class PipelineStack extends Stack {
  /** The queues of the core and the enabled systems. */
  readonly queues: Partial<Record<QueueName, WorkQueue>>;
  readonly notificationsQueue: WorkQueue;
  readonly functions: Record<string, NodeFunction> = {};
  readonly schedules: Record<string, Schedule> = {};

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { stage, data } = props;
    const alarms = new AlarmSet(this, 'Alarms', { topic: props.alarmTopic });
    const specs = (props.functions ?? FUNCTIONS).filter(
      (f) => f.stack === 'pipeline' && isEnabled(props.settings, f.system),
    );
    requireEntries(specs);

    // Visibility timeout: six times the consumer's timeout (AWS guidance for Lambda consumers).
    const consumerTimeout = (queue: QueueName) => {
      const consumer = specs.find((s) => s.trigger.kind === 'queue' && s.trigger.queue === queue);
      return Duration.seconds(6 * (consumer?.timeoutSeconds ?? 30));
    };
    this.queues = Object.fromEntries(
      (Object.keys(QUEUES) as QueueName[])
        .filter((name) => isEnabled(props.settings, QUEUES[name].system))
        .map((name) => {
          const q = QUEUES[name];
          return [
            name,
            new WorkQueue(this, q.id, {
              fifo: q.fifo,
              maxReceiveCount: q.maxReceiveCount,
              maxMessageAge: q.maxMessageAge,
              visibilityTimeout: consumerTimeout(name),
              removalPolicy: stage.removalPolicy,
            }),
          ];
        }),
    ) as Partial<Record<QueueName, WorkQueue>>;
    const notifications = this.queues.notifications;
    if (notifications === undefined) throw new Error('the notifications queue belongs to the core');
    this.notificationsQueue = notifications;

    new events.Rule(this, 'NotificationsRule', {
      eventBus: data.bus,
      description: 'Domain events that may notify a user',
      eventPattern: { detailType: NOTIFYING_EVENTS },
      targets: [new eventTargets.SqsQueue(notifications.queue)],
    });

    for (const spec of specs) {
      const fn = createRegisteredFunction(this, spec, {
        stage,
        vpc: data.vpc,
        database: data.database,
        secrets: data.secrets,
        tables: data.tables,
        tableIndexes: data.tableIndexes,
        queues: this.queues,
        bus: data.bus,
        alertTopic: props.alarmTopic,
        settings: props.settings,
      });
      this.functions[spec.name] = fn;
      alarms.watchFunction(spec.name, fn.function);

      const trigger = spec.trigger;
      if (trigger.kind === 'schedule') {
        for (const s of trigger.schedules) {
          this.schedules[s.id] = new Schedule(this, s.id, {
            target: fn.function,
            expression: s.expression,
            description: `${spec.name}: ${s.expression}`,
            removalPolicy: stage.removalPolicy,
            ...(s.input === undefined ? {} : { input: s.input }),
            ...(s.retryAttempts === undefined ? {} : { retryAttempts: s.retryAttempts }),
            ...(s.maxEventAgeSeconds === undefined
              ? {}
              : { maxEventAge: Duration.seconds(s.maxEventAgeSeconds) }),
          });
        }
      } else if (trigger.kind === 'queue') {
        const queue = this.queues[trigger.queue];
        if (queue === undefined) throw new Error(`${spec.name}: queue ${trigger.queue} is not deployed`);
        queue.addConsumer(fn.function, {
          batchSize: trigger.batchSize,
          ...(trigger.maxBatchingWindowSeconds === undefined
            ? {}
            : { maxBatchingWindow: Duration.seconds(trigger.maxBatchingWindowSeconds) }),
          ...(trigger.maxConcurrency === undefined ? {} : { maxConcurrency: trigger.maxConcurrency }),
        });
      } else {
        throw new Error(`${spec.name}: trigger ${trigger.kind} does not belong in the pipeline stack`);
      }
    }
  }
}
