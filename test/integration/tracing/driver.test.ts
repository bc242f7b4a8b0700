/**
 * Every tracer as tracersFromEnv builds it from configuration, run the way the containment flow
 * runs them (those that apply, each with its timing), against the AWS and GitHub stand-ins — and
 * no credential value in anything they return.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tracersFromEnv } from '../../../functions/handlers/common/tracers.ts';
import { TRACE_ACCESS } from '../../../functions/shared/trace-access.ts';
import { createGitHubSandbox, type GitHubSandbox } from '../../../functions/local/sandbox/github.ts';
import { awsKeyPair, githubToken } from '../../helpers/credentials.ts';
import {
  ACCOUNT_A,
  FINGERPRINT_KEY,
  credentialsFor,
  driveTracers,
  incidentFor,
  serve,
  startStandIns,
  traceInput,
  type RunningStandIns,
} from '../../helpers/tracing.ts';
import { captureServer, request, type TestServer } from '../../unit/sandbox/helpers.ts';

let aws: RunningStandIns;
let hooks: TestServer;
let github: GitHubSandbox;
let githubServer: { url: string; close(): Promise<void> };

beforeAll(async () => {
  aws = await startStandIns();
  hooks = await captureServer();
  github = createGitHubSandbox({ webhookSecret: () => 'hook-secret', webhookUrl: () => hooks.url });
  githubServer = await serve((req) => github.handle(req));
});
afterAll(async () => {
  await Promise.all([aws.close(), hooks.close(), githubServer.close()]);
});

function tracers() {
  return tracersFromEnv({
    env: {
      LEAKSTOP_TRACE_ACCOUNTS: ACCOUNT_A,
      LEAKSTOP_TRACE_REGIONS: 'us-east-1',
      LEAKSTOP_TRACE_LOG_GROUPS: '*',
      LEAKSTOP_GITHUB_ORGS: 'driver-org',
      GITHUB_API_URL: `${githubServer.url}/sandbox/github`,
      // Organisation alerts are read as the stand-in's GitHub App, as in production.
      GITHUB_APP_ID: String(github.app.id),
      GITHUB_APP_PRIVATE_KEY: github.app.privateKey,
      LEAKSTOP_TRACERS: 'all',
    },
    credentialsFor,
    accountOf: async () => ACCOUNT_A,
    fingerprintKey: async () => FINGERPRINT_KEY,
  });
}

async function githubAlert(secretType: string, secret: string, file: string) {
  const pushed = await github.handle(
    request('POST', '/sandbox/github/repos/driver-org/infra/pushes', {
      ref: 'refs/heads/main',
      commits: [{ message: 'm', files: { [file]: `${secret}\n` } }],
    }),
  );
  const sha = (JSON.parse(pushed!.body) as { push: { after: string } }).push.after;
  await github.handle(
    request('POST', '/sandbox/github/repos/driver-org/infra/secret-scanning/alerts', {
      secret_type: secretType,
      secret,
      locations: [{ path: file, start_line: 1, commit_sha: sha }],
    }),
  );
}

describe('the tracers, driven as the containment flow drives them', () => {
  it('traces a leaked AWS key everywhere and returns no part of it', async () => {
    const pair = awsKeyPair();
    const { incident, secret } = incidentFor(JSON.stringify(pair));
    await aws.seed('cloudtrail', {
      events: [
        {
          accessKeyId: pair.accessKeyId,
          eventName: 'ListBuckets',
          eventSource: 's3.amazonaws.com',
          sourceIPAddress: '203.0.113.50',
        },
      ],
    });
    // The stream's name holds the key id: the location must not carry it.
    await aws.seed('logs', {
      logGroupName: '/driver/app',
      logStreamName: `leak-${pair.accessKeyId}`,
      events: [{ message: `key=${pair.accessKeyId}` }],
    });
    await aws.seed('lambda', {
      functionName: 'driver-fn',
      environment: { AWS_ACCESS_KEY_ID: pair.accessKeyId },
    });
    await aws.seed('ssm', { name: '/driver/secret-key', value: pair.secretAccessKey, type: 'SecureString' });
    await aws.seed('secretsmanager', { name: 'driver/aws', value: JSON.stringify(pair), rotation: {} });
    await githubAlert('aws_access_key_id', pair.accessKeyId, 'aws.txt');

    const runs = await driveTracers(tracers(), traceInput(incident, secret, { mode: 'enforce' }));
    expect(runs.map((r) => [r.tracer, r.error])).toEqual([
      ['cloudtrail', undefined],
      ['cloudwatch-logs', undefined],
      ['lambda-env', undefined],
      ['ssm-parameters', undefined],
      ['secrets-manager', undefined],
      ['github-alerts', undefined],
    ]);
    const by = Object.fromEntries(runs.map((r) => [r.tracer, r.result!]));
    expect(by.cloudtrail!.usage).toMatchObject({
      events: 1,
      actions: ['s3:ListBuckets'],
      sourceIps: ['203.0.113.50'],
    });
    expect(by['cloudwatch-logs']!.copies?.map((c) => c.path)).toEqual(['logs:/driver/app:leak-[redacted]']);
    expect(by['lambda-env']!.copies?.map((c) => c.path)).toEqual(['lambda:driver-fn:env:AWS_ACCESS_KEY_ID']);
    expect(by['ssm-parameters']!.copies?.map((c) => c.path)).toEqual(['ssm:/driver/secret-key']);
    expect(by['secrets-manager']!.copies?.map((c) => c.path)).toEqual([
      // The whole secret is the key pair: the copy is the value itself, not one field.
      'secretsmanager:driver/aws',
    ]);
    expect(by['secrets-manager']!.actions?.[0]).toMatch(
      /^started rotation of Secrets Manager secret driver\/aws/,
    );
    expect(by['github-alerts']!.copies?.map((c) => `${c.repo}:${c.path}`)).toEqual([
      'driver-org/infra:aws.txt',
    ]);

    // Nothing any tracer returned names the key id, the secret key or the vault's JSON.
    const returned = JSON.stringify(runs);
    for (const value of [pair.accessKeyId, pair.secretAccessKey, secret])
      expect(returned).not.toContain(value);
    // …while the stand-ins did hold them, so the check above looked where a leak would be.
    const logs = await aws.aws.logs.handle({
      method: 'POST',
      path: '/sandbox/aws/logs/',
      query: new URLSearchParams(),
      headers: {
        authorization: 'AWS4-HMAC-SHA256 Credential=LOCAL123456789012/20260101/us-east-1/logs/aws4_request',
        'x-amz-target': 'Logs_20140328.FilterLogEvents',
      },
      body: JSON.stringify({ logGroupName: '/driver/app' }),
    });
    expect(logs?.body).toContain(pair.accessKeyId);
  });

  it('skips the AWS usage lookup for a GitHub token and still searches for its copies', async () => {
    const token = githubToken();
    const { incident, secret } = incidentFor(token);
    await aws.seed('lambda', { functionName: 'driver-gh', environment: { GH_TOKEN: token } });
    await githubAlert('github_personal_access_token', token, 'gh.txt');
    const runs = await driveTracers(tracers(), traceInput(incident, secret, { mode: 'dry-run' }));
    expect(runs.map((r) => r.tracer)).not.toContain('cloudtrail');
    expect(runs.every((r) => r.error === undefined && r.durationMs >= 0)).toBe(true);
    const copies = runs.flatMap((r) => r.result?.copies ?? []).map((c) => `${c.repo} ${c.path}`);
    expect(copies).toEqual(
      expect.arrayContaining([
        `aws:${ACCOUNT_A}:us-east-1 lambda:driver-gh:env:GH_TOKEN`,
        'driver-org/infra gh.txt',
      ]),
    );
    expect(JSON.stringify(runs)).not.toContain(token);
  });

  it('calls only AWS actions TRACE_ACCESS grants in member accounts', () => {
    const granted = new Set(TRACE_ACCESS.memberAccount.flatMap((statement) => statement.actions));
    const stands = [aws.aws.cloudtrail, aws.aws.logs, aws.aws.lambda, aws.aws.ssm, aws.aws.secretsManager];
    const used = new Set(stands.flatMap((s) => s.calls().map((c) => `${c.service}:${c.operation}`)));
    // The runs above used every tracer, rotation included.
    expect([...used].sort()).toEqual([
      'cloudtrail:LookupEvents',
      'lambda:ListFunctions',
      'logs:DescribeLogGroups',
      'logs:FilterLogEvents',
      'secretsmanager:GetSecretValue',
      'secretsmanager:ListSecrets',
      'secretsmanager:RotateSecret',
      'ssm:DescribeParameters',
      'ssm:GetParameters',
    ]);
    expect([...used].filter((action) => !granted.has(action))).toEqual([]);
  });
});
