/**
 * The scheduled sweep through the local pipeline, as an operator who opted in runs it
 * (LEAKSTOP_AWS_KEY_DELETE_AFTER=1s): a pushed, live AWS key pair is contained, then the sweep
 * function (hourly in AWS, run here on demand) deletes the inactive key in the sandbox's IAM and the
 * incident's API view says so.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { redact } from '../../functions/domain/detection/redact.ts';
import { ENV } from '../../functions/shared/resources.ts';
import { startPipeline, type RunningPipeline } from '../../functions/local/runtime.ts';
import { awsKeyPair } from '../helpers/credentials.ts';
import { listIncidents, sandboxPush, waitFor } from '../helpers/pipeline.ts';

let pipeline: RunningPipeline;
const aws = awsKeyPair();

beforeAll(async () => {
  process.env[ENV.awsKeyDeleteAfter] = '1s';
  pipeline = await startPipeline({
    port: 0,
    sandbox: true,
    inMemory: true,
    dataDir: '.',
    mode: 'enforce',
    dynamoEndpoint: inject('dynamoEndpoint'),
    sqsEndpoint: inject('sqsEndpoint'),
    resourcePrefix: `k${randomBytes(3).toString('hex')}-`,
    log: () => undefined,
  });
});
afterAll(async () => {
  delete process.env[ENV.awsKeyDeleteAfter];
  await pipeline?.stop();
});

interface CredentialView {
  preview: string;
  live: boolean;
  revocations: number;
  deleted?: boolean;
}
const credential = async () =>
  (
    (await (await fetch(`${pipeline.url}/sandbox/credentials`)).json()) as { credentials: CredentialView[] }
  ).credentials.find((c) => c.preview === redact(aws.accessKeyId));

describe('the key-deletion sweep in the local pipeline', () => {
  it('deletes a contained key once its grace period is over and shows it on the incident', async () => {
    const registered = await fetch(`${pipeline.url}/sandbox/credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: aws.accessKeyId, secret: aws.secretAccessKey }),
    });
    expect(registered.status).toBe(201);
    await sandboxPush(pipeline.url, 'acme/keys', [
      {
        message: 'settings',
        files: {
          'settings.env': `AWS_ACCESS_KEY_ID=${aws.accessKeyId}\nAWS_SECRET_ACCESS_KEY=${aws.secretAccessKey}\n`,
        },
      },
    ]);
    const [incident] = await waitFor(async () => {
      const items = await listIncidents(pipeline.url);
      return items.length === 1 && items[0]?.status === 'contained' ? items : undefined;
    }, 'the key to be contained');
    expect(await credential()).toMatchObject({ live: false, revocations: 1 });
    expect((await credential())?.deleted).toBeUndefined();

    await new Promise((r) => setTimeout(r, 1100));
    expect(await pipeline.sweep()).toMatchObject({ deleted: 1, failed: 0 });
    expect(await credential()).toMatchObject({ deleted: true, revocations: 1 });
    const detail = (await (await fetch(`${pipeline.url}/incidents/${incident!.id}`)).json()) as {
      keyDeletion?: { outcome: string };
      timeline: { type: string }[];
    };
    expect(detail.keyDeletion).toMatchObject({ outcome: 'deleted' });
    expect(detail.timeline.map((e) => e.type)).toContain('key_deleted');
    expect(JSON.stringify(detail)).not.toContain(aws.accessKeyId);
  });
});
