/**
 * SqsQueue's group commit: concurrent sends share SendMessageBatch requests, and each caller
 * still learns exactly whether its own messages were accepted.
 */
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { QueueSendFailed, SqsQueue } from '../../../functions/adapters/sqs/sqs-queue.ts';

const sqs = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const mock = mockClient(sqs);
const URL = 'https://sqs.us-east-1.amazonaws.com/000000000000/leakstop-notifications';

const inputs = (): SendMessageBatchCommandInput[] =>
  mock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);

describe('SqsQueue', () => {
  beforeEach(() => {
    mock.reset();
    mock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  });

  it('sends what concurrent callers enqueue in the same tick as one SendMessageBatch', async () => {
    const queue = new SqsQueue<{ incidentId: string }>(URL, sqs);
    await Promise.all([
      queue.send([{ incidentId: 'a' }]),
      queue.send([{ incidentId: 'b' }], { delaySeconds: 30 }),
      queue.send([{ incidentId: 'c' }]),
    ]);
    expect(inputs()).toHaveLength(1);
    expect(inputs()[0]?.Entries?.map((e) => [e.MessageBody, e.DelaySeconds])).toEqual([
      ['{"incidentId":"a"}', undefined],
      ['{"incidentId":"b"}', 30],
      ['{"incidentId":"c"}', undefined],
    ]);
    expect(new Set(inputs()[0]?.Entries?.map((e) => e.Id)).size).toBe(3);
  });

  it('splits more than ten messages into requests of at most ten', async () => {
    const queue = new SqsQueue<number>(URL, sqs);
    await Promise.all([
      queue.send(Array.from({ length: 14 }, (_, i) => i)),
      queue.send([14, 15, 16, 17, 18, 19, 20]),
    ]);
    expect(inputs().map((i) => i.Entries?.length)).toEqual([10, 10, 1]);
    expect(inputs().flatMap((i) => i.Entries?.map((e) => Number(e.MessageBody)) ?? [])).toEqual(
      Array.from({ length: 21 }, (_, i) => i),
    );
  });

  it('rejects only the caller whose entry SQS refused', async () => {
    mock.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '0', MessageId: 'm0', MD5OfMessageBody: '' }],
      Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false, Message: 'try again' }],
    });
    const queue = new SqsQueue<string>(URL, sqs);
    const [first, second] = await Promise.allSettled([queue.send(['kept']), queue.send(['refused'])]);
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    const reason = (second as PromiseRejectedResult).reason as Error;
    expect(reason).toBeInstanceOf(QueueSendFailed);
    expect(reason.message).toContain('InternalError: try again');
  });

  it('rejects every caller of a request that failed, with the error the SDK threw', async () => {
    const outage = Object.assign(new Error('queue does not exist'), { name: 'QueueDoesNotExist' });
    mock.on(SendMessageBatchCommand).rejects(outage);
    const queue = new SqsQueue<string>(URL, sqs);
    const results = await Promise.allSettled([queue.send(['a']), queue.send(['b'])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(results.map((r) => ((r as PromiseRejectedResult).reason as Error).name)).toEqual([
      'QueueDoesNotExist',
      'QueueDoesNotExist',
    ]);
  });

  it('sends nothing for an empty list', async () => {
    await new SqsQueue<string>(URL, sqs).send([]);
    expect(inputs()).toHaveLength(0);
  });
});
