/**
 * A GitHub outage, end to end through the real detect handler: the local poller hands it SQS
 * batches from the SQS server, GitHub (the stand-in, behind a test-side switch) answers 503, the
 * record fails, SQS redelivers it, and after maxReceiveCount it rests in the dead-letter queue —
 * nothing lost, nothing half-applied. Redriven after GitHub recovers, it opens the incident once.
 * The scan-jobs queue here has a 2-second visibility timeout and maxReceiveCount 2 (the stack's are
 * 360 s and 5) so the test takes seconds.
 */
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoIncidentStore } from '../../functions/adapters/dynamodb/incident-store.ts';
import { SqsQueue } from '../../functions/adapters/sqs/sqs-queue.ts';
import { createScanner } from '../../functions/domain/detection/index.ts';
import { planGitHubEvent } from '../../functions/domain/intake/github-events.ts';
import { incidentIdFor } from '../../functions/domain/incidents/incident.ts';
import type { ScanJob } from '../../functions/domain/jobs.ts';
import type { Vault } from '../../functions/domain/ports.ts';
import { LOCAL_AWS } from '../../functions/local/emulators.ts';
import { startPoller, type Poller, type SqsLambda } from '../../functions/local/poller.ts';
import { githubToken } from '../helpers/credentials.ts';
import { freshTable } from '../helpers/dynamo.ts';
import { serveGitHub, type ServedGitHub } from '../helpers/github.ts';
import { waitFor } from '../helpers/pipeline.ts';

const FINGERPRINT_KEY = 'outage-test-key';
let served: ServedGitHub;
let sqs: SQSClient;
let queueUrl: string;
let dlqUrl: string;
let incidents: DynamoIncidentStore;
let vault: Vault & { size: number };
let poller: Poller;

async function queue(name: string, attributes: Record<string, string> = {}) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return QueueUrl!;
}

beforeAll(async () => {
  served = await serveGitHub();
  sqs = new SQSClient({ ...LOCAL_AWS, endpoint: inject('sqsEndpoint') });
  const prefix = `outage-${randomBytes(3).toString('hex')}`;
  dlqUrl = await queue(`${prefix}-scan-jobs-dlq`);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
  );
  queueUrl = await queue(`${prefix}-scan-jobs`, {
    VisibilityTimeout: '2',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: 2 }),
  });
  const { client, tableName } = await freshTable();
  incidents = new DynamoIncidentStore(client, tableName);
  Object.assign(process.env, {
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
    AWS_ENDPOINT_URL_SQS: inject('sqsEndpoint'),
    TABLE_NAME: tableName,
    SCAN_JOBS_QUEUE_URL: queueUrl,
    CONTAINMENT_QUEUE_URL: await queue(`${prefix}-containment`),
    NOTIFICATIONS_QUEUE_URL: await queue(`${prefix}-notifications`),
    LEAKSTOP_VAULT: 'memory',
    LEAKSTOP_FINGERPRINT_KEY: FINGERPRINT_KEY,
    GITHUB_API_URL: served.apiUrl,
    GITHUB_APP_ID: String(served.github.app.id),
    GITHUB_APP_PRIVATE_KEY: served.github.app.privateKey,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  const { handler } = (await import('../../functions/handlers/detect.ts')) as { handler: SqsLambda };
  vault = (await import('../../functions/handlers/common/wiring.ts')).vault() as Vault & { size: number };
  poller = startPoller({
    sqs,
    queueUrl,
    queueArn: 'arn:aws:sqs:us-east-1:000000000000:scan-jobs',
    functionName: 'detect',
    handler,
    batchSize: 10,
    timeoutSeconds: 60,
    concurrency: 1,
    onError: () => undefined,
  });
});

afterAll(async () => {
  await poller?.stop();
  await served?.close();
});

async function peekDeadLetters() {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: dlqUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      VisibilityTimeout: 0,
    }),
  );
  // With VisibilityTimeout 0 the SQS server may hand the same message back twice in one batch.
  const unique = [...new Map((Messages ?? []).map((m) => [m.MessageId, m])).values()];
  return unique.length ? unique : undefined;
}

