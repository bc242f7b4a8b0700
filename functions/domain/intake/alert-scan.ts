/**
 * A GitHub secret-scanning alert job: fetch the alert (with its secret) and its locations through
 * the SourceHost port, classify the value with the detection engine — the same type and
 * fingerprint a push scan of it gives, so both land on one incident — and record each location as
 * an exposure naming the alert. What GitHub learned about the alert (resolved, reopened, validity,
 * publicly leaked) goes on the incident's timeline once per fact, however often it is delivered.
 */
import type { ClassifiedSecret } from '../detection/index.ts';
import { incidentIdFor, type Actor, type Exposure } from '../incidents/incident.ts';
import type { AlertScanJob, IncidentJob } from '../jobs.ts';
import type { IncidentChanges, SourceHost } from '../ports.ts';
import { credentialOf } from './push-scan.ts';
import { recordDetection, type DetectionDeps } from './record-detection.ts';

export interface AlertScanDeps extends DetectionDeps {
  readonly source: SourceHost;
  /** Classifies a raw value GitHub's secret scanning found, consistently with the scanner's fingerprints. */
  readonly classify: (value: string, githubSecretType: string) => ClassifiedSecret | undefined;
}

export interface AlertScanOutcome {
  readonly findings: number;
  readonly incidents: readonly string[];
  readonly created: number;
  /** Timeline facts recorded for the first time (resolved, reopened, validity, publicly leaked). */
  readonly recorded: readonly string[];
}

export class UnclassifiableAlert extends Error {
  constructor(alertNumber: number, secretType: string) {
    super(`alert #${alertNumber}: a secret of type ${secretType} could not be classified`);
    this.name = 'UnclassifiableAlert';
  }
}

export async function processAlert(job: AlertScanJob, deps: AlertScanDeps): Promise<AlertScanOutcome> {
  const alert = await deps.source.secretScanningAlert(job.repo, job.alertNumber);
  const credential = deps.classify(alert.secret, alert.secretType);
  if (!credential) throw new UnclassifiableAlert(job.alertNumber, alert.secretType);
  const repo = `${job.repo.owner}/${job.repo.name}`;
  const ref = `${repo}#${job.alertNumber}`;
  const id = incidentIdFor(credential.fingerprint);
  const github: Actor = { kind: 'github', id: ref };
  const at = () => deps.clock.now().toISOString();
  const recorded: string[] = [];
  const once = async (key: string, type: string, detail: string, changes: IncidentChanges = {}) => {
    const data = { alert: job.alertNumber, repo };
    if (
      await deps.incidents.updateOnce(id, `${key}:${ref}`, changes, {
        at: at(),
        type,
        actor: github,
        detail,
        data,
      })
    )
      recorded.push(type);
  };

  if (job.action === 'resolved') {
    // A resolution is a fact about GitHub's alert, recorded on the incident; it does not move the
    // incident (leakstop's own status is decided by containment and by people in Slack).
    if (!(await deps.incidents.get(id))) return { findings: 0, incidents: [], created: 0, recorded };
    const resolution = alert.resolution ?? 'unknown';
    await once(
      `github-alert-resolved:${alert.resolvedAt ?? alert.updatedAt ?? 'unknown'}`,
      'github_alert_resolved',
      `GitHub alert ${ref} was resolved as ${resolution}${alert.resolvedBy ? ` by ${alert.resolvedBy}` : ''}`,
    );
    if (recorded.length) await deps.notifications.send([{ incidentId: id }]);
    return { findings: 0, incidents: [id], created: 0, recorded };
  }

  const locations: Omit<Exposure, 'detectedAt'>[] = [];
  for await (const location of deps.source.secretScanningLocations(job.repo, job.alertNumber)) {
    const inCommit = location.kind === 'commit' || location.kind === 'wiki_commit';
    locations.push({
      repo,
      commit: location.commitSha,
      // Issue, pull request and discussion locations are named by their URL (unique per location).
      path: inCommit ? location.path : `${location.kind}:${location.url ?? `alert #${job.alertNumber}`}`,
      line: location.startLine,
      ...(location.startColumn === undefined ? {} : { column: location.startColumn }),
      source: 'secret_scanning_alert',
      alertNumber: job.alertNumber,
      ...(alert.htmlUrl ? { url: alert.htmlUrl } : {}),
    });
  }
  if (locations.length === 0) {
    // No location listed (yet): the alert itself is the exposure.
    locations.push({
      repo,
      commit: '',
      path: `secret-scanning alert #${job.alertNumber}`,
      line: 0,
      source: 'secret_scanning_alert',
      alertNumber: job.alertNumber,
      ...(alert.htmlUrl ? { url: alert.htmlUrl } : {}),
    });
  }
  let created = 0;
  let notified = false;
  for (const location of locations) {
    const result = await recordDetection(deps, credentialOf(credential), location);
    if (result.created) created += 1;
    if (result.created || result.exposureAdded) notified = true;
  }

  if (job.action === 'reopened')
    await once(
      `github-alert-reopened:${alert.updatedAt ?? 'unknown'}`,
      'github_alert_reopened',
      `GitHub alert ${ref} was reopened`,
    );
  if (job.action === 'validated' && alert.validity)
    await once(
      `github-alert-validity:${alert.validity}`,
      'github_alert_validated',
      `GitHub's validity check reports the credential ${alert.validity} (alert ${ref})`,
    );
  if (alert.publiclyLeaked || job.action === 'publicly_leaked')
    await once(
      'github-publicly-leaked',
      'publicly_leaked',
      `GitHub reports the credential publicly leaked (alert ${ref})`,
      {
        severity: 'critical',
      },
    );
  // An alert on locations a push found earlier adds no exposure, yet write-back must learn of it
  // (the incident may be contained already, its alert still open): one notification brings the
  // card and GitHub up to date; a repeated one changes nothing.
  if (!notified || recorded.length) await deps.notifications.send([{ incidentId: id } satisfies IncidentJob]);
  return { findings: locations.length, incidents: [id], created, recorded };
}
