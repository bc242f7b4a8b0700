/**
 * Approval mode through the local pipeline: containment checks the credential, then waits — nothing
 * is revoked until `POST /incidents/{id}/approve`; the approval resumes containment to `contained`.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { redact } from '../../functions/domain/detection/redact.ts';
import { startPipeline, type RunningPipeline } from '../../functions/local/runtime.ts';
import { githubToken } from '../helpers/credentials.ts';
import { listIncidents, sandboxPush, waitFor } from '../helpers/pipeline.ts';

let pipeline: RunningPipeline;
const token = githubToken();

interface Detail {
  status: string;
  timeline: { type: string; actor: { kind: string; id: string } }[];
  approval?: { requestedAt: string; approvedAt?: string };
}
const detail = async (id: string) =>
  (await (await fetch(`${pipeline.url}/incidents/${id}`)).json()) as Detail;
const approve = (id: string) => fetch(`${pipeline.url}/incidents/${id}/approve`, { method: 'POST' });
const registered = async () =>
  (
    (await (await fetch(`${pipeline.url}/sandbox/credentials`)).json()) as {
      credentials: { preview: string; live: boolean; revocations: number }[];
    }
  ).credentials.find((c) => c.preview === redact(token));

beforeAll(async () => {
  pipeline = await startPipeline({
    port: 0,
    sandbox: true,
    inMemory: true,
    dataDir: '.leakstop/unused',
    mode: 'approval',
    dynamoEndpoint: inject('dynamoEndpoint'),
    sqsEndpoint: inject('sqsEndpoint'),
    resourcePrefix: `a${randomBytes(3).toString('hex')}-`,
    log: () => undefined,
  });
  await fetch(`${pipeline.url}/sandbox/credentials`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ value: token }),
  });
  await sandboxPush(pipeline.url, 'acme/tools', [
    { message: 'ci', files: { '.github/env': `TOKEN=${token}\n` } },
  ]);
}, 60_000);

afterAll(async () => {
  await pipeline?.stop();
});

describe('approval mode', () => {
  it('waits for POST /incidents/{id}/approve before revoking, then contains', async () => {
    const [incident] = await waitFor(async () => {
      const items = await listIncidents(pipeline.url);
      return items.length === 1 ? items : undefined;
    }, 'the incident');
    const id = incident!.id;
    const waiting = await waitFor(async () => {
      const d = await detail(id);
      return d.approval?.requestedAt ? d : undefined;
    }, 'the approval request');
    expect(waiting.status).toBe('containing');
    // Give a revocation that should not happen the time to happen.
    await new Promise((r) => setTimeout(r, 500));
    expect(await registered()).toMatchObject({ live: true, revocations: 0 });
    await waitFor(async () => {
      const messages = (await (await fetch(`${pipeline.url}/sandbox/slack/messages`)).json()) as {
        messages: { thread_ts?: string; blocks?: unknown }[];
      };
      return JSON.stringify(messages.messages.filter((m) => !m.thread_ts)).includes(
        'revocation awaits approval',
      )
        ? true
        : undefined;
    }, 'the card to show the pending approval');

    const approved = await approve(id);
    expect(approved.status).toBe(200);
    const contained = await waitFor(async () => {
      const d = await detail(id);
      return d.status === 'contained' ? d : undefined;
    }, 'containment after approval');
    const event = contained.timeline.find((e) => e.type === 'approved');
    expect(event?.actor).toEqual({ kind: 'api', id: 'local' });
    expect(await registered()).toMatchObject({ live: false, revocations: 1 });

    expect((await approve(id)).status).toBe(409);
  });

  it('answers 404 for an unknown incident', async () => {
    expect((await approve('inc_00000000000000000000')).status).toBe(404);
  });
});
