import { describe, expect, it } from 'vitest';
import {
  fanOutPush,
  MAX_HISTORY_PAGES,
  type FanoutDeps,
} from '../../../functions/domain/intake/push-fanout.ts';
import type { PushFanoutJob, ScanJob } from '../../../functions/domain/jobs.ts';
import type { ClaimLedger, CommitPage, ScanLedger, SourceHost } from '../../../functions/domain/ports.ts';
import { RecordingQueue } from '../../helpers/fakes.ts';

const sha = (n: number) => n.toString(16).padStart(40, '0');

/** Port doubles: the behaviour under test is the step's decisions, not GitHub's or DynamoDB's. */
function deps(source: Partial<SourceHost>, scanned: ReadonlySet<string> = new Set()) {
  const claims = new Map<string, 'claimed' | 'done'>();
  const claimLedger: ClaimLedger = {
    async claim(key) {
      if (claims.has(key)) return 'duplicate';
      claims.set(key, 'claimed');
      return 'claimed';
    },
    async complete(key) {
      claims.set(key, 'done');
    },
    async release(key) {
      claims.delete(key);
    },
  };
  const ledger: ScanLedger = {
    scanned: async (_repo, shas) => new Set(shas.filter((s) => scanned.has(s))),
    markScanned: async () => undefined,
  };
  const scanJobs = new RecordingQueue<ScanJob>();
  const d: FanoutDeps = {
    source: source as SourceHost,
    ledger,
    scanJobs,
    claims: claimLedger,
    clock: { now: () => new Date() },
  };
  return { d, scanJobs, claims };
}

const job = (source: PushFanoutJob['source']): PushFanoutJob => ({
  kind: 'push_fanout',
  deliveryId: 'd1',
  repo: { owner: 'acme', name: 'api' },
  ref: 'refs/heads/orphan',
  source,
});

describe('a fan-out step', () => {
  it('falls back to walking the history when a new ref shares no history with the default branch', async () => {
    const { d, scanJobs } = deps({ compareCommits: async () => undefined });
    const outcome = await fanOutPush(
      job({ type: 'compare', base: 'main', head: sha(9), page: 1, orHistory: true }),
      d,
    );
    expect(outcome).toMatchObject({ outcome: 'scheduled', scheduled: 0, continued: true });
    expect(scanJobs.sent).toEqual([job({ type: 'history', head: sha(9), page: 1 })]);
  });

  it('ends, saying why, when a forced push’s old head can no longer be compared', async () => {
    const { d, scanJobs } = deps({ compareCommits: async () => undefined });
    const outcome = await fanOutPush(job({ type: 'compare', base: sha(1), head: sha(9), page: 1 }), d);
    expect(outcome).toMatchObject({
      outcome: 'scheduled',
      continued: false,
      note: expect.stringContaining('cannot compare'),
    });
    expect(scanJobs.sent).toEqual([]);
  });

  it('schedules only commits the ledger does not know, ten per job, and its continuation last', async () => {
    const page: CommitPage = { commits: Array.from({ length: 100 }, (_, i) => sha(i + 1)), nextPage: 2 };
    const { d, scanJobs } = deps({ listCommits: async () => page }, new Set([sha(1), sha(2)]));
    const outcome = await fanOutPush(job({ type: 'history', head: sha(500), page: 1 }), d);
    expect(outcome).toMatchObject({ scheduled: 98, seenBefore: 2, continued: true });
    expect(scanJobs.sent.map((m) => m.kind)).toEqual([...Array(10).fill('push'), 'push_fanout']);
    expect(scanJobs.sent.at(-1)).toEqual(job({ type: 'history', head: sha(500), page: 2 }));
  });

  it('does nothing for a step delivered again, and releases its claim when sending fails', async () => {
    const page: CommitPage = { commits: [sha(1)] };
    const { d, scanJobs, claims } = deps({ listCommits: async () => page });
    const step = job({ type: 'history', head: sha(9), page: 3 });
    await fanOutPush(step, d);
    expect(await fanOutPush(step, d)).toEqual({ outcome: 'duplicate' });
    expect(scanJobs.sent).toHaveLength(1);

    const failing = { ...d, scanJobs: { send: async () => Promise.reject(new Error('SQS is down')) } };
    await expect(fanOutPush(job({ type: 'history', head: sha(9), page: 4 }), failing)).rejects.toThrow(
      'SQS is down',
    );
    expect([...claims.keys()].some((k) => k.endsWith(':4'))).toBe(false);
  });

  it('stops a history walk at its cap and says so', async () => {
    const { d, scanJobs } = deps({
      listCommits: async () => ({ commits: [sha(1)], nextPage: MAX_HISTORY_PAGES + 1 }),
    });
    const outcome = await fanOutPush(job({ type: 'history', head: sha(9), page: MAX_HISTORY_PAGES }), d);
    expect(outcome).toMatchObject({
      continued: false,
      note: expect.stringContaining('older commits were not scheduled'),
    });
    expect(scanJobs.sent.map((m) => m.kind)).toEqual(['push']);
  });
});
