/**
 * The CloudWatch Logs copies search through the real SDK client against the stand-in, which, like
 * the service, answers FilterLogEvents a slice at a time (empty pages with a nextToken included).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchLogsCopiesTracer, filterPatternFor } from '../../../functions/adapters/aws/logs-copies.ts';
import { awsKeyPair, githubToken } from '../../helpers/credentials.ts';
import {
  ACCOUNT_B,
  awsSettings,
  incidentFor,
  startStandIns,
  traceInput,
  type RunningStandIns,
} from '../../helpers/tracing.ts';

let sandbox: RunningStandIns;
beforeAll(async () => {
  // 20 events per call: a sparse match leaves most pages empty, each with a nextToken.
  sandbox = await startStandIns({ scanPerCall: 20 });
});
afterAll(async () => {
  await sandbox.close();
});

const DAY = 24 * 3600_000;
let groupCount = 0;
const groupName = (prefix = '/app') => `${prefix}/service-${++groupCount}`;

function tracer(logGroups: string[], overrides: Parameters<typeof awsSettings>[0] = {}) {
  return new CloudWatchLogsCopiesTracer({ ...awsSettings(overrides), logGroups, windowMs: 7 * DAY });
}

describe('CloudWatch Logs copies search', () => {
  it('finds the key id and the secret key in log events, with group, stream, time and line', async () => {
    const pair = awsKeyPair();
    const { incident, secret } = incidentFor(JSON.stringify(pair));
    const group = groupName();
    const at = Date.now() - 3600_000;
    await sandbox.seed('logs', {
      logGroupName: group,
      logStreamName: '2026/11/30/[$LATEST]abc',
      events: [
        { message: 'starting up', timestamp: at },
        { message: `config loaded\naws_access_key_id=${pair.accessKeyId}`, timestamp: at + 1000 },
        { message: `retrying with secret ${pair.secretAccessKey} now`, timestamp: at + 2000 },
      ],
    });
    const result = await tracer([group]).trace(traceInput(incident, secret));
    expect(result.copies).toEqual([
      {
        repo: 'aws:123456789012:us-east-1',
        commit: new Date(at + 1000).toISOString(),
        path: `logs:${group}:2026/11/30/[$LATEST]abc`,
        line: 2,
        source: 'copies_search',
      },
      {
        repo: 'aws:123456789012:us-east-1',
        commit: new Date(at + 2000).toISOString(),
        path: `logs:${group}:2026/11/30/[$LATEST]abc`,
        line: 1,
        source: 'copies_search',
      },
    ]);
    expect(result.detail).toMatch(/^cloudwatch-logs: 2 copies in 1 log group across/);
  });

  it('sends the value only in the FilterLogEvents pattern, as quoted alternatives', () => {
    expect(filterPatternFor(['AKIAEXAMPLE'])).toBe('"AKIAEXAMPLE"');
    expect(filterPatternFor(['a+b/c', 'd'])).toBe('?"a+b/c" ?"d"');
  });

  it('follows empty pages that carry a nextToken until the last page', async () => {
    const token = githubToken();
    const { incident, secret } = incidentFor(token);
    const group = groupName();
    const at = Date.now() - 7200_000;
    const noise = Array.from({ length: 95 }, (_, i) => ({ message: `request ${i} ok`, timestamp: at + i }));
    await sandbox.seed('logs', {
      logGroupName: group,
      events: [...noise, { message: `Authorization: token ${token}`, timestamp: at + 500 }],
    });
    const before = sandbox.aws.logs.calls().length;
    const result = await tracer([group]).trace(traceInput(incident, secret));
    expect(result.copies).toHaveLength(1);
    const calls = sandbox.aws.logs
      .calls()
      .slice(before)
      .filter((c) => c.operation === 'FilterLogEvents');
    // 96 events at 20 per call: 5 pages, the match on the last one.
    expect(calls).toHaveLength(5);
  });

  it('does not count a different value that shares the prefix, nor events outside the window', async () => {
    const token = githubToken();
    const { incident, secret } = incidentFor(token);
    const group = groupName();
    const now = Date.now();
    await sandbox.seed('logs', {
      logGroupName: group,
      events: [
        // The token with one more character is a different token.
        { message: `token=${token}X`, timestamp: now - 1000 },
        { message: `old leak ${token}`, timestamp: now - 30 * DAY },
      ],
    });
    const result = await tracer([group]).trace(traceInput(incident, secret));
    expect(result.copies).toEqual([]);
    expect(result.detail).toMatch(/^cloudwatch-logs: 0 copies/);
  });

  it('resolves prefixes ending in * in every configured account, and skips names that do not exist there', async () => {
    const token = githubToken();
    const { incident, secret } = incidentFor(token);
    const prefix = `/prefix-${Date.now()}`;
    await sandbox.seed('logs', { logGroupName: `${prefix}/a`, events: [{ message: token }] });
    await sandbox.seed('logs', {
      account: ACCOUNT_B,
      logGroupName: `${prefix}/b`,
      events: [{ message: `x ${token} y` }],
    });
    const result = await tracer([`${prefix}*`, '/does/not/exist'], {
      accounts: ['123456789012', ACCOUNT_B],
    }).trace(traceInput(incident, secret));
    expect(result.copies?.map((c) => `${c.repo} ${c.path.split(':').slice(0, 2).join(':')}`).sort()).toEqual([
      `aws:123456789012:us-east-1 logs:${prefix}/a`,
      `aws:${ACCOUNT_B}:us-east-1 logs:${prefix}/b`,
    ]);
    expect(result.truncated).toBeUndefined();
  });

  it('records the first 100 copies and counts the rest', async () => {
    const token = githubToken();
    const { incident, secret } = incidentFor(token);
    const group = groupName();
    const at = Date.now() - 3600_000;
    const events = Array.from({ length: 120 }, (_, i) => ({
      message: `call ${i} with ${token}`,
      timestamp: at + i,
    }));
    await sandbox.seed('logs', { logGroupName: group, events });
    const result = await tracer([group]).trace(traceInput(incident, secret));
    expect(result.copies).toHaveLength(100);
    expect(result.truncated).toBe(true);
    expect(result.detail).toMatch(
      /^cloudwatch-logs: at least 120 copies in 1 log group .*; the first 100 are recorded/,
    );
  });

  it('stops at the page budget and marks the result truncated', async () => {
    const token = githubToken();
    const { incident, secret } = incidentFor(token);
    const group = groupName();
    const at = Date.now() - 3600_000;
    const noise = Array.from({ length: 95 }, (_, i) => ({ message: `line ${i}`, timestamp: at + i }));
    await sandbox.seed('logs', {
      logGroupName: group,
      events: [...noise, { message: token, timestamp: at + 99 }],
    });
    const result = await tracer([group], { pageBudget: 2 }).trace(traceInput(incident, secret));
    expect(result.truncated).toBe(true);
    expect(result.copies).toEqual([]);
    expect(result.detail).toContain('1 of 1 stopped early');
  });

  it('keeps the copies found in one account when throttling outlasts the deadline in another', async () => {
    const token = githubToken();
    const { incident, secret } = incidentFor(token);
    const group = groupName();
    await sandbox.seed('logs', { logGroupName: group, events: [{ message: token }] });
    await sandbox.seed('logs', {
      account: ACCOUNT_B,
      logGroupName: group,
      events: [{ message: 'nothing here' }],
    });
    // Every call from the second account is throttled, until the deadline and past it.
    sandbox.fail('logs', 429, { count: 1000, account: ACCOUNT_B });
    const result = await tracer([group], { accounts: ['123456789012', ACCOUNT_B] })
      .trace(traceInput(incident, secret, { deadlineMs: 800 }))
      .finally(() => sandbox.fail('logs', 429, { count: 0 }));
    expect(result.copies?.map((c) => c.repo)).toEqual(['aws:123456789012:us-east-1']);
    expect(result.truncated).toBe(true);
    expect(result.detail).toMatch(/1 failed: 222222222222\/us-east-1: ThrottlingException/);
  });

  it('throws a clear error when every account and Region failed', async () => {
    const { incident, secret } = incidentFor(githubToken());
    sandbox.fail('logs', 403, { count: 1 });
    const failure = await tracer([groupName()])
      .trace(traceInput(incident, secret))
      .catch((e: Error) => e);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(
      /^cloudwatch-logs: every search failed — 123456789012\/us-east-1: AccessDeniedException/,
    );
  });
});
