/**
 * One fan-out step of a large push: take the next PUSH_FANOUT_COMMITS commits (from the payload's
 * list, a compare page or a history page), drop those the scan ledger already knows, enqueue them as
 * push jobs of MAX_COMMITS_PER_JOB, and enqueue the continuation behind them.
 *
 * Why steps instead of every job at once: the scan-jobs queue is one queue read by a bounded number
 * of detect invocations. A 2048-commit push enqueued whole would put 205 jobs ahead of every other
 * repository's next push. In steps, a giant push holds at most eleven messages in the queue at any
 * time, and its continuation waits behind whatever arrived meanwhile, so other repositories' work is
 * interleaved with it instead of queued behind it.
 *
 * Each step is claimed (FANOUT ledger) so a redelivered step does not fork a second chain.
 */
import {
  MAX_COMMITS_PER_JOB,
  PUSH_FANOUT_COMMITS,
  type FanoutSource,
  type PushFanoutJob,
  type PushScanJob,
  type ScanJob,
  withoutDeferrals,
} from '../jobs.ts';
import type { ClaimLedger, Clock, CommitPage, Queue, ScanLedger, SourceHost } from '../ports.ts';

/** A history walk stops after this many pages (100 commits each) and says so in the logs. */
export const MAX_HISTORY_PAGES = 500;

export interface FanoutDeps {
  readonly source: SourceHost;
  readonly ledger: ScanLedger;
  readonly scanJobs: Queue<ScanJob>;
  readonly claims: ClaimLedger;
  readonly clock: Clock;
}

export type FanoutOutcome =
  | {
      readonly outcome: 'scheduled';
      /** Commits put into push jobs by this step. */
      readonly scheduled: number;
      /** Commits of this step the ledger already knew. */
      readonly seenBefore: number;
      readonly continued: boolean;
      /** Set when the step ended the walk early: a comparison that is impossible, or a history cap. */
      readonly note?: string;
    }
  | { readonly outcome: 'duplicate' };

export function fanoutKey(job: PushFanoutJob): string {
  const { source } = job;
  const where =
    source.type === 'list'
      ? `list:${source.commits.length}:${source.commits[0]}`
      : source.type === 'compare'
        ? `compare:${source.base}...${source.head}:${source.page}`
        : `history:${source.head}:${source.page}`;
  return `${job.deliveryId}:${job.repo.owner}/${job.repo.name}:${where}`;
}

/** Splits commits into push jobs of at most MAX_COMMITS_PER_JOB, in order. */
export function pushJobs(
  base: Omit<PushScanJob, 'kind' | 'commits'>,
  commits: readonly string[],
): PushScanJob[] {
  const jobs: PushScanJob[] = [];
  for (let i = 0; i < commits.length; i += MAX_COMMITS_PER_JOB)
    jobs.push({ kind: 'push', ...base, commits: commits.slice(i, i + MAX_COMMITS_PER_JOB) });
  return jobs;
}

async function nextCommits(
  job: PushFanoutJob,
  source: SourceHost,
): Promise<{ commits: readonly string[]; next?: FanoutSource; note?: string }> {
  const { source: from } = job;
  if (from.type === 'list') {
    const rest = from.commits.slice(PUSH_FANOUT_COMMITS);
    return {
      commits: from.commits.slice(0, PUSH_FANOUT_COMMITS),
      ...(rest.length > 0 ? { next: { type: 'list', commits: rest } } : {}),
    };
  }
  let page: CommitPage | undefined;
  if (from.type === 'compare') {
    page = await source.compareCommits(job.repo, from.base, from.head, from.page);
    if (!page) {
      if (from.orHistory) return { commits: [], next: { type: 'history', head: from.head, page: 1 } };
      // A force-push whose old head is gone: the payload's own commit list was scheduled already.
      return { commits: [], note: `cannot compare ${from.base}...${from.head}` };
    }
  } else {
    page = await source.listCommits(job.repo, from.head, from.page);
    if (page.nextPage !== undefined && from.page >= MAX_HISTORY_PAGES)
      return {
        commits: page.commits,
        note: `history of ${from.head} is longer than ${MAX_HISTORY_PAGES * 100} commits; older commits were not scheduled`,
      };
  }
  return {
    commits: page.commits,
    ...(page.nextPage !== undefined ? { next: { ...from, page: page.nextPage } } : {}),
  };
}

export async function fanOutPush(job: PushFanoutJob, deps: FanoutDeps): Promise<FanoutOutcome> {
  const key = fanoutKey(job);
  if ((await deps.claims.claim(key, deps.clock.now())) === 'duplicate') return { outcome: 'duplicate' };
  try {
    const { commits, next, note } = await nextCommits(job, deps.source);
    const repo = `${job.repo.owner}/${job.repo.name}`;
    const seen = commits.length
      ? await deps.ledger.scanned(repo, commits, deps.clock.now())
      : new Set<string>();
    const fresh = [...new Set(commits)].filter((sha) => !seen.has(sha));
    const messages: ScanJob[] = pushJobs({ deliveryId: job.deliveryId, repo: job.repo, ref: job.ref }, fresh);
    // The continuation goes last, behind this step's jobs and whatever other repositories queued.
    if (next) messages.push({ ...withoutDeferrals(job), source: next });
    await deps.scanJobs.send(messages);
    await deps.claims.complete(key, deps.clock.now());
    return {
      outcome: 'scheduled',
      scheduled: fresh.length,
      seenBefore: commits.length - fresh.length,
      continued: next !== undefined,
      ...(note ? { note } : {}),
    };
  } catch (error) {
    await deps.claims.release(key);
    throw error;
  }
}
