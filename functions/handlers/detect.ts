/** Scan-jobs consumer: reads pushed diffs and secret-scanning alerts, opens incidents. */
import type { SQSRecord } from 'aws-lambda';
import { createScanner, type DetectionScanner } from '../domain/detection/index.ts';
import { processScanJob } from '../domain/intake/scan-job.ts';
import { parseScanJob, type IncidentJob } from '../domain/jobs.ts';
import { appTokenProvider } from '../adapters/github/app-auth.ts';
import { GitHubClient } from '../adapters/github/github-client.ts';
import { getSecret, hasSecret } from '../adapters/secrets/secret-source.ts';
import { ENV } from '../shared/resources.ts';
import { logger } from './common/logger.ts';
import { sqsHandler } from './common/sqs.ts';
import { clock, incidentStore, queue, vault } from './common/wiring.ts';

const incidents = incidentStore();
const containment = queue<IncidentJob>('containment');
const notifications = queue<IncidentJob>('notifications');
const store = vault();
let scanner: { key: string; scanner: DetectionScanner } | undefined;
let source: GitHubClient | undefined;

async function dependencies() {
  const fingerprintKey = await getSecret('fingerprintKey');
  if (scanner?.key !== fingerprintKey)
    scanner = { key: fingerprintKey, scanner: createScanner({ fingerprintKey }) };
  if (!source) {
    const privateKey = hasSecret('githubAppPrivateKey') ? await getSecret('githubAppPrivateKey') : undefined;
    source = new GitHubClient(
      process.env[ENV.githubApiUrl] ?? 'https://api.github.com',
      appTokenProvider(process.env[ENV.githubAppId], privateKey),
    );
  }
  const bound = scanner.scanner;
  return {
    incidents,
    vault: store,
    containment,
    notifications,
    clock,
    source,
    scanner: bound,
    classify: (value: string, secretType: string) => bound.classifySecret(value, secretType),
  };
}

export const handler = sqsHandler(async (record: SQSRecord) => {
  const job = parseScanJob(record.body);
  const outcome = await processScanJob(job, await dependencies());
  logger.info('scan job done', {
    deliveryId: job.deliveryId,
    kind: job.kind,
    repo: `${job.repo.owner}/${job.repo.name}`,
    findings: outcome.findings,
    incidents: outcome.incidents,
    created: outcome.created,
  });
});
