/**
 * Turns verified GitHub webhook payloads into scan jobs. Only the fields leakstop reads are typed;
 * anything else in the payload is ignored, and a payload missing what we need is rejected.
 */
import {
  MAX_PAYLOAD_COMMITS,
  PUSH_FANOUT_COMMITS,
  type AlertScanJob,
  type FanoutSource,
  type PushFanoutJob,
  type ScanJob,
} from '../jobs.ts';
import { pushJobs } from './push-fanout.ts';

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

function sha(value: unknown, what: string): string {
  if (typeof value !== 'string' || !SHA.test(value)) throw new InvalidPayload(`${what} must be a commit sha`);
  return value;
}

/**
 * Every commit a push introduced, in bounded jobs:
 * - the payload's commits not pushed before (`distinct: false` ones were scanned when first pushed),
 *   the first PUSH_FANOUT_COMMITS as push jobs now, the rest as a fan-out list;
 * - a new branch or tag (`before` all zeros) is also compared with the default branch, because the
 *   payload of a ref created on existing commits lists none of them;
 * - a forced push, or a payload at GitHub's 2048-commit cap, is also compared `before...after`;
 * - a first push of the default branch beyond the cap walks the history from `after`.
 * Overlaps between these sources cost nothing: the scan ledger skips commits already scanned.
 * Deletions (branch or tag) introduce nothing and are ignored.
 */
export function planPush(payload: Record<string, unknown>, deliveryId: string): IntakePlan {
  const ref = payload.ref;
  if (typeof ref !== 'string') throw new InvalidPayload('push.ref is required');
  const repo = repoOf(payload);
  if (payload.deleted === true || (typeof payload.after === 'string' && ZERO_SHA.test(payload.after))) {
    return { outcome: 'ignored', reason: `${ref} deleted: nothing new to scan` };
  }
  const after = sha(payload.after, 'push.after');
  const before = typeof payload.before === 'string' && SHA.test(payload.before) ? payload.before : undefined;
  if (!Array.isArray(payload.commits)) throw new InvalidPayload('push.commits must be an array');
  const listed: string[] = [];
  for (const commit of payload.commits as { id?: unknown; distinct?: unknown }[]) {
    const id = sha(commit?.id, 'push.commits[].id');
    if (commit.distinct !== false) listed.push(id);
  }
  const isTag = ref.startsWith('refs/tags/');
  // An annotated tag's `after` is the tag object; head_commit is the commit it points at.
  const headCommit = (payload.head_commit as { id?: unknown } | null | undefined)?.id;
  const head = isTag && typeof headCommit === 'string' && SHA.test(headCommit) ? headCommit : after;
  const defaultBranch = (payload.repository as { default_branch?: unknown }).default_branch;
  const isNewRef = before === undefined || ZERO_SHA.test(before);
  const truncated = payload.commits.length >= MAX_PAYLOAD_COMMITS;

  let range: FanoutSource | undefined;
  let why = '';
  if (isNewRef) {
    const onDefault = typeof defaultBranch === 'string' && ref === `refs/heads/${defaultBranch}`;
    if (typeof defaultBranch === 'string' && !onDefault) {
      range = { type: 'compare', base: defaultBranch, head, page: 1, orHistory: true };
      why = `new ${isTag ? 'tag' : 'branch'} compared with ${defaultBranch}`;
    } else if (truncated || typeof defaultBranch !== 'string') {
      range = { type: 'history', head, page: 1 };
      why = 'first push: history walked';
    }
  } else if (payload.forced === true || truncated) {
    range = { type: 'compare', base: before, head, page: 1 };
    why =
      payload.forced === true ? 'forced push compared with its old head' : 'payload at the 2048-commit cap';
  }

  const base = { deliveryId, repo, ref };
  const jobs: ScanJob[] = pushJobs(base, listed.slice(0, PUSH_FANOUT_COMMITS));
  const rest = listed.slice(PUSH_FANOUT_COMMITS);
  if (rest.length > 0)
    jobs.push({
      kind: 'push_fanout',
      ...base,
      source: { type: 'list', commits: rest },
    } satisfies PushFanoutJob);
  if (range) jobs.push({ kind: 'push_fanout', ...base, source: range } satisfies PushFanoutJob);
  if (jobs.length === 0)
    return { outcome: 'ignored', reason: `${ref}: no commits that were not pushed before` };
  return {
    outcome: 'scan',
    jobs,
    summary: `${repo.owner}/${repo.name} ${ref}: ${listed.length} listed commit(s)${why ? `, ${why}` : ''}`,
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
