/** Scan-jobs consumer: scans pushed commits, fans large pushes out, turns secret-scanning alerts into incidents. */
import type { SQSRecord } from 'aws-lambda';
import { createScanner, type DetectionScanner } from '../domain/detection/index.ts';
import { processScanJob, type ScanDeps } from '../domain/intake/scan-job.ts';
import { deferScanJob, parseScanJob, type IncidentJob, type ScanJob } from '../domain/jobs.ts';
import { SourceRateLimited } from '../domain/ports.ts';
import { getSecret } from '../adapters/secrets/secret-source.ts';
import { githubClient } from './common/github.ts';
import { fanoutClaims, scanLedger } from './common/intake-wiring.ts';
import { logger } from './common/logger.ts';
import { sqsHandler } from './common/sqs.ts';
import { clock, incidentStore, queue, vault } from './common/wiring.ts';

const incidents = incidentStore();
const containment = queue<IncidentJob>('containment');
const notifications = queue<IncidentJob>('notifications');
const scanJobs = queue<ScanJob>('scanJobs');
const ledger = scanLedger();
const claims = fanoutClaims();
const store = vault();
let scanner: { key: string; scanner: DetectionScanner } | undefined;

async function dependencies(): Promise<ScanDeps> {
  const fingerprintKey = await getSecret('fingerprintKey');
  if (scanner?.key !== fingerprintKey)
    scanner = { key: fingerprintKey, scanner: createScanner({ fingerprintKey }) };
  const bound = scanner.scanner;
  return {
    incidents,
    vault: store,
    containment,
    notifications,
    clock,
    source: (await githubClient()).client,
    scanner: bound,
    ledger,
    scanJobs,
    claims,
    classify: (value: string, secretType: string) => bound.classifySecret(value, secretType),
  };
}

export const handler = sqsHandler(async (record: SQSRecord) => {
  const job = parseScanJob(record.body);
  let outcome;
  try {
    outcome = await processScanJob(job, await dependencies());
  } catch (error) {
    // GitHub's rate limit is spent: put the job back until it resets (what it already scanned is
    // in the scan ledger and is not read again) instead of spending its receives toward the DLQ.
    const deferred = error instanceof SourceRateLimited && deferScanJob(job, error.until, Date.now());
    if (!deferred) throw error;
    await scanJobs.send([deferred.job], { delaySeconds: deferred.delaySeconds });
    logger.warn('GitHub rate limit spent; scan job put back until it resets', {
      deliveryId: job.deliveryId,
      kind: job.kind,
      repo: `${job.repo.owner}/${job.repo.name}`,
      delaySeconds: deferred.delaySeconds,
      deferrals: deferred.job.deferrals,
    });
    return;
  }
  const { kind, ...details } = outcome;
  const context = { deliveryId: job.deliveryId, kind, repo: `${job.repo.owner}/${job.repo.name}` };
  logger.info('scan job done', { ...context, ...details });
  if (outcome.kind === 'push' && outcome.commitsAtFileLimit.length > 0)
    logger.warn("commit lists GitHub's maximum of 3000 files; files beyond it could not be listed", {
      ...context,
      commits: outcome.commitsAtFileLimit,
    });
  if (outcome.kind === 'push' && (outcome.filesSkipped.too_large ?? 0) > 0)
    logger.warn('files too large to scan were skipped', {
      ...context,
      count: outcome.filesSkipped.too_large,
    });
  if (outcome.kind === 'push_fanout' && outcome.outcome === 'scheduled' && outcome.note)
    logger.warn('push fan-out stopped early', { ...context, note: outcome.note });
});
