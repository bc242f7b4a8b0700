/**
 * Queue<T> on SQS: JSON bodies, SendMessageBatch in groups of 10, every failed entry surfaced.
 *
 * Sends from concurrent callers coalesce: what is sent to one queue within the same turn of the
 * event loop goes out in shared SendMessageBatch requests (group commit). A batch of records
 * handled in parallel moves each incident through several steps, and each step notifies; without
 * this, every notice was its own request. Each caller still waits until its own messages are
 * accepted and sees the failure of any of them.
 */
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { Queue } from '../../domain/ports.ts';
import { withoutSdkLogging } from '../aws/sdk-logging.ts';

let client: SQSClient | undefined;

/** One client per execution environment. Honours AWS_ENDPOINT_URL_SQS. */
export function sqsClient(): SQSClient {
  // Its middleware never changes: each command's stack is resolved once, not on every send.
  client ??= withoutSdkLogging(new SQSClient({ cacheMiddleware: true }));
  return client;
}

export class QueueSendFailed extends Error {
  constructor(queueUrl: string, failures: string) {
    super(`could not enqueue to ${queueUrl}: ${failures}`);
    this.name = 'QueueSendFailed';
  }
}

/** One caller's send: its entries, and how many of them are still unanswered. */
interface PendingSend {
  readonly entries: ReadonlyArray<Omit<SendMessageBatchRequestEntry, 'Id'>>;
  unanswered: number;
  readonly failures: string[];
  /** The first error a request of this send threw (rethrown as is: callers may tell errors apart). */
  thrown?: unknown;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

const MAX_BATCH = 10;

export class SqsQueue<T> implements Queue<T> {
  private pending: PendingSend[] = [];
  private flushScheduled = false;

  constructor(
    private readonly queueUrl: string,
    private readonly sqs: SQSClient = sqsClient(),
  ) {}

  send(messages: readonly T[], options: { readonly delaySeconds?: number } = {}): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    const delay =
      options.delaySeconds === undefined
        ? {}
        : { DelaySeconds: Math.max(0, Math.min(900, Math.ceil(options.delaySeconds))) };
    return new Promise<void>((resolve, reject) => {
      this.pending.push({
        entries: messages.map((message) => ({ MessageBody: JSON.stringify(message), ...delay })),
        unanswered: messages.length,
        failures: [],
        resolve,
        reject,
      });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const sends = this.pending;
    this.pending = [];
    this.flushScheduled = false;
    const slots = sends.flatMap((send) => send.entries.map((entry) => ({ send, entry })));
    const settle = (send: PendingSend, failure?: string): void => {
      if (failure) send.failures.push(failure);
      if (--send.unanswered > 0) return;
      if (send.thrown !== undefined) send.reject(send.thrown as Error);
      else if (send.failures.length)
        send.reject(new QueueSendFailed(this.queueUrl, send.failures.join('; ')));
      else send.resolve();
    };
    const requests: Promise<void>[] = [];
    for (let i = 0; i < slots.length; i += MAX_BATCH) {
      const chunk = slots.slice(i, i + MAX_BATCH);
      requests.push(
        this.sqs
          .send(
            new SendMessageBatchCommand({
              QueueUrl: this.queueUrl,
              Entries: chunk.map(({ entry }, j) => ({ ...entry, Id: String(j) })),
            }),
          )
          .then(
            (result) => {
              const failed = new Map((result.Failed ?? []).map((f) => [f.Id, f]));
              chunk.forEach(({ send }, j) => {
                const f = failed.get(String(j));
                settle(send, f ? `${f.Code ?? 'error'}: ${f.Message ?? ''}` : undefined);
              });
            },
            (error: unknown) => {
              for (const { send } of chunk) {
                send.thrown ??= error;
                settle(send);
              }
            },
          ),
      );
    }
    await Promise.all(requests);
  }
}
