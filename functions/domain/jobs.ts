/**
 * The messages that flow between workers over SQS. Bodies carry ids, locations and fingerprints —
 * never a credential value. Every body is validated on receipt: a malformed one fails loudly
 * (and, after its retries, rests in the dead-letter queue) instead of being half-processed.
 */

export interface PushScanJob {
  readonly kind: 'push';
  readonly deliveryId: string;
  readonly repo: { readonly owner: string; readonly name: string; readonly installationId?: number };
  readonly ref: string;
  /** Commits to scan, in push order; at most MAX_COMMITS_PER_JOB per message. */
  readonly commits: readonly string[];
}

export interface AlertScanJob {
  readonly kind: 'secret_scanning_alert';
  readonly deliveryId: string;
  readonly repo: { readonly owner: string; readonly name: string; readonly installationId?: number };
  readonly alertNumber: number;
  readonly action: string;
}

export type ScanJob = PushScanJob | AlertScanJob;

export interface IncidentJob {
  readonly incidentId: string;
}

/** Keeps every scan-jobs message small and every detect invocation well inside its timeout. */
export const MAX_COMMITS_PER_JOB = 10;

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

export function parseScanJob(body: string): ScanJob {
  const job = record(parseJson(body), 'scan job');
  const deliveryId = text(job.deliveryId, 'deliveryId');
  if (job.kind === 'push') {
    if (!Array.isArray(job.commits) || job.commits.length === 0 || job.commits.length > MAX_COMMITS_PER_JOB)
      throw new MalformedMessage(`commits must hold 1 to ${MAX_COMMITS_PER_JOB} shas`);
    const commits = job.commits.map((sha, i) => {
      if (typeof sha !== 'string' || !/^[0-9a-f]{40}$/.test(sha))
        throw new MalformedMessage(`commits[${i}] is not a commit sha`);
      return sha;
    });
    return { kind: 'push', deliveryId, repo: parseRepo(job.repo), ref: text(job.ref, 'ref'), commits };
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
  if (!/^inc_[0-9a-f]{20}$/.test(incidentId)) throw new MalformedMessage('incidentId is not an incident id');
  return { incidentId };
}
