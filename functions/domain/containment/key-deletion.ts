/**
 * Grace-period deletion of contained AWS access keys (issue: "deletion after a configurable grace
 * period, default never automatic"). Containment deactivates a leaked key and quarantines its user;
 * the key itself stays, inactive, so its owner can see what it was and CloudTrail keeps naming it.
 * Where an operator opts in (`LEAKSTOP_AWS_KEY_DELETE_AFTER`, e.g. `7d`), a periodic sweep deletes
 * keys whose verified containment is older than the grace period.
 *
 * The sweep never holds the key id: the vault entry is gone once containment ends. It finds the
 * key among its user's keys by fingerprint (the same keyed HMAC detection computed), and deletes
 * it only while it is still inactive: a key someone re-activated is left for a person. Each
 * incident's deletion is recorded once (`updateOnce`); a redelivered or overlapping sweep that
 * finds the key already deleted records nothing twice.
 */
import { SYSTEM, type Incident, type IncidentStatus, type KeyDeletion } from '../incidents/incident.ts';
import type { IncidentJob } from '../jobs.ts';
import type { Clock, IncidentRepository, Queue } from '../ports.ts';
import type { CredentialOwner } from './revokers.ts';
import { ProviderError } from './revokers.ts';

/** What deleting one key came to. `gone`: no key of the user has this fingerprint any more. */
export type KeyDeletionOutcome =
  | { readonly outcome: 'deleted'; readonly actions: readonly string[] }
  | { readonly outcome: 'gone'; readonly reason: string }
  | { readonly outcome: 'skipped'; readonly reason: string };

/** The port the AWS adapter implements (functions/adapters/aws/delete-aws-key.ts). */
export interface KeyDeleter {
  /** Deletes the user's key whose fingerprint is `fingerprint`, if it is still inactive. Throws ProviderError. */
  deleteKey(owner: CredentialOwner, fingerprint: string): Promise<KeyDeletionOutcome>;
}

/** Statuses in which the key was proven dead by leakstop and no person said otherwise. */
const DELETABLE: ReadonlySet<IncidentStatus> = new Set<IncidentStatus>([
  'contained',
  'scoping',
  'scope_corrected',
  'scope_review_needed',
  'resolved',
]);

export const DELETABLE_TYPES = ['aws_access_key'] as const;

/** `never` (or empty) → undefined; `30s` (trying it out), `90m`, `36h`, `7d` → milliseconds. Throws on anything else. */
export function parseGracePeriod(
  value: string | undefined,
  name = 'LEAKSTOP_AWS_KEY_DELETE_AFTER',
): number | undefined {
  const text = (value ?? '').trim();
  if (text === '' || text === 'never') return undefined;
  const m = /^(\d+)\s*(s|m|h|d)$/.exec(text);
  const amount = m ? Number(m[1]) : NaN;
  if (!m || !Number.isSafeInteger(amount) || amount <= 0)
    throw new Error(`${name} must be 'never' or a duration such as 90m, 36h or 7d, not '${text}'`);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return amount * unit;
}

export interface KeyDeletionDeps {
  readonly incidents: IncidentRepository;
  readonly deleter: KeyDeleter;
  /** The Slack card shows the deletion: one job per incident whose deletion was recorded. */
  readonly notifications: Queue<IncidentJob>;
  readonly clock: Clock;
  /** Grace period after `verifiedAt`; undefined: never delete (the sweep does nothing). */
  readonly afterMs: number | undefined;
  /**
   * How far before the grace period the sweep looks for detections (default 90 days): keys whose
   * containment took longer than this after detection are left for a person.
   */
  readonly lookbackMs?: number;
  /** Epoch milliseconds by which the sweep stops taking new incidents (the invocation's budget). */
  readonly deadline?: number;
  /** Failures to reach AWS for one incident, reported to the log; the next sweep tries again. */
  readonly onError?: (incidentId: string, error: unknown) => void;
}

export interface KeyDeletionReport {
  readonly considered: number;
  readonly deleted: number;
  readonly gone: number;
  readonly skipped: number;
  readonly failed: number;
  /** True when the deadline stopped the sweep before it had looked at every due incident. */
  readonly incomplete: boolean;
}

