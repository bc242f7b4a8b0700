/**
 * GitHub intake at scale through the real local runtime in sandbox mode — the checks of issue 4:
 * a push of 300 commits with credentials planted across it finds every one; a commit touching more
 * than 300 files finds the credential in its last file; a secret-scanning alert for a credential a
 * push found merges into the same incident; each write-back appears once in /sandbox/github/writes.
 *
 * Nothing reaches `contained` in dry-run until the containment engine lands, so the write-back test
 * moves an incident to `contained` itself (through the IncidentRepository) and sends the
 * notification, as the containment worker will.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { documentClientOn } from '../../functions/adapters/dynamodb/client.ts';
import { DynamoIncidentStore } from '../../functions/adapters/dynamodb/incident-store.ts';
import { SqsQueue } from '../../functions/adapters/sqs/sqs-queue.ts';
import { SYSTEM } from '../../functions/domain/incidents/incident.ts';
import type { IncidentJob } from '../../functions/domain/jobs.ts';
import { LOCAL_AWS } from '../../functions/local/emulators.ts';
import { startPipeline, type RunningPipeline } from '../../functions/local/runtime.ts';
import { awsKeyPair, githubToken } from '../helpers/credentials.ts';
import { deliver, listIncidents, waitFor, type Delivery } from '../helpers/pipeline.ts';

let pipeline: RunningPipeline;
let store: DynamoIncidentStore;
const output: string[] = [];

interface PushAnswer {
  delivery: Delivery;
  push: { after: string; commits: string[] };
}

async function control<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(`${pipeline.url}/sandbox/github/repos/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const push = (repo: string, commits: { message: string; files: Record<string, string> }[]) =>
  control<PushAnswer>(`${repo}/pushes`, { ref: 'refs/heads/main', commits });

async function incidentsIn(repo: string) {
  return listIncidents(pipeline.url, `?repo=${encodeURIComponent(repo)}&limit=100`);
}

async function detail(id: string) {
  return (await (await fetch(`${pipeline.url}/incidents/${id}`)).json()) as {
    status: string;
    exposureCount: number;
    exposures: { repo: string; commit: string; path: string; line: number }[];
    timeline: { type: string; detail: string }[];
  };
}

async function writes() {
  const body = (await (await fetch(`${pipeline.url}/sandbox/github/writes`)).json()) as {
    writes: { method: string; path: string; body: Record<string, unknown> }[];
  };
  return body.writes;
}

beforeAll(async () => {
  pipeline = await startPipeline({
    port: 0,
    sandbox: true,
    inMemory: true,
    dataDir: await mkdtemp(join(tmpdir(), 'leakstop-intake-')),
    mode: 'dry-run',
    dynamoEndpoint: inject('dynamoEndpoint'),
    sqsEndpoint: inject('sqsEndpoint'),
    resourcePrefix: `i${randomBytes(3).toString('hex')}-`,
    log: (line) => output.push(line),
  });
  const raw = new DynamoDBClient({ ...LOCAL_AWS, endpoint: pipeline.dynamoEndpoint });
  store = new DynamoIncidentStore(documentClientOn(raw), pipeline.tableName);
}, 60_000);

afterAll(async () => {
  await pipeline?.stop();
});

// Shared by the alert and write-back tests: one of the credentials the big push planted.
const planted: { token: string; index: number }[] = [];
let bigPush: PushAnswer;

describe('issue 4 in sandbox mode', () => {
  it('finds every credential planted across a push of 300 commits', async () => {
    const commits = Array.from({ length: 300 }, (_, i) => {
      if (i % 20 !== 7)
        return { message: `change ${i}`, files: { [`src/module${i % 37}.py`]: `VERSION = ${i}\n` } };
      const token = githubToken();
      planted.push({ token, index: i });
      return {
        message: `ops ${i}`,
        files: { [`ops/job-${i}.sh`]: `#!/bin/sh\nexport GITHUB_TOKEN=${token}\n` },
      };
    });
    bigPush = await push('acme/monorepo', commits);
    expect(bigPush.delivery.event).toBe('push');
    const found = await waitFor(
      async () => {
        const items = await incidentsIn('acme/monorepo');
        return items.length >= planted.length ? items : undefined;
      },
      `${planted.length} incidents`,
      90_000,
    );
    expect(found).toHaveLength(planted.length);
    const byCommit = new Map(found.map((i) => [i.exposures[0]?.commit, i]));
    for (const { index } of planted) {
      expect(byCommit.get(bigPush.push.commits[index]!)?.exposures[0]).toMatchObject({
        path: `ops/job-${index}.sh`,
        line: 2,
      });
    }
  }, 120_000);

  it('finds the credential in the last file of a commit touching 650 files', async () => {
    const aws = awsKeyPair();
    const files: Record<string, string> = {};
    for (let i = 0; i < 649; i += 1)
      files[`vendor/lib${String(i).padStart(3, '0')}/index.js`] = `module.exports = ${i};\n`;
    files['zz-deploy/prod.env'] =
      `AWS_ACCESS_KEY_ID=${aws.accessKeyId}\nAWS_SECRET_ACCESS_KEY=${aws.secretAccessKey}\n`;
    const answer = await push('acme/wide', [{ message: 'vendor the world', files }]);
    const [incident] = await waitFor(async () => {
      const items = await incidentsIn('acme/wide');
      return items.length ? items : undefined;
    }, 'the incident in the last file');
    expect(incident).toMatchObject({ type: 'aws_access_key' });
    expect(incident!.exposures).toEqual([
      expect.objectContaining({ path: 'zz-deploy/prod.env', line: 1, commit: answer.push.after }),
    ]);
  });

  it('merges a secret-scanning alert for a credential the push found into the same incident', async () => {
    const { token, index } = planted[0]!;
    const before = (await incidentsIn('acme/monorepo')).find(
      (i) => i.exposures[0]?.commit === bigPush.push.commits[index],
    )!;
    const created = await control<{ delivery: Delivery; alert: { number: number } }>(
      'acme/monorepo/secret-scanning/alerts',
      {
        secret_type: 'github_personal_access_token',
        secret: token,
        locations: [{ path: `ops/job-${index}.sh`, start_line: 2, commit_sha: bigPush.push.commits[index] }],
      },
    );
    expect(created.delivery).toMatchObject({ event: 'secret_scanning_alert', id: expect.any(String) });
    expect(JSON.parse(created.delivery.body)).toMatchObject({
      action: 'created',
      alert: { number: created.alert.number },
    });
    const exposures = await waitFor(async () => {
      const all = await store.exposures(before.id);
      return all.some((e) => e.alertNumber === created.alert.number) ? all : undefined;
    }, 'the alert linked to the push’s exposure');
    expect(exposures).toHaveLength(1);
    expect(
      (await listIncidents(pipeline.url, '?limit=100')).filter((i) => i.fingerprint === before.fingerprint),
    ).toHaveLength(1);
    // The same delivery again is acknowledged and ignored.
    expect((await deliver(pipeline.url, created.delivery)).status).toBe(200);
  });

  it('one credential in five repositories is one incident with five exposures', async () => {
    const token = githubToken();
    for (const n of [1, 2, 3, 4, 5])
      await push(`acme/svc-${n}`, [{ message: 'ci', files: { '.github/env': `GH_TOKEN=${token}\n` } }]);
    const incident = await waitFor(async () => {
      const [found] = await incidentsIn('acme/svc-5');
      if (!found) return undefined;
      const d = await detail(found.id);
      return d.exposureCount === 5 ? d : undefined;
    }, 'five exposures');
    expect(incident.exposures.map((e) => e.repo).sort()).toEqual([1, 2, 3, 4, 5].map((n) => `acme/svc-${n}`));
  });

  it('writes each write-back to GitHub once when an incident becomes contained', async () => {
    const { index } = planted[0]!;
    const [target] = (await incidentsIn('acme/monorepo')).filter(
      (i) => i.exposures[0]?.commit === bigPush.push.commits[index],
    );
    // Dry-run containment ends unverified; recording a verified revocation by hand moves it to contained.
    await waitFor(
      async () => ((await detail(target!.id)).status === 'containment_unverified' ? true : undefined),
      'dry-run containment',
    );
    const at = new Date().toISOString();
    await store.transition(
      target!.id,
      'contained',
      { at, type: 'status_changed', actor: SYSTEM, detail: 'revoked by hand; GET /user answered 401' },
      { phases: { revokedAt: at, verifiedAt: at } },
    );
    const notifications = new SqsQueue<IncidentJob>(pipeline.queues.notifications.url);
    await notifications.send([{ incidentId: target!.id }]);
    const written = await waitFor(async () => {
      const all = (await writes()).filter((w) => w.path.includes('/repos/acme/monorepo/'));
      return all.length >= 2 ? all : undefined;
    }, 'the write-backs');
    // More notifications for the same incident (card updates, the echo of the resolved alert) write nothing more.
    await notifications.send([{ incidentId: target!.id }, { incidentId: target!.id }]);
    await waitFor(
      async () =>
        (await detail(target!.id)).timeline.some((e) => e.type === 'github_alert_resolved')
          ? true
          : undefined,
      'the resolved alert recorded',
    );
    await new Promise((r) => setTimeout(r, 1500));
    const final = (await writes()).filter((w) => w.path.includes('/repos/acme/monorepo/'));
    expect(final).toEqual(written);
    expect(final.map((w) => `${w.method} ${w.path.split('/repos/acme/monorepo')[1]}`).sort()).toEqual([
      'PATCH /secret-scanning/alerts/1',
      'POST /check-runs',
    ]);
    expect(final.find((w) => w.method === 'POST')?.body).toMatchObject({
      head_sha: bigPush.push.commits[index],
      conclusion: 'failure',
    });
    expect(JSON.stringify(final)).not.toContain(planted[0]!.token);
  });

  it('answers 202 to events it does not act on and a clear 413 to bodies over the limit', async () => {
    const { createHmac } = await import('node:crypto');
    const body = JSON.stringify({ action: 'started', repository: { name: 'x', owner: { login: 'acme' } } });
    const signature = `sha256=${createHmac('sha256', 'leakstop-local-webhook-secret').update(body).digest('hex')}`;
    const star = await deliver(pipeline.url, { id: 'star-1', event: 'watch', signature, body });
    expect(star.status).toBe(202);
    const huge = await fetch(`${pipeline.url}/webhooks/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
      body: 'x'.repeat(6 * 1024 * 1024 + 1),
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: string }).error).toMatch(/6 MB/);
  });

  it('keeps every planted value out of the process output and the API', async () => {
    const haystack = [
      output.join('\n'),
      JSON.stringify(await listIncidents(pipeline.url, '?limit=100')),
    ].join('\n');
    for (const { token } of planted) expect(haystack.includes(token)).toBe(false);
  });
});
