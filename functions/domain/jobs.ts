/**
 * The messages that flow between workers over SQS. Bodies carry ids, locations and fingerprints —
 * never a credential value. Every body is validated on receipt: a malformed one fails loudly
 * (and, after its retries, rests in the dead-letter queue) instead of being half-processed.
 */
import { isIncidentId } from './incidents/incident.ts';

export interface PushScanJob {
  readonly kind: 'push';
  readonly deliveryId: string;
  readonly repo: { readonly owner: string; readonly name: string; readonly installationId?: number };
  readonly ref: string;
  /** Commits to scan, in push order; at most MAX_COMMITS_PER_JOB per message. */
  readonly commits: readonly string[];
  /**
   * Scan only this page (≥ 2) of the one commit's files: a commit touching more files than fit on
   * one page is split into one job per page, so no job reads more than a page or two.
   */
  readonly filePage?: number;
}

/** Where a fan-out step finds its commits. */
export type FanoutSource =
  /** Commits listed in the push payload that the first jobs did not take, in push order. */
  | { readonly type: 'list'; readonly commits: readonly string[] }
  /**
   * `base...head` (compare API), one page of PUSH_FANOUT_COMMITS per step. With `orHistory`, refs
   * that cannot be compared (no history in common with the default branch) fall back to `history`.
   */
  | {
      readonly type: 'compare';
      readonly base: string;
      readonly head: string;
      readonly page: number;
      readonly orHistory?: boolean;
    }
  /** Everything reachable from `head` (a first push, or refs with no history in common). */
  | { readonly type: 'history'; readonly head: string; readonly page: number };

/**
 * One step of turning a large push into push jobs: it schedules at most PUSH_FANOUT_COMMITS commits
 * and puts its continuation at the back of the queue, so a giant push never holds more than a step's
 * worth of messages ahead of other repositories' work.
 */
export interface PushFanoutJob {
  readonly kind: 'push_fanout';
  readonly deliveryId: string;
  readonly repo: { readonly owner: string; readonly name: string; readonly installationId?: number };
  readonly ref: string;
  readonly source: FanoutSource;
}

export interface AlertScanJob {
  readonly kind: 'secret_scanning_alert';
  readonly deliveryId: string;
  readonly repo: { readonly owner: string; readonly name: string; readonly installationId?: number };
  readonly alertNumber: number;
  readonly action: string;
}

export type ScanJob = (PushScanJob | PushFanoutJob | AlertScanJob) & {
  /** How many times the job was put back because the source host's rate limit was spent. */
  readonly deferrals?: number;
};

/** A job deferred this often (chained SQS delays of up to 15 minutes: over three hours) fails normally. */
export const MAX_SCAN_JOB_DEFERRALS = 14;
/** SQS's longest message delay. */
const MAX_DELAY_SECONDS = 900;

/** A job's follow-up (next fan-out step, remaining commits, file pages) starts with no deferrals: it is progress. */
export function withoutDeferrals<T extends ScanJob>(job: T): Omit<T, 'deferrals'> {
  const { deferrals: _deferrals, ...rest } = job;
  return rest;
}

/**
 * The message that puts `job` back until the rate limit resets, or undefined once it was deferred
 * MAX_SCAN_JOB_DEFERRALS times (then it fails, is retried by SQS and ends in the DLQ).
 */
export function deferScanJob(
  job: ScanJob,
  until: number,
  now: number,
): { readonly job: ScanJob; readonly delaySeconds: number } | undefined {
  const deferrals = job.deferrals ?? 0;
  if (deferrals >= MAX_SCAN_JOB_DEFERRALS) return undefined;
  // A second past the reset, at least a second, at most SQS's longest delay (chained beyond it).
  const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.max(1, Math.ceil((until - now) / 1000) + 1));
  return { job: { ...job, deferrals: deferrals + 1 }, delaySeconds };
}

export interface IncidentJob {
  readonly incidentId: string;
  /** `finish`: the containment was decided; what remains is tracing and the vault (the tracing queue). */
  readonly step?: 'finish';
  /**
   * A notification that matters only while the incident still has this status (the delayed
   * "containing" notice): whatever moved it on sent its own notification.
   */
  readonly ifStatus?: 'containing';
}

/** Keeps every scan-jobs message small and every detect invocation well inside its timeout. */
export const MAX_COMMITS_PER_JOB = 10;

/** Commits one fan-out step schedules: ten push jobs, one SendMessageBatch (plus the continuation). */
export const PUSH_FANOUT_COMMITS = 10 * MAX_COMMITS_PER_JOB;

/** GitHub lists at most 2048 commits in a push payload; a fan-out list never holds more. */
export const MAX_PAYLOAD_COMMITS = 2048;

/** GitHub lists a commit's files 300 per page, up to 3000 files (10 pages). */
export const MAX_COMMIT_FILE_PAGES = 10;

export class MalformedMessage extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedMessage';
  }
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new MalformedMessage(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new MalformedMessage(`${what} must be a non-empty string`);
  return value;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new MalformedMessage('message body is not JSON');
  }
}

