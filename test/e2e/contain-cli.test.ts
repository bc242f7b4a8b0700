/**
 * `npm start -- --sandbox --mode enforce` as a user runs it, with the functions' structured logs on
 * (`--verbose`): planted credentials registered live end contained and revoked once, and no planted
 * value appears in anything the process printed, the data folder, the API or Slack.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { awsKeyPair, githubToken, slackToken } from '../helpers/credentials.ts';
import { listIncidents, sandboxPush, waitFor } from '../helpers/pipeline.ts';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('leakstop local --sandbox --mode enforce', () => {
  it('contains registered credentials, revoking each once, and prints no planted value', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'leakstop-enforce-'));
    const child = spawn(
      process.execPath,
      [
        'bin/leakstop.js',
        'local',
        '--sandbox',
        '--mode',
        'enforce',
        '--verbose',
        '--port',
        '0',
        '--data-dir',
        dataDir,
      ],
      { env: { ...process.env, PORT: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = await waitFor(
      async () => /ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1],
      `the CLI to start:\n${output}`,
      60_000,
    );
    expect(output).toContain('mode enforce');

    const aws = awsKeyPair();
    const github = githubToken();
    const slack = slackToken();
    for (const body of [
      { value: aws.accessKeyId, secret: aws.secretAccessKey },
      { value: github },
      { value: slack },
    ]) {
      const response = await fetch(`${url}/sandbox/credentials`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(201);
    }
    await sandboxPush(url, 'acme/ops', [
      {
        message: 'ops',
        files: {
          '.env': `AWS_ACCESS_KEY_ID=${aws.accessKeyId}\nAWS_SECRET_ACCESS_KEY=${aws.secretAccessKey}\nGITHUB_TOKEN=${github}\nSLACK_BOT_TOKEN=${slack}\n`,
        },
      },
    ]);
    const incidents = await waitFor(
      async () => {
        const items = await listIncidents(url);
        return items.length === 3 && items.every((i) => i.status === 'contained') ? items : undefined;
      },
      'three contained incidents',
      30_000,
    );
    const registry = (await (await fetch(`${url}/sandbox/credentials`)).json()) as {
      credentials: { live: boolean; revocations: number }[];
    };
    expect(registry.credentials.map((c) => [c.live, c.revocations])).toEqual([
      [false, 1],
      [false, 1],
      [false, 1],
    ]);

    const haystacks = [JSON.stringify(incidents), JSON.stringify(registry)];
    for (const incident of incidents)
      haystacks.push(await (await fetch(`${url}/incidents/${incident.id}`)).text());
    haystacks.push(await (await fetch(`${url}/sandbox/slack/messages`)).text());
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
    haystacks.push(output);
    for (const entry of await readdir(dataDir, { recursive: true, withFileTypes: true }))
      if (entry.isFile())
        haystacks.push((await readFile(join(entry.parentPath, entry.name))).toString('latin1'));
    for (const value of [aws.accessKeyId, aws.secretAccessKey, github, slack])
      for (const haystack of haystacks) expect(haystack.includes(value)).toBe(false);
    // The structured logs were on: the check looked at them too.
    expect(output).toContain('containment step done');
  }, 120_000);
});
