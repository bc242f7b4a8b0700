/**
 * Hands real SQSEvent batches to a Lambda handler, as Lambda's event source mapping does: long
 * polls, builds records with their attributes, deletes only what succeeded (honouring
 * `batchItemFailures`); failed records reappear after the visibility timeout and, past
 * maxReceiveCount, the queue's redrive policy moves them to the dead-letter queue.
 *
 * Latency as in Lambda: SQS long polling answers as soon as one message is there, and a mapping
 * without a batching window invokes at once with what that receive returned (up to the batch
 * size). The local SQS server instead holds a long poll until it has the full batch or the wait
 * ends, so a lone message would sit out the whole wait. The poller therefore waits for the first
 * message (a long poll for one), then takes what else is visible right then (a short poll for the
 * rest of the batch) — the batch Lambda would have received.
 */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';

export type SqsLambda = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

/**
 * Containment first, on one machine. In AWS every function scales on its own, so Slack cards and
 * tracing never slow a revocation; locally all consumers share one Node thread and one DynamoDB
 * Local. Consumers on the critical path (`critical`) hold the gate while they run a batch; the
 * others (`deferred`) wait for it to open before they receive, so a burst of leaks is revoked
 * and verified first and its cards and usage lookups follow.
 */
export class PriorityGate {
  private running = 0;
  private readonly waiters = new Set<() => void>();

  /** Runs `work` as critical work: deferred consumers wait until no critical batch runs. */
  async critical<T>(work: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      if (this.running === 0) {
        for (const wake of this.waiters) wake();
        this.waiters.clear();
      }
    }
  }

  /**
   * Resolves once no critical batch runs, or after `maxWaitMs` at the latest: a steady stream of
   * leaks delays Slack cards and tracing, it never starves them.
   */
  async open(maxWaitMs = 5_000): Promise<void> {
    if (this.running === 0) return;
    await new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, maxWaitMs);
      this.waiters.add(wake);
    });
  }
}

export interface PollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly functionName: string;
  readonly handler: SqsLambda;
  readonly batchSize: number;
  readonly timeoutSeconds: number;
  /**
   * Concurrent batches, like Lambda's concurrent executions for one mapping. An SQS mapping starts
   * with five and adds up to 300 a minute while a backlog lasts; the local runtime stays at its
   * start: on one laptop more concurrency only slows every batch down (measured: bench:contain).
   */
  readonly concurrency: number;
  readonly onError: (message: string) => void;
  /** Critical consumers hold the gate while a batch runs; deferred ones wait for it before receiving. */
  readonly gate?: { readonly gate: PriorityGate; readonly role: 'critical' | 'deferred' };
}

export function lambdaContext(functionName: string, timeoutSeconds: number): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function toRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

export interface Poller {
  stop(): Promise<void>;
}

export function startPoller(options: PollerOptions): Poller {
  let running = true;
  const receive = async (max: number, waitSeconds: number): Promise<Message[]> => {
    const received = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        // local-aws-sqs reads AttributeNames, not MessageSystemAttributeNames (see toolchain.md).
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    return received.Messages ?? [];
  };
  const loop = async () => {
    while (running) {
      if (options.gate?.role === 'deferred') await options.gate.gate.open();
      let messages: Message[] = [];
      try {
        messages = await receive(1, 1);
        if (messages.length > 0 && options.batchSize > 1)
          messages = [...messages, ...(await receive(options.batchSize - 1, 0))];
      } catch (error) {
        if (!running) return;
        options.onError(`receive from ${options.functionName} queue failed: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (messages.length === 0) continue;
      // A long poll that began before a critical batch started waits here too (its messages stay
      // invisible meanwhile: the gate's bound is far below any visibility timeout).
      if (options.gate?.role === 'deferred') await options.gate.gate.open();
      const event: SQSEvent = { Records: messages.map((m) => toRecord(m, options.queueArn)) };
      let failed = new Set<string>();
      try {
        const invoke = () =>
          options.handler(event, lambdaContext(options.functionName, options.timeoutSeconds));
        const response =
          options.gate?.role === 'critical' ? await options.gate.gate.critical(invoke) : await invoke();
        failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch (error) {
        // A thrown handler returns the whole batch, as Lambda does.
        options.onError(`${options.functionName} failed a whole batch: ${(error as Error).message}`);
        failed = new Set(event.Records.map((r) => r.messageId));
      }
      const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
      if (done.length) {
        await options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
          }),
        );
      }
    }
  };
  const loops = Array.from({ length: options.concurrency }, () => loop());
  return {
    async stop() {
      running = false;
      await Promise.allSettled(loops);
    },
  };
}
