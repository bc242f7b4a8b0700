/** Queue<T> on SQS: JSON bodies, SendMessageBatch in groups of 10, every failed entry surfaced. */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Queue } from '../../domain/ports.ts';

let client: SQSClient | undefined;

/** One client per execution environment. Honours AWS_ENDPOINT_URL_SQS. */
export function sqsClient(): SQSClient {
  client ??= new SQSClient({});
  return client;
}

export class QueueSendFailed extends Error {
  constructor(queueUrl: string, failures: string) {
    super(`could not enqueue to ${queueUrl}: ${failures}`);
    this.name = 'QueueSendFailed';
  }
}

export class SqsQueue<T> implements Queue<T> {
  constructor(
    private readonly queueUrl: string,
    private readonly sqs: SQSClient = sqsClient(),
  ) {}

  async send(messages: readonly T[], options: { readonly delaySeconds?: number } = {}): Promise<void> {
    const delay =
      options.delaySeconds === undefined
        ? {}
        : { DelaySeconds: Math.max(0, Math.min(900, Math.ceil(options.delaySeconds))) };
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      const result = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map((message, j) => ({
            Id: String(j),
            MessageBody: JSON.stringify(message),
            ...delay,
          })),
        }),
      );
      if (result.Failed?.length) {
        throw new QueueSendFailed(
          this.queueUrl,
          result.Failed.map((f) => `${f.Code ?? 'error'}: ${f.Message ?? ''}`).join('; '),
        );
      }
    }
  }
}