describe('a spent GitHub rate limit while scanning a push', () => {
  it('puts the job back until the limit resets, spending no receives, then opens the incident once', async () => {
    const token = githubToken();
    const pushed = await served.control<{ delivery: { id: string; body: string } }>(
      'POST',
      '/repos/acme/ratelimit/pushes',
      {
        ref: 'refs/heads/main',
        commits: [{ message: 'ci', files: { 'ci/env.sh': `export GH_TOKEN=${token}\n` } }],
      },
    );
    const plan = planGitHubEvent('push', JSON.parse(pushed.delivery.body), pushed.delivery.id);
    if (plan.outcome !== 'scan') throw new Error('nothing planned');

    // GitHub's secondary rate limit: 403 with retry-after. Three answers in a row would have spent
    // the queue's two receives and parked the job in the DLQ; deferred, they cost none.
    served.outage(403, /\/repos\/acme\/ratelimit\/commits\//, { 'retry-after': '1' });
    await new SqsQueue<ScanJob>(queueUrl, sqs).send(plan.jobs);
    await waitFor(
      async () => (served.outageHits() >= 3 ? true : undefined),
      'three rate-limited reads',
      30_000,
    );
    served.outage(undefined);

    const fingerprint = createScanner({ fingerprintKey: FINGERPRINT_KEY }).scanText(
      `GH_TOKEN=${token}`,
      'x',
    )[0]!.fingerprint;
    const id = incidentIdFor(fingerprint);
    const incident = await waitFor(
      async () => incidents.get(id),
      'the incident once the limit reset',
      30_000,
    );
    expect(incident.exposureCount).toBe(1);
    expect((await incidents.timeline(id)).filter((e) => e.type === 'detected')).toHaveLength(1);
    expect(await peekDeadLetters()).toBeUndefined();
  });
});

describe('a GitHub outage while scanning a push', () => {
  it('retries the job, parks it in the dead-letter queue with nothing recorded, and redriven it opens the incident once', async () => {
    const vaultedBefore = vault.size;
    const token = githubToken();
    const pushed = await served.control<{ delivery: { id: string; body: string } }>(
      'POST',
      '/repos/acme/outage/pushes',
      {
        ref: 'refs/heads/main',
        commits: [{ message: 'ci', files: { 'ci/env.sh': `export GH_TOKEN=${token}\n` } }],
      },
    );
    const plan = planGitHubEvent('push', JSON.parse(pushed.delivery.body), pushed.delivery.id);
    if (plan.outcome !== 'scan') throw new Error('nothing planned');

    served.outage(503, /\/repos\/acme\/outage\/commits\//);
    await new SqsQueue<ScanJob>(queueUrl, sqs).send(plan.jobs);
    const dead = await waitFor(peekDeadLetters, 'the scan job in the dead-letter queue', 20_000);
    const reads = served.github.requests().filter((r) => r.path.includes('/repos/acme/outage/commits/'));
    expect(reads.length).toBe(0); // the switch answered; the stand-in never saw them
    expect(served.outageHits()).toBe(2); // one attempt per receive, maxReceiveCount 2
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0]!.Body!)).toMatchObject({ kind: 'push', deliveryId: pushed.delivery.id });

    const fingerprint = createScanner({ fingerprintKey: FINGERPRINT_KEY }).scanText(
      `GH_TOKEN=${token}`,
      'x',
    )[0]!.fingerprint;
    const id = incidentIdFor(fingerprint);
    expect(await incidents.get(id)).toBeUndefined();
    expect(vault.size).toBe(vaultedBefore);

    // GitHub is back; the operator redrives the dead-letter queue (start-message-move-task does this).
    served.outage(undefined);
    const [message] = dead;
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: message!.Body! }));
    await sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message!.ReceiptHandle! }));
    const incident = await waitFor(async () => incidents.get(id), 'the incident after the redrive', 20_000);
    expect(incident.exposureCount).toBe(1);
    expect((await incidents.timeline(id)).filter((e) => e.type === 'detected')).toHaveLength(1);
  });
});
