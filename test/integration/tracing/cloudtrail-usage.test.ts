/**
 * The CloudTrail usage lookup through the real CloudTrail SDK client against the stand-in, which
 * speaks JSON 1.1 and enforces LookupEvents' 2 requests per second per account per Region.
 */
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudTrailUsageTracer } from '../../../functions/adapters/aws/cloudtrail-usage.ts';
import { TracerFailed } from '../../../functions/adapters/tracing/calls.ts';
import { awsKeyPair } from '../../helpers/credentials.ts';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  awsSettings,
  incidentFor,
  startStandIns,
  traceInput,
  type RunningStandIns,
} from '../../helpers/tracing.ts';

let sandbox: RunningStandIns;
beforeAll(async () => {
  sandbox = await startStandIns();
});
afterAll(async () => {
  await sandbox.close();
});

function leakedKey() {
  const pair = awsKeyPair();
  return { pair, ...incidentFor(JSON.stringify(pair)) };
}

async function seedEvents(accessKeyId: string, count: number, extra: Record<string, unknown> = {}) {
  const base = Date.parse('2026-10-01T00:00:00Z');
  for (let i = 0; i < count; i += 200) {
    const events = Array.from({ length: Math.min(200, count - i) }, (_, j) => ({
      accessKeyId,
      eventName: 'GetObject',
      eventSource: 's3.amazonaws.com',
      eventTime: new Date(base + (i + j) * 60_000).toISOString(),
    }));
    await sandbox.seed('cloudtrail', { events, ...extra });
  }
}

