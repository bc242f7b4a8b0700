/** Containment consumer: one incident per message; the domain decides, adapters act. */
import type { SQSRecord } from 'aws-lambda';
import { containIncident } from '../domain/containment/contain.ts';
import { parseIncidentJob, type IncidentJob } from '../domain/jobs.ts';
import { FUNCTIONS } from '../shared/resources.ts';
import { logger } from './common/logger.ts';
import { sqsHandler } from './common/sqs.ts';
import { clock, incidentStore, modes, queue, vault } from './common/wiring.ts';

const deps = {
  incidents: incidentStore(),
  vault: vault(),
  notifications: queue<IncidentJob>('notifications'),
  clock,
  modes: modes(),
  // The owner of a containment holds it for at most one invocation.
  leaseMs: FUNCTIONS.contain.timeoutSeconds * 1000,
};

export const handler = sqsHandler(async (record: SQSRecord) => {
  const { incidentId } = parseIncidentJob(record.body);
  const outcome = await containIncident(incidentId, deps);
  logger.info('containment step done', { incidentId, ...outcome });
});
