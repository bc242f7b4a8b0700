/**
 * Approval mode through the local pipeline: containment checks the credential, then waits — nothing
 * is revoked until `POST /incidents/{id}/approve` or the Approve button on the Slack card; the
 * approval resumes containment to `contained`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { redact } from '../../functions/domain/detection/redact.ts';
import { LOCAL_DEFAULTS, startPipeline, type RunningPipeline } from '../../functions/local/runtime.ts';
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

const registeredOf = async (value: string) =>
  (
    (await (await fetch(`${pipeline.url}/sandbox/credentials`)).json()) as {
      credentials: { preview: string; live: boolean; revocations: number }[];
    }
  ).credentials.find((c) => c.preview === redact(value));
const register = (value: string) =>
  fetch(`${pipeline.url}/sandbox/credentials`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ value }),
  });
/** The incident's card (a top-level message naming it) as the Slack stand-in holds it now. */
const cardOf = async (id: string) =>
  (
    (await (await fetch(`${pipeline.url}/sandbox/slack/messages`)).json()) as {
      messages: { thread_ts?: string; text?: string; blocks?: unknown }[];
    }
  ).messages.find((m) => !m.thread_ts && m.text?.includes(id));
/** A button click as Slack sends it: a form-encoded block_actions payload, signed with the signing secret. */
function click(id: string, { signed = true } = {}) {
  const body = new URLSearchParams({
    payload: JSON.stringify({
      type: 'block_actions',
      user: { id: 'U0SECLEAD', username: 'ana' },
      actions: [{ action_id: 'incident.approve', value: id }],
    }),
  }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', LOCAL_DEFAULTS.SLACK_SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return fetch(`${pipeline.url}/slack/interactions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      ...(signed ? { 'x-slack-signature': signature } : {}),
    },
    body,
  });
}

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

  it('approves from the Slack card: the Approve button, as Slack sends a click, resumes containment', async () => {
    const second = githubToken();
    await register(second);
    await sandboxPush(pipeline.url, 'acme/bot', [
      { message: 'bot', files: { 'bot/.env': `GH=${second}\n` } },
    ]);
    const id = await waitFor(
      async () => (await listIncidents(pipeline.url)).find((i) => i.exposures[0]?.repo === 'acme/bot')?.id,
      'the second incident',
    );
    const approveButton = async () =>
      JSON.stringify((await cardOf(id))?.blocks ?? []).includes(
        `"action_id":"incident.approve","value":"${id}"`,
      );
    await waitFor(async () => ((await approveButton()) ? true : undefined), 'the Approve button on the card');
    expect(await registeredOf(second)).toMatchObject({ live: true, revocations: 0 });

    expect((await click(id, { signed: false })).status).toBe(401);
    const answer = await click(id);
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { text: string }).text).toBe(`Approved the revocation: ${id}.`);
    const contained = await waitFor(async () => {
      const d = await detail(id);
      return d.status === 'contained' ? d : undefined;
    }, 'containment after the click');
    expect(contained.timeline.find((e) => e.type === 'approved')?.actor).toEqual({
      kind: 'slack_user',
      id: 'U0SECLEAD',
      name: 'ana',
    });
    expect(await registeredOf(second)).toMatchObject({ live: false, revocations: 1 });
    expect(((await (await click(id)).json()) as { text: string }).text).toBe(
      'Nothing changed: already approved by ana.',
    );
    await waitFor(async () => ((await approveButton()) ? undefined : true), 'the button to leave the card');
    expect(JSON.stringify((await cardOf(id))?.blocks)).toMatch(/\*Revocation approved\*\\nby ana at 20/);
  });

  it('answers 404 for an unknown incident', async () => {
    expect((await approve('inc_00000000000000000000')).status).toBe(404);
  });
});
