/**
 * Containment consumer: one incident per message; the domain decides, adapters act. Each record
 * gets the invocation's remaining time (minus a margin to record a failure) as its deadline, and
 * knows whether this is the message's last delivery before the dead-letter queue. It consumes two
 * queues: containment (revoke, verify) and tracing (`finish` jobs: usage, copies, the vault).
 */
import type { Context, SQSRecord } from 'aws-lambda';
import { containIncident, type ContainmentDeps } from '../domain/containment/contain.ts';
import { parseIncidentJob, type IncidentJob } from '../domain/jobs.ts';
import { FUNCTIONS, QUEUES } from '../shared/resources.ts';
import { owningAccountLookup } from '../adapters/aws/account-access.ts';
import { memberAccountCredentials, revokers } from './common/containment-wiring.ts';
import { logger } from './common/logger.ts';
import { sqsHandler } from './common/sqs.ts';
import { tracersFromEnv } from './common/tracers.ts';
import { clock, incidentStore, modes, queue, vault } from './common/wiring.ts';

/** Time kept back from the deadline to record a failure on the incident before Lambda stops us. */
const SAFETY_MS = 5000;

const store = vault();
const credentialsFor = memberAccountCredentials();
const deps: ContainmentDeps = {
  incidents: incidentStore(),
  vault: store,
  notifications: queue<IncidentJob>('notifications'),
  containment: queue<IncidentJob>('containment'),
  // Consumed by this function too: tracing and the vault's deletion once the verdict is in.
  tracing: queue<IncidentJob>('tracing'),
  clock,
  modes: modes(),
  // The owner of a containment holds it for at most one invocation.
  leaseMs: FUNCTIONS.contain.timeoutSeconds * 1000,
  revokers: revokers({ vault: store, clock, credentialsFor }),
  // Usage lookup and copies search, in the same member accounts through the same role.
  tracers: tracersFromEnv({ credentialsFor, accountOf: owningAccountLookup() }),
};

export const handler = sqsHandler(async (record: SQSRecord, context?: Context) => {
  const { incidentId, step } = parseIncidentJob(record.body);
  const remaining = context?.getRemainingTimeInMillis() ?? FUNCTIONS.contain.timeoutSeconds * 1000;
  const outcome = await containIncident(incidentId, deps, {
    deadline: Date.now() + Math.max(1000, remaining - SAFETY_MS),
    receiveCount: Number(record.attributes.ApproximateReceiveCount ?? '1'),
    maxReceives: step === 'finish' ? QUEUES.tracing.maxReceiveCount : QUEUES.containment.maxReceiveCount,
    ...(step ? { step } : {}),
  });
  logger.info('containment step done', { incidentId, step: step ?? 'contain', ...outcome });
});
