/**
 * sqsHandler reports failures per record, and per invocation: the local runtime runs several
 * invocations of one handler at once, and each must report exactly its own failed records, or a
 * failed record would be deleted from its queue (lost) and a good one redelivered.
 */
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { sqsHandler } from '../../../functions/handlers/common/sqs.ts';
import { lambdaContext } from '../../../functions/local/poller.ts';

function batch(prefix: string, bodies: string[]): SQSEvent {
  return {
    Records: bodies.map(
      (body, i) =>
        ({
          messageId: `${prefix}-${i}`,
          receiptHandle: `${prefix}-${i}`,
          body,
          attributes: { ApproximateReceiveCount: '1' },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
          awsRegion: 'us-east-1',
        }) as unknown as SQSRecord,
    ),
  };
}

describe('sqsHandler', () => {
  it('reports each concurrent invocation’s own failed records and no other', async () => {
    const handler = sqsHandler(async (record: SQSRecord) => {
      // Interleave the invocations: each record finishes after the given delay.
      const [outcome, delay] = record.body.split(':') as [string, string];
      await new Promise((r) => setTimeout(r, Number(delay)));
      if (outcome === 'fail') throw new Error('boom');
    });
    const context = () => lambdaContext('unit', 10) as Context;
    const [a, b, c] = await Promise.all([
      handler(batch('a', ['ok:30', 'fail:5', 'ok:1']), context()),
      handler(batch('b', ['ok:1', 'ok:20']), context()),
      handler(batch('c', ['fail:40', 'ok:2', 'fail:1']), context()),
    ]);
    const ids = (r: typeof a) => r.batchItemFailures.map((f) => f.itemIdentifier).sort();
    expect(ids(a)).toEqual(['a-1']);
    expect(ids(b)).toEqual([]);
    expect(ids(c)).toEqual(['c-0', 'c-2']);
  });
});
