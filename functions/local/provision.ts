/**
 * Creates the local table and queues from the same definitions the CDK stack deploys
 * (functions/shared/resources.ts): keys, indexes, TTL, visibility timeouts, redrive to DLQs.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  DEAD_LETTER_RETENTION_DAYS,
  deadLetterQueueName,
  QUEUES,
  TABLE,
  type QueueDefinition,
  type QueueKey,
} from '../shared/resources.ts';

export interface LocalQueue {
  readonly definition: QueueDefinition;
  readonly url: string;
  readonly arn: string;
  readonly deadLetterUrl: string;
  readonly deadLetterArn: string;
}

export async function provisionTable(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  const keyAttributes = new Set<string>([TABLE.partitionKey, TABLE.sortKey]);
  for (const index of TABLE.indexes) {
    keyAttributes.add(index.partitionKey);
    keyAttributes.add(index.sortKey);
  }
  try {
    await dynamo.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...keyAttributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: TABLE.indexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
    await dynamo.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE.timeToLiveAttribute, Enabled: true },
      }),
    );
  } catch (error) {
    // A table kept in the data folder from an earlier run is reused as it is.
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
  }
  await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
}

async function createQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`the SQS server returned no URL for ${name}`);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  if (!Attributes?.QueueArn) throw new Error(`the SQS server returned no ARN for ${name}`);
  return { url: QueueUrl, arn: Attributes.QueueArn };
}

export async function provisionQueues(sqs: SQSClient, prefix = ''): Promise<Record<QueueKey, LocalQueue>> {
  const entries = await Promise.all(
    (Object.entries(QUEUES) as [QueueKey, QueueDefinition][]).map(async ([key, definition]) => {
      const dlq = await createQueue(sqs, prefix + deadLetterQueueName(definition), {
        MessageRetentionPeriod: String(DEAD_LETTER_RETENTION_DAYS * 24 * 3600),
      });
      const main = await createQueue(sqs, prefix + definition.name, {
        VisibilityTimeout: String(definition.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlq.arn,
          maxReceiveCount: definition.maxReceiveCount,
        }),
      });
      return [
        key,
        { definition, url: main.url, arn: main.arn, deadLetterUrl: dlq.url, deadLetterArn: dlq.arn },
      ] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<QueueKey, LocalQueue>;
}
