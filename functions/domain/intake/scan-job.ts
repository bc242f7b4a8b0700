/**
 * The detect worker's job: read what a push introduced (or what a secret-scanning alert holds)
 * through the SourceHost port, run the detection engine, record each credential.
 */
import type { Finding, Scanner } from '../detection/types.ts';
import { incidentIdFor, SYSTEM, type Exposure } from '../incidents/incident.ts';
import type { AlertScanJob, PushScanJob, ScanJob } from '../jobs.ts';
import type { SourceHost } from '../ports.ts';
import { recordDetection, type DetectionDeps } from './record-detection.ts';

export interface ScanDeps extends DetectionDeps {
  readonly source: SourceHost;
  readonly scanner: Scanner;
  /** Classifies a raw value GitHub's secret scanning found, consistently with the scanner's fingerprints. */
  readonly classify: (value: string, githubSecretType: string) => Credential | undefined;
}

/** What identifies a credential, with its plaintext (for the vault only). */
type Credential = Pick<
  Finding,
  'type' | 'provider' | 'secret' | 'fingerprint' | 'redacted' | 'confidence' | 'revocable'
>;

export interface ScanOutcome {
  readonly findings: number;
  readonly incidents: readonly string[];
  readonly created: number;
}

export async function processScanJob(job: ScanJob, deps: ScanDeps): Promise<ScanOutcome> {
  return job.kind === 'push' ? scanPush(job, deps) : processAlert(job, deps);
}

async function scanPush(job: PushScanJob, deps: ScanDeps): Promise<ScanOutcome> {
  const incidents = new Set<string>();
  let findings = 0;
  let created = 0;
  for (const commit of job.commits) {
    for await (const file of deps.source.commitFiles(job.repo, commit)) {
      if (file.status === 'removed') continue;
      let found: Finding[];
      if (file.patch !== undefined) {
        found = deps.scanner.scanPatch(file.patch, file.filename);
      } else if (file.sha) {
        // No patch: binary or too large for a diff. Scan the new content when it is text.
        const text = await deps.source.blobText(job.repo, file.sha);
        found = text === undefined ? [] : deps.scanner.scanText(text, file.filename);
      } else {
        found = [];
      }
      for (const finding of found) {
        findings += 1;
        const result = await recordDetection(deps, credentialOf(finding), {
          repo: `${job.repo.owner}/${job.repo.name}`,
          commit,
          path: finding.file,
          line: finding.line,
          column: finding.column,
          ref: job.ref,
          source: 'push',
        });
        incidents.add(result.incident.id);
        if (result.created) created += 1;
      }
    }
  }
  return { findings, incidents: [...incidents], created };
}

async function processAlert(job: AlertScanJob, deps: ScanDeps): Promise<ScanOutcome> {
  const alert = await deps.source.secretScanningAlert(job.repo, job.alertNumber);
  const finding = deps.classify(alert.secret, alert.secretType);
  if (!finding)
    throw new Error(`alert #${job.alertNumber}: secret of type ${alert.secretType} could not be classified`);
  const repo = `${job.repo.owner}/${job.repo.name}`;
  const id = incidentIdFor(finding.fingerprint);
  if (job.action === 'resolved') {
    const incident = await deps.incidents.get(id);
    if (incident) {
      await deps.incidents.appendEvent(id, {
        at: deps.clock.now().toISOString(),
        type: 'github_alert_resolved',
        actor: { kind: 'github', id: `${repo}#${job.alertNumber}` },
        detail: `GitHub alert ${repo}#${job.alertNumber} was resolved`,
      });
    }
    return { findings: 0, incidents: incident ? [id] : [], created: 0 };
  }
  const locations: Omit<Exposure, 'detectedAt'>[] = [];
  for await (const location of deps.source.secretScanningLocations(job.repo, job.alertNumber)) {
    locations.push({
      repo,
      commit: location.commitSha,
      path: location.path,
      line: location.startLine,
      ...(location.startColumn === undefined ? {} : { column: location.startColumn }),
      source: 'secret_scanning_alert',
      ...(alert.htmlUrl ? { url: alert.htmlUrl } : {}),
    });
  }
  if (locations.length === 0) {
    // Alerts on issues, discussions or wikis carry no commit location; the alert itself is the exposure.
    locations.push({
      repo,
      commit: '',
      path: `secret-scanning alert #${job.alertNumber}`,
      line: 0,
      source: 'secret_scanning_alert',
    });
  }
  let created = 0;
  for (const location of locations) {
    const result = await recordDetection(deps, credentialOf(finding), location);
    if (result.created) created += 1;
  }
  if (alert.publiclyLeaked || job.action === 'publicly_leaked') {
    await deps.incidents.update(
      id,
      { severity: 'critical' },
      {
        at: deps.clock.now().toISOString(),
        type: 'publicly_leaked',
        actor: SYSTEM,
        detail: `GitHub reports the credential publicly leaked (alert ${repo}#${job.alertNumber})`,
      },
    );
    await deps.notifications.send([{ incidentId: id }]);
  }
  return { findings: locations.length, incidents: [id], created };
}

function credentialOf(finding: Credential) {
  return {
    fingerprint: finding.fingerprint,
    type: finding.type,
    provider: finding.provider,
    redacted: finding.redacted,
    confidence: finding.confidence,
    revocable: finding.revocable,
    secret: finding.secret,
  };
}
