/**
 * The whole pipeline in one process, on the run's DynamoDB Local and SQS server, with the GitHub and
 * Slack stand-ins: signed push → ingest → scan-jobs → detect → incidents → containment (dry-run) →
 * Slack card. Every handler is the real one.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startPipeline, type RunningPipeline } from '../../functions/local/runtime.ts';
import { awsKeyPair, githubToken } from '../helpers/credentials.ts';
import { deliver, listIncidents, sandboxPush, waitFor, type Delivery } from '../helpers/pipeline.ts';

let pipeline: RunningPipeline;
let dataDir: string;
const output: string[] = [];
const aws = awsKeyPair();
const token = githubToken();
let delivery: Delivery;

async function incidentDetail(id: string) {
  return (await (await fetch(`${pipeline.url}/incidents/${id}`)).json()) as {
    status: string;
    timeline: { type: string; detail: string; to?: string }[];
    exposures: unknown[];
    slack?: { ts: string };
    escalated?: { reason: string };
  };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'leakstop-data-'));
  pipeline = await startPipeline({
    port: 0,
    sandbox: true,
    inMemory: false,
    dataDir,
    mode: 'dry-run',
    dynamoEndpoint: inject('dynamoEndpoint'),
    sqsEndpoint: inject('sqsEndpoint'),
    resourcePrefix: `p${randomBytes(3).toString('hex')}-`,
    log: (line) => output.push(line),
  });
  delivery = await sandboxPush(pipeline.url, 'acme/payments', [
    {
      message: 'Add deploy settings',
      files: {
        'deploy/settings.env': `AWS_ACCESS_KEY_ID=${aws.accessKeyId}\nAWS_SECRET_ACCESS_KEY=${aws.secretAccessKey}\n`,
      },
    },
    {
      message: 'Add release script',
      files: { 'scripts/release.sh': `#!/bin/sh\nexport GITHUB_TOKEN=${token}\ngh release create "$1"\n` },
    },
  ]);
  await waitFor(
    async () => ((await listIncidents(pipeline.url)).length === 2 ? true : undefined),
    'two incidents',
  );
}, 60_000);

afterAll(async () => {
  await pipeline?.stop();
});

describe('the local pipeline, end to end', () => {
  it('opens one incident per pushed credential, with its exposure', async () => {
    const incidents = await listIncidents(pipeline.url);
    expect(incidents).toHaveLength(2);
    const byPath = Object.fromEntries(incidents.map((i) => [i.exposures[0]?.path, i]));
    expect(byPath['deploy/settings.env']?.exposures[0]).toMatchObject({ repo: 'acme/payments', line: 1 });
    expect(byPath['scripts/release.sh']?.exposures[0]).toMatchObject({ repo: 'acme/payments', line: 2 });
    for (const incident of incidents) expect(incident.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores the same delivery sent twice more: still two incidents, no new timeline events', async () => {
    const before = await listIncidents(pipeline.url);
    const eventsBefore = await Promise.all(
      before.map(async (i) => (await incidentDetail(i.id)).timeline.length),
    );
    for (let i = 0; i < 2; i += 1) {
      const response = await deliver(pipeline.url, delivery);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ duplicate: true });
    }
    await new Promise((r) => setTimeout(r, 1500));
    const after = await listIncidents(pipeline.url);
    expect(after.map((i) => i.id).sort()).toEqual(before.map((i) => i.id).sort());
    const eventsAfter = await Promise.all(
      before.map(async (i) => (await incidentDetail(i.id)).timeline.length),
    );
    // Containment may still be appending its own events; none may be a second detection.
    for (const [i, incident] of before.entries()) {
      const detail = await incidentDetail(incident.id);
      expect(detail.timeline.filter((e) => e.type === 'detected')).toHaveLength(1);
      expect(eventsAfter[i]).toBeGreaterThanOrEqual(eventsBefore[i] ?? 0);
    }
  });

  it('answers 401 to unsigned, wrongly signed and malformed signatures, and changes nothing', async () => {
    const before = JSON.stringify(await listIncidents(pipeline.url));
    const fresh = { ...delivery, id: `fresh-${randomBytes(4).toString('hex')}` };
    const wrong = `sha256=${'0'.repeat(64)}`;
    for (const signature of [undefined, wrong, 'sha1=abc', 'sha256=zz']) {
      const response = await deliver(pipeline.url, fresh, { 'x-hub-signature-256': signature });
      expect(response.status).toBe(401);
    }
    // Signed with another secret: a valid-looking signature that does not match.
    const { createHmac } = await import('node:crypto');
    const forged = `sha256=${createHmac('sha256', 'not-the-secret').update(fresh.body).digest('hex')}`;
    expect((await deliver(pipeline.url, fresh, { 'x-hub-signature-256': forged })).status).toBe(401);
    // The rejected delivery id was not recorded: the genuine delivery with that id is still accepted.
    expect(JSON.stringify(await listIncidents(pipeline.url))).toBe(before);
  });

  it('rejects a signed body that is not JSON with 400', async () => {
    const { createHmac } = await import('node:crypto');
    const body = '{not json';
    const signature = `sha256=${createHmac('sha256', 'leakstop-local-webhook-secret').update(body).digest('hex')}`;
    const response = await deliver(pipeline.url, { id: 'bad-json', event: 'push', signature, body });
    expect(response.status).toBe(400);
  });

  it('records the planned revocation in dry-run and escalates as containment_unverified', async () => {
    const incidents = await listIncidents(pipeline.url);
    for (const incident of incidents) {
      const detail = await waitFor(async () => {
        const d = await incidentDetail(incident.id);
        return d.status === 'containment_unverified' ? d : undefined;
      }, `containment of ${incident.id}`);
      expect(detail.timeline.map((e) => e.type)).toContain('revocation_planned');
      expect(detail.timeline.find((e) => e.type === 'revocation_planned')?.detail).toMatch(/dry-run/);
      expect(detail.escalated?.reason).toMatch(/dry-run/);
      expect(detail.timeline.map((e) => e.type)).toContain('vault_cleared');
    }
  });

  it('posts one Slack card per incident and updates it in place', async () => {
    const incidents = await listIncidents(pipeline.url);
    const messages = await waitFor(async () => {
      const response = await fetch(`${pipeline.url}/sandbox/slack/messages`);
      const body = (await response.json()) as {
        messages: { ts: string; thread_ts?: string; text: string; updates: number }[];
      };
      const cards = body.messages.filter((m) => !m.thread_ts);
      const settled = cards.length === 2 && cards.every((c) => /unverified/i.test(c.text));
      return settled ? body.messages : undefined;
    }, 'two settled Slack cards');
    const cards = messages.filter((m) => !m.thread_ts);
    expect(cards).toHaveLength(2);
    expect(cards.some((c) => c.updates > 0)).toBe(true);
    for (const incident of incidents) {
      const detail = await incidentDetail(incident.id);
      expect(cards.map((c) => c.ts)).toContain(detail.slack?.ts);
    }
    expect(messages.some((m) => m.thread_ts)).toBe(true);
  });

  it('keeps every planted value out of the data folder, the API, Slack and the output', async () => {
    const planted = [aws.accessKeyId, aws.secretAccessKey, token];
    const haystacks: string[] = [];
    for (const file of await filesUnder(dataDir)) haystacks.push((await readFile(file)).toString('latin1'));
    haystacks.push(JSON.stringify(await listIncidents(pipeline.url)));
    for (const incident of await listIncidents(pipeline.url))
      haystacks.push(JSON.stringify(await incidentDetail(incident.id)));
    haystacks.push(await (await fetch(`${pipeline.url}/sandbox/slack/messages`)).text());
    haystacks.push(output.join('\n'));
    for (const value of planted)
      for (const haystack of haystacks) expect(haystack.includes(value)).toBe(false);
    // The vault was emptied once containment ended.
    expect((await filesUnder(join(dataDir, 'vault'))).filter((f) => f.endsWith('.sealed'))).toEqual([]);
  });

  it('serves 404 for an unknown incident and 400 for a bad filter', async () => {
    expect((await fetch(`${pipeline.url}/incidents/inc_00000000000000000000`)).status).toBe(404);
    expect((await fetch(`${pipeline.url}/incidents?status=exploded`)).status).toBe(400);
    expect((await fetch(`${pipeline.url}/incidents?limit=1000`)).status).toBe(400);
  });

  it('says what an incident id looks like when the path holds something else', async () => {
    for (const [method, path] of [
      ['GET', '/incidents/inc_doesnotexist'],
      ['POST', '/incidents/inc_doesnotexist/approve'],
    ] as const) {
      const response = await fetch(`${pipeline.url}${path}`, { method });
      expect(response.status, path).toBe(404);
      expect(JSON.stringify(await response.json()), path).toContain(
        'no incident inc_doesnotexist: incident ids are inc_ and 20 hex digits',
      );
    }
    const unknown = await fetch(`${pipeline.url}/incidents/inc_00000000000000000000/archive`);
    expect(unknown.status).toBe(404);
  });
});
