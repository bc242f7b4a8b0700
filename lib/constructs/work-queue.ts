import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  DEAD_LETTER_RETENTION_DAYS,
  deadLetterQueueName,
  type QueueDefinition,
} from '../../functions/shared/resources.ts';

export interface WorkQueueProps {
  /** The queue's entry in `QUEUES` (resources.ts): visibility timeout, receive count. */
  readonly definition: QueueDefinition;
  /** Where both alarms send ALARM and OK notifications. */
  readonly alarmTopic: ITopic;
  /**
   * Age of the oldest message above which the queue counts as stuck.
   * @default Duration.minutes(15)
   */
  readonly maxMessageAge?: Duration;
}

/**
 * A work queue with its dead-letter queue, both encrypted and TLS-only, and two alarms: any message
 * in the dead-letter queue, and a main queue whose oldest message waits too long.
 */
export class WorkQueue extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly deadLetterAlarm: Alarm;
  public readonly messageAgeAlarm: Alarm;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    const { definition, alarmTopic } = props;
    const maxMessageAge = props.maxMessageAge ?? Duration.minutes(15);

    // Queue bodies carry fingerprints and redacted previews only (never a credential), so
    // SQS-managed SSE is enough and spares every producer and consumer a KMS grant.
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(DEAD_LETTER_RETENTION_DAYS),
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
    });

    const action = new SnsAction(alarmTopic);
    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        `${deadLetterQueueName(definition)} (dead-letter queue of ${definition.name}): a message failed ` +
        `${definition.maxReceiveCount} receives and was parked. ` +
        'Fix the cause, then redrive with `aws sqs start-message-move-task --source-arn <dlq-arn>`.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.messageAgeAlarm = new Alarm(this, 'MessageAgeAlarm', {
      alarmDescription:
        `${definition.name}: the oldest message has waited more than ${maxMessageAge.toMinutes()} minutes; ` +
        'its consumer is failing, throttled or missing.',
      metric: this.queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: maxMessageAge.toSeconds(),
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.deadLetterAlarm, this.messageAgeAlarm]) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }
}
