/**
 * Tells GitHub what leakstop did, once an incident is contained: every secret-scanning alert among
 * its exposures is resolved as `revoked` with a comment naming the incident, and every commit a push
 * scan found it in gets a completed check run saying what was found (redacted) and what was done.
 * Never the value: only the type, the redacted preview, paths and lines.
 *
 * Each write is claimed in the table first (like the Slack card), so any number of notifications for
 * the incident produce each write once; a failed write releases its claim and fails the message, so
 * SQS retries it, and a claim left by a crashed worker is taken over once stale.
 */
import type { Exposure, Incident, IncidentStatus } from '../incidents/incident.ts';
import { SYSTEM } from '../incidents/incident.ts';
import type { CheckRunReport, ClaimLedger, Clock, IncidentRepository, SourceHostWriter } from '../ports.ts';

export interface WriteBackDeps {
  readonly incidents: IncidentRepository;
  readonly github: SourceHostWriter;
  readonly claims: ClaimLedger;
  readonly clock: Clock;
}

export interface WriteBackOutcome {
  readonly alertsResolved: number;
  readonly checkRuns: number;
  /** Targets GitHub no longer has (a deleted alert, a commit force-pushed away). */
  readonly gone: number;
}

/** Statuses only reachable through `contained` (scope work starts from it). */
const AFTER_CONTAINED: readonly IncidentStatus[] = [
  'contained',
  'scoping',
  'scope_corrected',
  'scope_review_needed',
];

/** True once containment succeeded — verified dead, not merely attempted. */
export function wasContained(incident: Incident): boolean {
  if (AFTER_CONTAINED.includes(incident.status)) return true;
  return incident.status === 'resolved' && incident.phases.verifiedAt !== undefined;
}

/** GitHub keeps at most 280 characters of a resolution comment, and it cannot be edited later. */
export function alertComment(incident: Incident): string {
  const at = incident.phases.verifiedAt ?? incident.phases.containmentEndedAt ?? incident.updatedAt;
  return `Revoked by leakstop and verified dead at ${at}. Incident ${incident.id}.`.slice(0, 280);
}

export class WriteBackFailed extends Error {
  constructor(
    incidentId: string,
    readonly failures: readonly unknown[],
  ) {
    super(
      `${failures.length} GitHub write-back(s) for ${incidentId} failed; retrying: ${failures
        .map((f) => (f instanceof Error ? f.message : String(f)))
        .join('; ')}`,
    );
    this.name = 'WriteBackFailed';
  }
}

function repoRef(repo: string): { owner: string; name: string } {
  const slash = repo.indexOf('/');
  return { owner: repo.slice(0, slash), name: repo.slice(slash + 1) };
}

export function checkRunReport(
  incident: Incident,
  commit: string,
  exposures: readonly Exposure[],
): CheckRunReport {
  const what = `${incident.type} ${incident.redacted}`;
  const where = exposures.map((e) => `- \`${e.path}\` line ${e.line}`).join('\n');
  const at = incident.phases.verifiedAt ?? incident.phases.containmentEndedAt ?? incident.updatedAt;
  return {
    headSha: commit,
    name: `leakstop: ${what}`,
    externalId: incident.id,
    conclusion: 'failure',
    title: `Leaked credential revoked: ${what}`,
    summary: [
      `**Found** in this commit: a ${incident.type} credential (\`${incident.redacted}\`, provider ${incident.provider}), at`,
      where,
      '',
      `**Done**: leakstop revoked it and verified the old value no longer authenticates (${at}).`,
      `The value in this commit is dead; remove it from the code anyway. Incident \`${incident.id}\`.`,
    ].join('\n'),
    annotations: exposures.map((e) => ({
      path: e.path,
      line: Math.max(1, e.line),
      message: `Leaked ${what} (revoked by leakstop, incident ${incident.id})`,
    })),
  };
}

/** `current`: the incident as just read by the caller (saves a read); read here when absent. */
export async function writeBackToGitHub(
  incidentId: string,
  deps: WriteBackDeps,
  current?: Incident,
): Promise<WriteBackOutcome> {
  const incident = current ?? (await deps.incidents.get(incidentId));
  if (!incident) throw new Error(`incident ${incidentId} does not exist`);
  const outcome = { alertsResolved: 0, checkRuns: 0, gone: 0 };
  if (!wasContained(incident)) return outcome;
  const exposures = await deps.incidents.exposures(incidentId);

  const alerts = new Map<string, { repo: string; alertNumber: number }>();
  const commits = new Map<string, { repo: string; commit: string; exposures: Exposure[] }>();
  for (const exposure of exposures) {
    if (exposure.alertNumber !== undefined)
      alerts.set(`${exposure.repo}#${exposure.alertNumber}`, {
        repo: exposure.repo,
        alertNumber: exposure.alertNumber,
      });
    if (exposure.source === 'push' && exposure.commit) {
      const key = `${exposure.repo}@${exposure.commit}`;
      const entry = commits.get(key) ?? { repo: exposure.repo, commit: exposure.commit, exposures: [] };
      entry.exposures.push(exposure);
      commits.set(key, entry);
    }
  }

  const failures: unknown[] = [];
  const once = async (
    key: string,
    write: () => Promise<'done' | 'gone'>,
    recordAs: (result: 'done' | 'gone') => string,
  ) => {
    const claimKey = `${incidentId}:${key}`;
    if ((await deps.claims.claim(claimKey, deps.clock.now())) === 'duplicate') return undefined;
    let result: 'done' | 'gone';
    try {
      result = await write();
    } catch (error) {
      await deps.claims.release(claimKey);
      failures.push(error);
      return undefined;
    }
    await deps.claims.complete(claimKey, deps.clock.now());
    await deps.incidents.appendEvent(incidentId, {
      at: deps.clock.now().toISOString(),
      type: result === 'done' ? 'github_written_back' : 'github_write_back_skipped',
      actor: SYSTEM,
      detail: recordAs(result),
    });
    if (result === 'gone') outcome.gone += 1;
    return result;
  };

  const comment = alertComment(incident);
  for (const { repo, alertNumber } of alerts.values()) {
    const result = await once(
      `alert:${repo}#${alertNumber}`,
      () => deps.github.resolveAlertAsRevoked(repoRef(repo), alertNumber, comment),
      (r) =>
        r === 'done'
          ? `GitHub alert ${repo}#${alertNumber} resolved as revoked`
          : `GitHub alert ${repo}#${alertNumber} no longer exists; nothing to resolve`,
    );
    if (result === 'done') outcome.alertsResolved += 1;
  }
  for (const { repo, commit, exposures: here } of commits.values()) {
    const result = await once(
      `check:${repo}@${commit}`,
      () => deps.github.createCheckRun(repoRef(repo), checkRunReport(incident, commit, here)),
      (r) =>
        r === 'done'
          ? `check run on ${repo}@${commit.slice(0, 7)} reports the revoked credential`
          : `commit ${repo}@${commit.slice(0, 7)} no longer exists; no check run`,
    );
    if (result === 'done') outcome.checkRuns += 1;
  }
  if (failures.length > 0) throw new WriteBackFailed(incidentId, failures);
  return outcome;
}
