/**
 * The README's first command, as a user runs it: `leakstop local --sandbox --data-dir D` in its own
 * process with its own DynamoDB Local and SQS server. Checks the acceptance bar of the foundation:
 * two credentials → two incidents, redeliveries change nothing, bad signatures get 401, and no
 * planted value reaches the data folder, the output, the API or Slack. Data survives a restart.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { awsKeyPair, githubToken } from '../helpers/credentials.ts';
import { deliver, listIncidents, sandboxPush, waitFor } from '../helpers/pipeline.ts';

const children: ChildProcess[] = [];

async function startCli(
  dataDir: string,
): Promise<{ url: string; output: () => string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['bin/leakstop.js', 'local', '--sandbox', '--port', '0', '--data-dir', dataDir],
    {
      env: { ...process.env, PORT: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
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
  return {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      await exited;
    },
  };
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('leakstop local --sandbox (the README quick start)', () => {
  it('turns a push with an AWS key pair and a GitHub token into exactly two incidents, leaking neither value', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'leakstop-e2e-'));
    const cli = await startCli(dataDir);
    const aws = awsKeyPair();
    const token = githubToken();
    const delivery = await sandboxPush(cli.url, 'acme/web', [
      {
        message: 'config',
        files: {
          '.env': `AWS_ACCESS_KEY_ID=${aws.accessKeyId}\nAWS_SECRET_ACCESS_KEY=${aws.secretAccessKey}\nGITHUB_TOKEN=${token}\n`,
        },
      },
    ]);
    await waitFor(
      async () => ((await listIncidents(cli.url)).length === 2 ? true : undefined),
      'two incidents',
    );
    expect((await deliver(cli.url, delivery)).status).toBe(200);
    expect((await deliver(cli.url, delivery)).status).toBe(200);
    expect((await deliver(cli.url, delivery, { 'x-hub-signature-256': undefined })).status).toBe(401);
    expect(
      (
        await deliver(
          cli.url,
          { ...delivery, id: 'forged' },
          { 'x-hub-signature-256': `sha256=${'1'.repeat(64)}` },
        )
      ).status,
    ).toBe(401);
    await new Promise((r) => setTimeout(r, 1000));
    const incidents = await listIncidents(cli.url);
    expect(incidents).toHaveLength(2);
    const slack = await (await fetch(`${cli.url}/sandbox/slack/messages`)).text();
    await cli.stop();

    // Restart on the same data folder: the incidents are still there.
    const again = await startCli(dataDir);
    expect((await listIncidents(again.url)).map((i) => i.id).sort()).toEqual(
      incidents.map((i) => i.id).sort(),
    );
    // The security lead's export, through the history API.
    const exported = spawnSync(
      process.execPath,
      ['bin/leakstop.js', 'incidents', '--url', again.url, '--repo', 'acme/web', '--format', 'csv'],
      { encoding: 'utf8' },
    );
    expect([exported.status, exported.stderr]).toEqual([0, '']);
    const [header, ...rows] = exported.stdout.trim().split('\n');
    expect(header).toMatch(/^id,status,type,provider,.*,revoke_ms,verify_ms,/);
    expect(rows.map((r) => r.split(',')[0]).sort()).toEqual(incidents.map((i) => i.id).sort());
    await again.stop();

    const haystacks = [cli.output(), again.output(), JSON.stringify(incidents), slack, exported.stdout];
    for (const entry of await readdir(dataDir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile())
        haystacks.push((await readFile(join(entry.parentPath, entry.name))).toString('latin1'));
    }
    for (const value of [aws.accessKeyId, aws.secretAccessKey, token]) {
      for (const haystack of haystacks) expect(haystack.includes(value)).toBe(false);
    }
  }, 120_000);
});
