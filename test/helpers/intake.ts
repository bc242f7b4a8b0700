/**
 * Intake on real adapters without pollers: the detect worker's domain on DynamoDB Local and the
 * GitHub stand-in over HTTP. `drain` plays the scan-jobs queue: every message a job enqueues is
 * round-tripped through JSON and the message validator, then processed in order, as the worker would.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { DynamoClaimLedger } from '../../functions/adapters/dynamodb/delivery-ledger.ts';
import { DynamoIncidentStore } from '../../functions/adapters/dynamodb/incident-store.ts';
import { DynamoScanLedger } from '../../functions/adapters/dynamodb/scan-ledger.ts';
import { MemoryVault } from '../../functions/adapters/vault/file-vault.ts';
import { createScanner } from '../../functions/domain/detection/index.ts';
import { planGitHubEvent } from '../../functions/domain/intake/github-events.ts';
import { processScanJob, type ScanDeps, type ScanOutcome } from '../../functions/domain/intake/scan-job.ts';
import { parseScanJob, type IncidentJob, type ScanJob } from '../../functions/domain/jobs.ts';
import { systemClock } from '../../functions/domain/ports.ts';
import { freshTable } from './dynamo.ts';
import { RecordingQueue } from './fakes.ts';
import type { ServedGitHub } from './github.ts';

export interface IntakeHarness {
  readonly deps: ScanDeps & {
    readonly vault: MemoryVault;
    readonly incidents: DynamoIncidentStore;
    readonly scanJobs: RecordingQueue<ScanJob>;
    readonly containment: RecordingQueue<IncidentJob>;
    readonly notifications: RecordingQueue<IncidentJob>;
  };
  readonly fingerprintKey: string;
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
  /** Processes the jobs and everything they enqueue; returns every outcome and the messages sent. */
  drain(jobs: readonly ScanJob[]): Promise<{ outcomes: ScanOutcome[]; messages: ScanJob[] }>;
  /** What ingest would enqueue for a webhook delivery body. */
  plan(event: string, body: string, deliveryId?: string): ScanJob[];
}

export async function intakeHarness(github: ServedGitHub): Promise<IntakeHarness> {
  const { client, tableName } = await freshTable();
  const fingerprintKey = `test-${randomBytes(4).toString('hex')}`;
  const scanner = createScanner({ fingerprintKey });
  const deps = {
    incidents: new DynamoIncidentStore(client, tableName),
    vault: new MemoryVault(),
    containment: new RecordingQueue<IncidentJob>(),
    notifications: new RecordingQueue<IncidentJob>(),
    clock: systemClock,
    source: github.client,
    scanner,
    ledger: new DynamoScanLedger(client, tableName),
    scanJobs: new RecordingQueue<ScanJob>(),
    claims: new DynamoClaimLedger(client, tableName, {
      namespace: 'FANOUT',
      ttlSeconds: 3600,
      staleAfterMs: 120_000,
    }),
    classify: (value: string, secretType: string) => scanner.classifySecret(value, secretType),
  };
  return {
    deps,
    fingerprintKey,
    tableName,
    client,
    async drain(jobs) {
      const queue = [...jobs];
      const outcomes: ScanOutcome[] = [];
      const messages: ScanJob[] = [];
      while (queue.length > 0) {
        const job = parseScanJob(JSON.stringify(queue.shift()));
        const before = deps.scanJobs.sent.length;
        outcomes.push(await processScanJob(job, deps));
        const sent = deps.scanJobs.sent.slice(before);
        messages.push(...sent);
        queue.push(...sent);
      }
      return { outcomes, messages };
    },
    plan(event, body, deliveryId = `d-${randomBytes(4).toString('hex')}`) {
      const plan = planGitHubEvent(event, JSON.parse(body), deliveryId);
      return plan.outcome === 'scan' ? [...plan.jobs] : [];
    },
  };
}
