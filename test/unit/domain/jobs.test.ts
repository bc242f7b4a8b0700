import { describe, expect, it } from 'vitest';
import {
  deferScanJob,
  MAX_SCAN_JOB_DEFERRALS,
  MalformedMessage,
  parseIncidentJob,
  parseScanJob,
  withoutDeferrals,
  type ScanJob,
} from '../../../functions/domain/jobs.ts';

const sha = 'a'.repeat(40);

describe('scan job messages', () => {
  it('parses a push job with its repository and commits', () => {
    const job = parseScanJob(
      JSON.stringify({
        kind: 'push',
        deliveryId: 'd1',
        repo: { owner: 'acme', name: 'api', installationId: 7 },
        ref: 'refs/heads/main',
        commits: [sha],
      }),
    );
    expect(job).toEqual({
      kind: 'push',
      deliveryId: 'd1',
      repo: { owner: 'acme', name: 'api', installationId: 7 },
      ref: 'refs/heads/main',
      commits: [sha],
    });
  });

  it.each([
    ['not JSON', '{'],
    ['an array', '[]'],
    ['an unknown kind', JSON.stringify({ kind: 'pull', deliveryId: 'd' })],
    [
      'no commits',
      JSON.stringify({
        kind: 'push',
        deliveryId: 'd',
        repo: { owner: 'a', name: 'b' },
        ref: 'r',
        commits: [],
      }),
    ],
    [
      'a commit that is not a sha',
      JSON.stringify({
        kind: 'push',
        deliveryId: 'd',
        repo: { owner: 'a', name: 'b' },
        ref: 'r',
        commits: ['HEAD'],
      }),
    ],
    [
      'more than ten commits',
      JSON.stringify({
        kind: 'push',
        deliveryId: 'd',
        repo: { owner: 'a', name: 'b' },
        ref: 'r',
        commits: Array(11).fill(sha),
      }),
    ],
  ])('rejects %s with MalformedMessage', (_what, body) => {
    expect(() => parseScanJob(body)).toThrow(MalformedMessage);
  });

  it('accepts only incident ids of the form leakstop issues', () => {
    expect(parseIncidentJob('{"incidentId":"inc_0123456789abcdef0123"}').incidentId).toBe(
      'inc_0123456789abcdef0123',
    );
    expect(() => parseIncidentJob('{"incidentId":"../etc"}')).toThrow(MalformedMessage);
  });

  it('reads the finish step of a tracing-queue job and refuses any other step', () => {
    expect(parseIncidentJob('{"incidentId":"inc_0123456789abcdef0123","step":"finish"}')).toEqual({
      incidentId: 'inc_0123456789abcdef0123',
      step: 'finish',
    });
    expect(() => parseIncidentJob('{"incidentId":"inc_0123456789abcdef0123","step":"revoke"}')).toThrow(
      MalformedMessage,
    );
  });

  it('reads a notification meant only while containing, and refuses other conditions', () => {
    expect(parseIncidentJob('{"incidentId":"inc_0123456789abcdef0123","ifStatus":"containing"}')).toEqual({
      incidentId: 'inc_0123456789abcdef0123',
      ifStatus: 'containing',
    });
    expect(() => parseIncidentJob('{"incidentId":"inc_0123456789abcdef0123","ifStatus":"open"}')).toThrow(
      MalformedMessage,
    );
  });
});

describe('push fan-out and page messages', () => {
  const repo = { owner: 'acme', name: 'api' };
  const fanout = (source: unknown) =>
    JSON.stringify({ kind: 'push_fanout', deliveryId: 'd', repo, ref: 'refs/heads/main', source });

  it('parses each fan-out source', () => {
    expect(parseScanJob(fanout({ type: 'list', commits: [sha] }))).toMatchObject({
      kind: 'push_fanout',
      source: { type: 'list', commits: [sha] },
    });
    expect(
      parseScanJob(fanout({ type: 'compare', base: 'release/2.x', head: sha, page: 3, orHistory: true })),
    ).toMatchObject({
      source: { type: 'compare', base: 'release/2.x', head: sha, page: 3, orHistory: true },
    });
    expect(parseScanJob(fanout({ type: 'history', head: sha, page: 1 }))).toMatchObject({
      source: { type: 'history', head: sha, page: 1 },
    });
  });

  it.each([
    ['an unknown source', { type: 'tree', head: sha }],
    ['an empty list', { type: 'list', commits: [] }],
    ['a list over the payload cap', { type: 'list', commits: Array(2049).fill(sha) }],
    ['a base that climbs out of the path', { type: 'compare', base: '../../x', head: sha, page: 1 }],
    ['page 0', { type: 'history', head: sha, page: 0 }],
  ])('rejects %s as MalformedMessage', (_, source) => {
    expect(() => parseScanJob(fanout(source))).toThrow(MalformedMessage);
  });

  it('accepts a file page only for a single commit, from 2 to 10', () => {
    const job = (commits: string[], filePage: number) =>
      JSON.stringify({ kind: 'push', deliveryId: 'd', repo, ref: 'r', commits, filePage });
    expect(parseScanJob(job([sha], 3))).toMatchObject({ filePage: 3 });
    for (const bad of [job([sha], 1), job([sha], 11), job([sha, sha], 2)])
      expect(() => parseScanJob(bad)).toThrow(MalformedMessage);
  });
});

describe('deferring a scan job while the source host is rate limited', () => {
  const job: ScanJob = {
    kind: 'push',
    deliveryId: 'd1',
    repo: { owner: 'acme', name: 'api' },
    ref: 'refs/heads/main',
    commits: [sha],
  };
  const now = 1_800_000_000_000;

  it('waits a second past the reset, within SQS’s 15-minute maximum, and counts the deferral', () => {
    expect(deferScanJob(job, now + 30_000, now)).toEqual({ job: { ...job, deferrals: 1 }, delaySeconds: 31 });
    expect(deferScanJob(job, now + 3_600_000, now)?.delaySeconds).toBe(900);
    expect(deferScanJob(job, now - 5000, now)?.delaySeconds).toBe(1);
    expect(deferScanJob({ ...job, deferrals: 3 }, now + 1000, now)?.job.deferrals).toBe(4);
  });

  it('stops deferring after the maximum, so a limit that never resets ends in the DLQ', () => {
    expect(deferScanJob({ ...job, deferrals: MAX_SCAN_JOB_DEFERRALS }, now + 1000, now)).toBeUndefined();
  });

  it('round-trips the deferral count through the message and rejects a bad one', () => {
    const deferred = deferScanJob(job, now + 1000, now)!.job;
    expect(parseScanJob(JSON.stringify(deferred))).toEqual(deferred);
    for (const bad of [-1, 1.5, '2', MAX_SCAN_JOB_DEFERRALS + 1])
      expect(() => parseScanJob(JSON.stringify({ ...job, deferrals: bad })), String(bad)).toThrow(
        MalformedMessage,
      );
  });

  it('gives follow-up jobs a fresh count: progress was made', () => {
    expect(withoutDeferrals({ ...job, deferrals: 5 })).toEqual(job);
  });
});
