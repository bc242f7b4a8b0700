/**
 * The check, through the whole local pipeline in enforce mode with the sandbox: a pushed AWS
 * key pair, GitHub token and Slack token, each registered live, end `contained` with a verification
 * event and `live: false, revocations: 1`; an unregistered one ends contained as already dead; with
 * three injected 500s a credential is still revoked exactly once; the planted values appear nowhere
 * in the data folder, the runtime's output, the API or Slack.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { redact } from '../../functions/domain/detection/redact.ts';
import { startPipeline, type RunningPipeline } from '../../functions/local/runtime.ts';
import { awsKeyPair, githubToken, slackToken } from '../helpers/credentials.ts';
import { listIncidents, sandboxPush, waitFor } from '../helpers/pipeline.ts';

let pipeline: RunningPipeline;
let dataDir: string;
const output: string[] = [];
const aws = awsKeyPair();
const github = githubToken();
const slack = slackToken();
const unregistered = githubToken();
const faulted = slackToken();

interface Detail {
  id: string;
  status: string;
  type: string;
  timeline: { type: string; detail: string; data?: Record<string, unknown> }[];
  liveCheck?: { identity?: string };
}
interface CredentialView {
  preview: string;
  live: boolean;
  revocations: number;
}

const post = (path: string, body: unknown) =>
  fetch(`${pipeline.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const detail = async (id: string) =>
  (await (await fetch(`${pipeline.url}/incidents/${id}`)).json()) as Detail;
const credentials = async () =>
  ((await (await fetch(`${pipeline.url}/sandbox/credentials`)).json()) as { credentials: CredentialView[] })
    .credentials;
// The registry lists credentials by the same redacted preview incidents carry.
const previewOf = (value: string) => redact(value);

async function settled(count: number): Promise<Detail[]> {
  return waitFor(
    async () => {
      const items = await listIncidents(pipeline.url);
      if (items.length < count || items.some((i) => i.status === 'open' || i.status === 'containing'))
        return undefined;
      return Promise.all(items.map((i) => detail(i.id)));
    },
    `${count} incidents to settle`,
    30_000,
  );
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'leakstop-contain-'));
  pipeline = await startPipeline({
    port: 0,
    sandbox: true,
    inMemory: false,
    dataDir,
    mode: 'enforce',
    dynamoEndpoint: inject('dynamoEndpoint'),
    sqsEndpoint: inject('sqsEndpoint'),
    resourcePrefix: `c${randomBytes(3).toString('hex')}-`,
    log: (line) => output.push(line),
  });
  for (const body of [
    { value: aws.accessKeyId, secret: aws.secretAccessKey },
    { value: github },
    { value: slack },
  ])
    expect((await post('/sandbox/credentials', body)).status).toBe(201);
  await sandboxPush(pipeline.url, 'acme/payments', [
    {
      message: 'deploy config',
      files: {
        'deploy/.env': `AWS_ACCESS_KEY_ID=${aws.accessKeyId}\nAWS_SECRET_ACCESS_KEY=${aws.secretAccessKey}\n`,
        'scripts/release.sh': `export GITHUB_TOKEN=${github}\n`,
        'bot/config.yml': `slack_token: ${slack}\nbackup_token: ${unregistered}\n`,
      },
    },
  ]);
}, 60_000);

afterAll(async () => {
  await pipeline?.stop();
});

describe('containment in enforce mode, through the local pipeline', () => {
  it('contains each registered credential with a verification event, revoked exactly once', async () => {
    const incidents = await settled(4);
    const byType = (type: string) => incidents.filter((i) => i.type === type);
    for (const incident of [...byType('aws_access_key'), ...byType('slack_bot_token')]) {
      expect(incident.status).toBe('contained');
      expect(incident.timeline.find((e) => e.type === 'verified_dead')?.data?.alreadyDead).toBe(false);
      expect(incident.liveCheck?.identity).toBeDefined();
    }
    const views = await credentials();
    for (const value of [aws.accessKeyId, github, slack]) {
      const view = views.find((c) => c.preview === previewOf(value));
      expect(view, value.slice(0, 4)).toMatchObject({ live: false, revocations: 1 });
    }
  });

  it('contains the unregistered token as already dead', async () => {
    const incidents = await settled(4);
    const github = incidents.filter((i) => i.type === 'github_pat_classic');
    expect(github.map((i) => i.status)).toEqual(['contained', 'contained']);
    const verdicts = github
      .map((i) => i.timeline.find((e) => e.type === 'verified_dead')?.data?.alreadyDead)
      .sort();
    expect(verdicts).toEqual([false, true]);
  });

  it('with three injected 500s from Slack, still revokes the credential exactly once', async () => {
    expect((await post('/sandbox/credentials', { value: faulted })).status).toBe(201);
    expect((await post('/sandbox/faults', { service: 'slack', status: 500, count: 3 })).status).toBe(201);
    await sandboxPush(pipeline.url, 'acme/chatops', [
      { message: 'bot', files: { '.env': `SLACK_BOT_TOKEN=${faulted}\n` } },
    ]);
    const incidents = await settled(5);
    expect(incidents.filter((i) => i.status === 'contained')).toHaveLength(5);
    const view = (await credentials()).find((c) => c.preview === previewOf(faulted));
    expect(view).toMatchObject({ live: false, revocations: 1 });
    const faults = (await (await fetch(`${pipeline.url}/sandbox/faults`)).json()) as { faults: unknown[] };
    expect(faults.faults).toEqual([]);
  });

  it('keeps every planted value out of the data folder, the API, Slack and the output', async () => {
    await settled(5);
    const planted = [aws.accessKeyId, aws.secretAccessKey, github, slack, unregistered, faulted];
    const haystacks: string[] = [];
    for (const file of await filesUnder(dataDir)) haystacks.push((await readFile(file)).toString('latin1'));
    for (const incident of await listIncidents(pipeline.url))
      haystacks.push(JSON.stringify(await detail(incident.id)));
    haystacks.push(await (await fetch(`${pipeline.url}/sandbox/slack/messages`)).text());
    haystacks.push(await (await fetch(`${pipeline.url}/sandbox/credentials`)).text());
    haystacks.push(output.join('\n'));
    for (const value of planted)
      for (const haystack of haystacks) expect(haystack.includes(value)).toBe(false);
    expect((await filesUnder(join(dataDir, 'vault'))).filter((f) => f.endsWith('.sealed'))).toEqual([]);
  });
});
