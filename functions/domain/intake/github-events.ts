/**
 * Turns verified GitHub webhook payloads into scan jobs. Only the fields leakstop reads are typed;
 * anything else in the payload is ignored, and a payload missing what we need is rejected.
 */
import { MAX_COMMITS_PER_JOB, type AlertScanJob, type PushScanJob, type ScanJob } from '../jobs.ts';

export class InvalidPayload extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPayload';
  }
}

export type IntakePlan =
  | { readonly outcome: 'scan'; readonly jobs: readonly ScanJob[]; readonly summary: string }
  | { readonly outcome: 'ignored'; readonly reason: string };

const ZERO_SHA = /^0{40}$/;
const SHA = /^[0-9a-f]{40}$/;

interface RepoFields {
  readonly owner: string;
  readonly name: string;
  readonly installationId?: number;
}

function repoOf(payload: Record<string, unknown>): RepoFields {
  const repository = payload.repository as
    { name?: unknown; owner?: { login?: unknown; name?: unknown } } | undefined;
  const owner = repository?.owner?.login ?? repository?.owner?.name;
  if (typeof repository?.name !== 'string' || typeof owner !== 'string')
    throw new InvalidPayload('repository.name and repository.owner.login are required');
  const installationId = (payload.installation as { id?: unknown } | undefined)?.id;
  return { owner, name: repository.name, ...(typeof installationId === 'number' ? { installationId } : {}) };
}

/** Every commit a push introduced, in bounded jobs; deletions and already-pushed commits are skipped. */
export function planPush(payload: Record<string, unknown>, deliveryId: string): IntakePlan {
  const ref = payload.ref;
  if (typeof ref !== 'string') throw new InvalidPayload('push.ref is required');
  const repo = repoOf(payload);
  if (payload.deleted === true || (typeof payload.after === 'string' && ZERO_SHA.test(payload.after))) {
    return { outcome: 'ignored', reason: `${ref} deleted: nothing new to scan` };
  }
  if (!Array.isArray(payload.commits)) throw new InvalidPayload('push.commits must be an array');
  const commits: string[] = [];
  for (const commit of payload.commits as { id?: unknown; distinct?: unknown }[]) {
    if (typeof commit?.id !== 'string' || !SHA.test(commit.id))
      throw new InvalidPayload('push.commits[].id must be a commit sha');
    // distinct: false means the commit was already pushed (e.g. to another branch) and scanned then.
    if (commit.distinct !== false) commits.push(commit.id);
  }
  if (commits.length === 0)
    return { outcome: 'ignored', reason: `${ref}: no commits that were not pushed before` };
  const jobs: PushScanJob[] = [];
  for (let i = 0; i < commits.length; i += MAX_COMMITS_PER_JOB) {
    jobs.push({ kind: 'push', deliveryId, repo, ref, commits: commits.slice(i, i + MAX_COMMITS_PER_JOB) });
  }
  return {
    outcome: 'scan',
    jobs,
    summary: `${repo.owner}/${repo.name} ${ref}: ${commits.length} commit(s) in ${jobs.length} job(s)`,
  };
}

/** Alert actions that open or update an incident, or record what GitHub learned. */
const ALERT_ACTIONS = new Set(['created', 'reopened', 'publicly_leaked', 'validated', 'resolved']);

export function planSecretScanningAlert(
  event: string,
  payload: Record<string, unknown>,
  deliveryId: string,
): IntakePlan {
  const action = payload.action;
  if (typeof action !== 'string') throw new InvalidPayload(`${event}.action is required`);
  const alertNumber = (payload.alert as { number?: unknown } | undefined)?.number;
  if (!Number.isInteger(alertNumber)) throw new InvalidPayload(`${event}.alert.number is required`);
  const relevant =
    event === 'secret_scanning_alert_location' ? action === 'created' : ALERT_ACTIONS.has(action);
  if (!relevant) return { outcome: 'ignored', reason: `${event}.${action} needs no action` };
  const repo = repoOf(payload);
  const job: AlertScanJob = {
    kind: 'secret_scanning_alert',
    deliveryId,
    repo,
    alertNumber: alertNumber as number,
    action: event === 'secret_scanning_alert_location' ? 'location_created' : action,
  };
  return {
    outcome: 'scan',
    jobs: [job],
    summary: `${repo.owner}/${repo.name} alert #${String(alertNumber)} ${job.action}`,
  };
}

export function planGitHubEvent(event: string, payload: unknown, deliveryId: string): IntakePlan {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new InvalidPayload('payload must be a JSON object');
  const body = payload as Record<string, unknown>;
  switch (event) {
    case 'push':
      return planPush(body, deliveryId);
    case 'secret_scanning_alert':
    case 'secret_scanning_alert_location':
      return planSecretScanningAlert(event, body, deliveryId);
    case 'ping':
      return { outcome: 'ignored', reason: 'ping: webhook reachable' };
    default:
      return { outcome: 'ignored', reason: `event ${event} is not one leakstop acts on` };
  }
}
