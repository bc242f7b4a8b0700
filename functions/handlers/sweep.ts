/**
 * Scheduled sweep (EventBridge in AWS, a timer in the local runtime, every SWEEP_SCHEDULE): deletes
 * contained AWS access keys once their grace period (ENV.awsKeyDeleteAfter) is over. Without that
 * setting it does nothing: deletion is never automatic by default.
 */
import type { Context } from 'aws-lambda';
import {
  parseGracePeriod,
  sweepKeyDeletions,
  type KeyDeletionReport,
} from '../domain/containment/key-deletion.ts';
import type { IncidentJob } from '../domain/jobs.ts';
import { fingerprint } from '../domain/detection/redact.ts';
import { AwsKeyDeleter } from '../adapters/aws/delete-aws-key.ts';
import { getSecret } from '../adapters/secrets/secret-source.ts';
import { ENV, FUNCTIONS } from '../shared/resources.ts';
import { memberAccountCredentials } from './common/containment-wiring.ts';
import { logger } from './common/logger.ts';
import { clock, incidentStore, queue } from './common/wiring.ts';

/** Time kept back from Lambda's deadline so the sweep ends between two incidents. */
const SAFETY_MS = 30_000;

const afterMs = parseGracePeriod(process.env[ENV.awsKeyDeleteAfter]);
const incidents = incidentStore();
const notifications = queue<IncidentJob>('notifications');
const credentialsFor = memberAccountCredentials();
let deleter: { key: string; deleter: AwsKeyDeleter } | undefined;

export async function handler(_event?: unknown, context?: Context): Promise<KeyDeletionReport> {
  if (afterMs === undefined) {
    logger.info('key deletion sweep: no grace period configured, nothing to do');
    return { considered: 0, deleted: 0, gone: 0, skipped: 0, failed: 0, incomplete: false };
  }
  const key = await getSecret('fingerprintKey');
  if (deleter?.key !== key)
    deleter = {
      key,
      deleter: new AwsKeyDeleter({ credentialsFor, fingerprintOf: (id) => fingerprint(key, id) }),
    };
  const remaining = context?.getRemainingTimeInMillis() ?? FUNCTIONS.sweep.timeoutSeconds * 1000;
  const report = await sweepKeyDeletions({
    incidents,
    deleter: deleter.deleter,
    notifications,
    clock,
    afterMs,
    deadline: Date.now() + Math.max(1000, remaining - SAFETY_MS),
    onError: (incidentId, error) =>
      logger.warn('key deletion failed; the next sweep tries again', {
        incidentId,
        error: (error as Error).message,
      }),
  });
  logger.info('key deletion sweep done', { ...report });
  return report;
}