describe('CloudTrail usage lookup', () => {
  it('summarises the key’s events across Regions: first and last use, actions, IPs, agents, count', async () => {
    const { pair, incident, secret } = leakedKey();
    await sandbox.seed('cloudtrail', {
      region: 'us-east-1',
      events: [
        {
          accessKeyId: pair.accessKeyId,
          eventName: 'GetCallerIdentity',
          eventSource: 'sts.amazonaws.com',
          eventTime: '2026-11-01T10:00:00Z',
          sourceIPAddress: '203.0.113.9',
          userAgent: 'curl/8.5',
        },
        {
          accessKeyId: pair.accessKeyId,
          eventName: 'ListBuckets',
          eventSource: 's3.amazonaws.com',
          eventTime: '2026-11-02T11:00:00Z',
          sourceIPAddress: '203.0.113.9',
          userAgent: 'aws-cli/2.17.0',
        },
      ],
    });
    await sandbox.seed('cloudtrail', {
      region: 'eu-west-1',
      events: [
        {
          accessKeyId: pair.accessKeyId,
          eventName: 'RunInstances',
          eventSource: 'ec2.amazonaws.com',
          eventTime: '2026-11-03T12:00:00Z',
          sourceIPAddress: '198.51.100.4',
        },
      ],
    });
    // Another key's use in the same account must not count.
    await sandbox.seed('cloudtrail', {
      events: [
        { accessKeyId: awsKeyPair().accessKeyId, eventName: 'DeleteBucket', eventSource: 's3.amazonaws.com' },
      ],
    });

    const tracer = new CloudTrailUsageTracer(awsSettings({ regions: ['us-east-1', 'eu-west-1'] }));
    expect(tracer.appliesTo(incident)).toBe(true);
    const result = await tracer.trace(traceInput(incident, secret));

    expect(result.usage).toEqual({
      source: 'cloudtrail',
      events: 3,
      firstUsed: '2026-11-01T10:00:00.000Z',
      lastUsed: '2026-11-03T12:00:00.000Z',
      services: ['ec2', 's3', 'sts'],
      actions: ['ec2:RunInstances', 's3:ListBuckets', 'sts:GetCallerIdentity'],
      sourceIps: ['203.0.113.9', '198.51.100.4'],
      userAgents: ['aws-cli/2.17.0', 'curl/8.5'],
      regions: ['us-east-1', 'eu-west-1'],
      truncated: false,
    });
    expect(result.truncated).toBeUndefined();
    expect(result.detail).toContain('3 events');
  });

  it('follows NextToken across pages of 50 and counts every event once', async () => {
    const { pair, incident, secret } = leakedKey();
    await seedEvents(pair.accessKeyId, 120);
    const before = sandbox.aws.cloudtrail.calls().length;
    const result = await new CloudTrailUsageTracer(awsSettings()).trace(traceInput(incident, secret));
    expect(result.usage?.events).toBe(120);
    expect(result.usage?.truncated).toBe(false);
    const calls = sandbox.aws.cloudtrail.calls().slice(before);
    expect(calls.map((c) => [c.operation, c.status])).toEqual([
      ['LookupEvents', 200],
      ['LookupEvents', 200],
      ['LookupEvents', 200],
    ]);
  });

  it('keeps within 2 LookupEvents per second per account and Region, where an unlimited client is throttled', async () => {
    const { pair, incident, secret } = leakedKey();
    // An account no other test calls, so its server-side bucket starts full.
    const account = '333333333333';
    await seedEvents(pair.accessKeyId, 260, { account });
    const throttledBefore = sandbox.aws.cloudtrail.throttled();
    const result = await new CloudTrailUsageTracer(awsSettings({ accounts: [account] })).trace(
      traceInput(incident, secret),
    );
    expect(result.usage?.events).toBe(260);
    expect(sandbox.aws.cloudtrail.throttled() - throttledBefore).toBe(0);

    // The same six lookups fired at once: the stand-in's limit is real.
    const client = new CloudTrailClient({
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: 'LOCAL444444444444', secretAccessKey: 'local' },
    });
    const answers = await Promise.allSettled(
      Array.from({ length: 6 }, () => client.send(new LookupEventsCommand({}))),
    );
    const refused = answers
      .filter((a) => a.status === 'rejected')
      .map((a) => (a as PromiseRejectedResult).reason.name);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused)).toEqual(new Set(['ThrottlingException']));
  });

  it('stops at the page budget and marks the summary truncated (counts are lower bounds)', async () => {
    const { pair, incident, secret } = leakedKey();
    await seedEvents(pair.accessKeyId, 120);
    const result = await new CloudTrailUsageTracer(awsSettings({ pageBudget: 2 })).trace(
      traceInput(incident, secret),
    );
    expect(result.usage).toMatchObject({ events: 100, truncated: true });
    expect(result.truncated).toBe(true);
    expect(result.detail).toContain('at least 100 events');
  });

  it('returns what it found by the deadline, truncated', async () => {
    const { pair, incident, secret } = leakedKey();
    await seedEvents(pair.accessKeyId, 400);
    const started = Date.now();
    // 8 pages need ≥ 3.5 s at 2 requests per second; the deadline allows about 1.2 s.
    const result = await new CloudTrailUsageTracer(awsSettings()).trace(
      traceInput(incident, secret, { deadlineMs: 1200 }),
    );
    expect(Date.now() - started).toBeLessThan(2500);
    expect(result.truncated).toBe(true);
    expect(result.usage?.truncated).toBe(true);
    expect(result.usage?.events).toBeGreaterThanOrEqual(50);
    expect(result.usage?.events).toBeLessThan(400);
  });

  it('retries throttling and 5xx with backoff and still returns the full summary', async () => {
    const { pair, incident, secret } = leakedKey();
    await seedEvents(pair.accessKeyId, 3);
    const before = sandbox.aws.cloudtrail.calls().length;
    sandbox.fail('cloudtrail', 500, { count: 2 });
    const first = await new CloudTrailUsageTracer(awsSettings()).trace(traceInput(incident, secret));
    sandbox.fail('cloudtrail', 429, { count: 2 });
    const second = await new CloudTrailUsageTracer(awsSettings()).trace(traceInput(incident, secret));
    expect(first.usage).toMatchObject({ events: 3, truncated: false });
    expect(second.usage).toMatchObject({ events: 3, truncated: false });
    const statuses = sandbox.aws.cloudtrail
      .calls()
      .slice(before)
      .map((c) => `${c.status}${c.error ? ` ${c.error}` : ''}`);
    expect(statuses).toEqual([
      '500 InternalFailure',
      '500 InternalFailure',
      '200',
      '400 ThrottlingException',
      '400 ThrottlingException',
      '200',
    ]);
  });

  it('keeps the Regions that answered when one fails, and says which failed', async () => {
    const { pair, incident, secret } = leakedKey();
    await seedEvents(pair.accessKeyId, 2);
    // AccessDenied is an answer, not a fault worth retrying: one of the two Regions fails.
    sandbox.fail('cloudtrail', 403, { count: 1 });
    const result = await new CloudTrailUsageTracer(
      awsSettings({ regions: ['eu-central-1', 'us-east-1'], concurrency: 1 }),
    ).trace(traceInput(incident, secret));
    expect(result.detail).toMatch(/1 failed: 123456789012\/eu-central-1: AccessDeniedException \(HTTP 403\)/);
    expect(result.usage?.events).toBe(2);
    expect(result.truncated).toBe(true);
    expect(result.detail).toMatch(/1 failed: 123456789012\/eu-central-1: AccessDeniedException \(HTTP 403\)/);
  });

  it('throws a clear error when every Region failed', async () => {
    const { incident, secret } = leakedKey();
    sandbox.fail('cloudtrail', 403, { count: 2 });
    const tracer = new CloudTrailUsageTracer(awsSettings({ regions: ['us-east-1', 'us-west-2'] }));
    const failure = await tracer.trace(traceInput(incident, secret)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TracerFailed);
    expect((failure as Error).message).toMatch(/^cloudtrail: every search failed — .*AccessDeniedException/);
  });

  it('searches only the owning account, and none when the owner is not a configured account', async () => {
    const { pair, incident, secret } = leakedKey();
    await sandbox.seed('cloudtrail', {
      account: ACCOUNT_B,
      events: [{ accessKeyId: pair.accessKeyId, eventName: 'ListUsers', eventSource: 'iam.amazonaws.com' }],
    });
    const before = sandbox.aws.cloudtrail.calls().length;
    const tracer = new CloudTrailUsageTracer({
      ...awsSettings({ accounts: [ACCOUNT_A, ACCOUNT_B] }),
      accountOf: async () => ACCOUNT_B,
    });
    const result = await tracer.trace(traceInput(incident, secret));
    expect(result.usage).toMatchObject({ events: 1, actions: ['iam:ListUsers'] });
    const after = sandbox.aws.cloudtrail.calls().slice(before);
    expect(after.slice(-1).map((c) => c.account)).toEqual([ACCOUNT_B]);

    const foreign = new CloudTrailUsageTracer({ ...awsSettings(), accountOf: async () => '999999999999' });
    const skipped = await foreign.trace(traceInput(incident, secret));
    expect(skipped.usage).toBeUndefined();
    expect(skipped.detail).toContain('999999999999, which is not a configured trace account');
  });

  it('applies to AWS access keys only', () => {
    const tracer = new CloudTrailUsageTracer(awsSettings());
    const { incident } = leakedKey();
    expect(tracer.appliesTo(incident)).toBe(true);
    expect(tracer.appliesTo({ ...incident, provider: 'github', type: 'github_pat_classic' })).toBe(false);
  });
});