function parseRepo(value: unknown): PushScanJob['repo'] {
  const repo = record(value, 'repo');
  const installationId = repo.installationId;
  if (installationId !== undefined && !Number.isInteger(installationId))
    throw new MalformedMessage('repo.installationId must be an integer');
  return {
    owner: text(repo.owner, 'repo.owner'),
    name: text(repo.name, 'repo.name'),
    ...(installationId === undefined ? {} : { installationId: installationId as number }),
  };
}

const SHA = /^[0-9a-f]{40}$/;

function shas(value: unknown, max: number, what: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > max)
    throw new MalformedMessage(`${what} must hold 1 to ${max} shas`);
  return value.map((sha, i) => {
    if (typeof sha !== 'string' || !SHA.test(sha))
      throw new MalformedMessage(`${what}[${i}] is not a commit sha`);
    return sha;
  });
}

function page(value: unknown, what: string): number {
  if (!Number.isInteger(value) || (value as number) < 1)
    throw new MalformedMessage(`${what} must be a page number`);
  return value as number;
}

/** A commit sha or a ref name (a compare base such as the default branch). */
function revision(value: unknown, what: string): string {
  const rev = text(value, what);
  if (!/^[A-Za-z0-9._/-]{1,255}$/.test(rev) || rev.includes('..'))
    throw new MalformedMessage(`${what} is not a commit sha or ref name`);
  return rev;
}

function parseFanoutSource(value: unknown): FanoutSource {
  const source = record(value, 'source');
  switch (source.type) {
    case 'list':
      return { type: 'list', commits: shas(source.commits, MAX_PAYLOAD_COMMITS, 'source.commits') };
    case 'compare':
      return {
        type: 'compare',
        base: revision(source.base, 'source.base'),
        head: revision(source.head, 'source.head'),
        page: page(source.page, 'source.page'),
        ...(source.orHistory === true ? { orHistory: true } : {}),
      };
    case 'history':
      return {
        type: 'history',
        head: revision(source.head, 'source.head'),
        page: page(source.page, 'source.page'),
      };
    default:
      throw new MalformedMessage(`unknown fan-out source ${JSON.stringify(source.type)}`);
  }
}

export function parseScanJob(body: string): ScanJob {
  const job = record(parseJson(body), 'scan job');
  const parsed = parseScanJobKind(job);
  if (job.deferrals === undefined) return parsed;
  const deferrals = job.deferrals;
  if (
    typeof deferrals !== 'number' ||
    !Number.isInteger(deferrals) ||
    deferrals < 0 ||
    deferrals > MAX_SCAN_JOB_DEFERRALS
  )
    throw new MalformedMessage(`deferrals must be an integer from 0 to ${MAX_SCAN_JOB_DEFERRALS}`);
  return { ...parsed, deferrals };
}

function parseScanJobKind(job: Record<string, unknown>): ScanJob {
  const deliveryId = text(job.deliveryId, 'deliveryId');
  if (job.kind === 'push') {
    const commits = shas(job.commits, MAX_COMMITS_PER_JOB, 'commits');
    const base = {
      kind: 'push',
      deliveryId,
      repo: parseRepo(job.repo),
      ref: text(job.ref, 'ref'),
      commits,
    } as const;
    if (job.filePage === undefined) return base;
    const filePage = page(job.filePage, 'filePage');
    if (filePage < 2 || filePage > MAX_COMMIT_FILE_PAGES || commits.length !== 1)
      throw new MalformedMessage(`filePage must be 2 to ${MAX_COMMIT_FILE_PAGES}, for a single commit`);
    return { ...base, filePage };
  }
  if (job.kind === 'push_fanout') {
    return {
      kind: 'push_fanout',
      deliveryId,
      repo: parseRepo(job.repo),
      ref: text(job.ref, 'ref'),
      source: parseFanoutSource(job.source),
    };
  }
  if (job.kind === 'secret_scanning_alert') {
    if (!Number.isInteger(job.alertNumber)) throw new MalformedMessage('alertNumber must be an integer');
    return {
      kind: 'secret_scanning_alert',
      deliveryId,
      repo: parseRepo(job.repo),
      alertNumber: job.alertNumber as number,
      action: text(job.action, 'action'),
    };
  }
  throw new MalformedMessage(`unknown scan job kind ${JSON.stringify(job.kind)}`);
}

export function parseIncidentJob(body: string): IncidentJob {
  const job = record(parseJson(body), 'incident job');
  const incidentId = text(job.incidentId, 'incidentId');
  if (!isIncidentId(incidentId)) throw new MalformedMessage('incidentId is not an incident id');
  if (job.step !== undefined && job.step !== 'finish')
    throw new MalformedMessage(`unknown incident job step ${JSON.stringify(job.step)}`);
  if (job.ifStatus !== undefined && job.ifStatus !== 'containing')
    throw new MalformedMessage(`unknown incident job condition ${JSON.stringify(job.ifStatus)}`);
  return {
    incidentId,
    ...(job.step ? { step: job.step } : {}),
    ...(job.ifStatus ? { ifStatus: job.ifStatus } : {}),
  };
}
