/**
 * The detect worker's job, dispatched by kind: a push job scans commits, a fan-out step schedules
 * the commits of a large push, an alert job turns a GitHub secret-scanning alert into exposures.
 */
import type { ScanJob } from '../jobs.ts';
import { processAlert, type AlertScanDeps, type AlertScanOutcome } from './alert-scan.ts';
import { fanOutPush, type FanoutDeps, type FanoutOutcome } from './push-fanout.ts';
import { scanPush, type PushScanDeps, type PushScanOutcome } from './push-scan.ts';

export type ScanDeps = PushScanDeps & FanoutDeps & AlertScanDeps;

export type ScanOutcome =
  | ({ readonly kind: 'push' } & PushScanOutcome)
  | ({ readonly kind: 'push_fanout' } & FanoutOutcome)
  | ({ readonly kind: 'secret_scanning_alert' } & AlertScanOutcome);

export async function processScanJob(job: ScanJob, deps: ScanDeps): Promise<ScanOutcome> {
  switch (job.kind) {
    case 'push':
      return { kind: 'push', ...(await scanPush(job, deps)) };
    case 'push_fanout':
      return { kind: 'push_fanout', ...(await fanOutPush(job, deps)) };
    case 'secret_scanning_alert':
      return { kind: 'secret_scanning_alert', ...(await processAlert(job, deps)) };
  }
}
