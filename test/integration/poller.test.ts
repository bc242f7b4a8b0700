/**
 * The local event source mapping against the real SQS server: partial batch failures are
 * honoured, failed records come back after the visibility timeout, and after maxReceiveCount they
 * rest in the dead-letter queue — nothing is lost and nothing loops forever.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { LOCAL_AWS } from '../../functions/local/emulators.ts';
import { PriorityGate, startPoller } from '../../functions/local/poller.ts';
import { waitFor } from '../helpers/pipeline.ts';

describe('the local SQS poller', () => {
  it('deletes succeeded records, redelivers failed ones and moves them to the DLQ after maxReceiveCount', async () => {
    const sqs = new SQSClient({ ...LOCAL_AWS, endpoint: inject('sqsEndpoint') });
    const name = `poller-${randomBytes(3).toString('hex')}`;
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const main = await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        // Longer than the poller's 1 s long poll: local-aws-sqs re-collects a message whose timeout lapses mid-poll.
        Attributes: {
          VisibilityTimeout: '2',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: 2 }),
        },
      }),
    );
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: main.QueueUrl,
        Entries: [
          { Id: 'good', MessageBody: '{"ok":true}' },
          { Id: 'bad', MessageBody: '{"ok":false}' },
        ],
      }),
    );
    const seen: { body: string; receiveCount: string }[] = [];
    const poller = startPoller({
      sqs,
      queueUrl: main.QueueUrl ?? '',
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:test',
      functionName: 'test',
      batchSize: 10,
      timeoutSeconds: 5,
      concurrency: 1,
      onError: () => undefined,
      handler: async (event: SQSEvent) => {
        for (const r of event.Records)
          seen.push({ body: r.body, receiveCount: r.attributes.ApproximateReceiveCount });
        return {
          batchItemFailures: event.Records.filter((r) => r.body.includes('false')).map((r) => ({
            itemIdentifier: r.messageId,
          })),
        };
      },
    });
    const dead = await waitFor(
      async () => {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, WaitTimeSeconds: 0, VisibilityTimeout: 0 }),
        );
        return Messages?.length ? Messages : undefined;
      },
      'the failed record in the DLQ',
      15_000,
    );
    await poller.stop();

    expect(dead.map((m) => m.Body)).toEqual(['{"ok":false}']);
    expect(seen.filter((s) => s.body.includes('true'))).toHaveLength(1);
    expect(seen.filter((s) => s.body.includes('false')).map((s) => s.receiveCount)).toEqual(['1', '2']);
  });

  it('holds deferred consumers (Slack cards, tracing) while a containment batch runs, then serves them', async () => {
    const sqs = new SQSClient({ ...LOCAL_AWS, endpoint: inject('sqsEndpoint') });
    const name = `gate-${randomBytes(3).toString('hex')}`;
    const critical = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-critical` }));
    const deferred = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-deferred` }));
    const gate = new PriorityGate();
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => (release = r));
    const events: string[] = [];
    const common = {
      sqs,
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:test',
      batchSize: 10,
      timeoutSeconds: 5,
      concurrency: 1,
      onError: () => undefined,
    };
    const pollers = [
      startPoller({
        ...common,
        queueUrl: critical.QueueUrl ?? '',
        functionName: 'contain',
        gate: { gate, role: 'critical' },
        handler: async () => {
          events.push('critical started');
          await released;
          events.push('critical done');
        },
      }),
      startPoller({
        ...common,
        queueUrl: deferred.QueueUrl ?? '',
        functionName: 'notify',
        gate: { gate, role: 'deferred' },
        handler: async () => {
          events.push('deferred ran');
        },
      }),
    ];
    const send = (url: string | undefined) =>
      sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: '1', MessageBody: '{}' }] }));
    await send(critical.QueueUrl);
    await waitFor(async () => events.includes('critical started') || undefined, 'the critical batch', 5000);
    await send(deferred.QueueUrl);
    // The deferred poller's long poll would have returned the message within a second.
    await new Promise((r) => setTimeout(r, 2500));
    expect(events).toEqual(['critical started']);
    release();
    await waitFor(async () => events.includes('deferred ran') || undefined, 'the deferred batch', 5000);
    await Promise.all(pollers.map((p) => p.stop()));
    expect(events).toEqual(['critical started', 'critical done', 'deferred ran']);
  });
});

describe('the priority gate', () => {
  it('opens at once when no critical work runs, and after the wait bound when critical work never ends', async () => {
    const gate = new PriorityGate();
    await gate.open(10_000);
    void gate.critical(() => new Promise(() => undefined));
    const started = Date.now();
    await gate.open(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });
});