const DAY_MS = 86_400_000;
const PAGE = 100;

/** One sweep: every AWS key incident whose verified containment is older than the grace period. */
export async function sweepKeyDeletions(deps: KeyDeletionDeps): Promise<KeyDeletionReport> {
  const report = { considered: 0, deleted: 0, gone: 0, skipped: 0, failed: 0, incomplete: false };
  if (deps.afterMs === undefined) return report;
  const now = deps.clock.now().getTime();
  const dueBefore = now - deps.afterMs;
  const from = new Date(dueBefore - (deps.lookbackMs ?? 90 * DAY_MS)).toISOString();
  // verifiedAt ≥ detectedAt, so nothing detected after `dueBefore` can be due yet.
  const to = new Date(dueBefore).toISOString();
  for (const type of DELETABLE_TYPES) {
    let cursor: string | undefined;
    do {
      const page = await deps.incidents.list({ type, from, to, limit: PAGE, ...(cursor ? { cursor } : {}) });
      for (const incident of page.items) {
        if (!isDue(incident, dueBefore)) continue;
        if (deps.deadline !== undefined && deps.clock.now().getTime() >= deps.deadline) {
          report.incomplete = true;
          return report;
        }
        report.considered += 1;
        try {
          const outcome = await deleteOne(incident, deps);
          if (outcome) report[outcome] += 1;
        } catch (error) {
          if (!(error instanceof ProviderError)) throw error;
          report.failed += 1;
          deps.onError?.(incident.id, error);
        }
      }
      cursor = page.cursor;
    } while (cursor);
  }
  return report;
}

function isDue(incident: Incident, dueBefore: number): boolean {
  if (incident.keyDeletion || !DELETABLE.has(incident.status)) return false;
  const verifiedAt = incident.phases.verifiedAt;
  return verifiedAt !== undefined && Date.parse(verifiedAt) <= dueBefore;
}

/** The key's account and user: from the revocation's timeline event, else the live check's ARN. */
export async function keyOwner(
  incident: Incident,
  incidents: IncidentRepository,
): Promise<CredentialOwner | undefined> {
  const events = await incidents.timeline(incident.id);
  for (let i = events.length - 1; i >= 0; i--) {
    const data = events[i]?.data;
    if (
      events[i]?.type === 'revoked' &&
      typeof data?.ownerAccount === 'string' &&
      typeof data.ownerUser === 'string'
    )
      return { account: data.ownerAccount, user: data.ownerUser };
  }
  const arn = /^arn:aws[a-z-]*:iam::(\d{12}):user\/(?:[^/]+\/)*([^/]+)$/.exec(
    incident.liveCheck?.identity ?? '',
  );
  return arn ? { account: arn[1] as string, user: arn[2] as string } : undefined;
}

async function deleteOne(
  incident: Incident,
  deps: KeyDeletionDeps,
): Promise<KeyDeletion['outcome'] | undefined> {
  const owner = await keyOwner(incident, deps.incidents);
  const result: KeyDeletionOutcome = owner
    ? await deps.deleter.deleteKey(owner, incident.fingerprint)
    : {
        outcome: 'skipped',
        reason: 'the key’s IAM user is unknown (leakstop did not revoke it itself): delete it by hand',
      };
  const at = deps.clock.now().toISOString();
  const detail =
    result.outcome === 'deleted'
      ? result.actions.join('; ')
      : result.outcome === 'gone'
        ? `nothing to delete: ${result.reason}`
        : `not deleted: ${result.reason}`;
  const keyDeletion: KeyDeletion = { at, outcome: result.outcome, detail };
  const recorded = await deps.incidents.updateOnce(
    incident.id,
    'aws-key-deletion',
    { keyDeletion },
    {
      at,
      type: result.outcome === 'skipped' ? 'key_deletion_skipped' : 'key_deleted',
      actor: SYSTEM,
      detail,
      data: {
        provider: 'aws',
        outcome: result.outcome,
        ...(owner ? { ownerAccount: owner.account, ownerUser: owner.user } : {}),
      },
    },
  );
  if (!recorded) return undefined;
  await deps.notifications.send([{ incidentId: incident.id }]);
  return result.outcome;
}
