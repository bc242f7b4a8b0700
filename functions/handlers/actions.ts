/**
 * Incident actions API (Function URL, AWS_IAM auth in AWS):
 *   POST /incidents/{id}/approve  — approve the revocation an approval-mode containment waits for
 * The caller is the IAM principal that signed the request (locally: `local`). The card's Approve
 * button (slack.ts) calls the same domain transition (approveRevocation).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { approveRevocation } from '../domain/incidents/actions.ts';
import { isIncidentId, notAnIncidentId, type Actor } from '../domain/incidents/incident.ts';
import type { IncidentJob } from '../domain/jobs.ts';
import { jsonResponse, problem } from './common/http.ts';
import { logger } from './common/logger.ts';
import { clock, incidentStore, queue } from './common/wiring.ts';
import { incidentView } from './history.ts';

const deps = {
  incidents: incidentStore(),
  containment: queue<IncidentJob>('containment'),
  notifications: queue<IncidentJob>('notifications'),
  clock,
};

function caller(event: LambdaFunctionURLEvent): Actor {
  const iam = (event.requestContext as { authorizer?: { iam?: { userArn?: string; userId?: string } } })
    .authorizer?.iam;
  return { kind: 'api', id: iam?.userArn ?? iam?.userId ?? 'local' };
}

/** `/incidents/{segment}/approve`; the segment is then checked to be an incident id. */
const APPROVE_ROUTE = /^\/incidents\/([^/]+)\/approve$/;

export async function actions(event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> {
  const path = (event.rawPath ?? '/').replace(/\/+$/, '');
  const approve = APPROVE_ROUTE.exec(path);
  if (!approve?.[1]) return problem(404, 'unknown route');
  if (!isIncidentId(approve[1])) return problem(404, notAnIncidentId(approve[1]));
  if (event.requestContext?.http?.method !== 'POST') return problem(405, 'use POST');
  const result = await approveRevocation(deps, approve[1], caller(event));
  if (result.outcome === 'not_found') return problem(404, `no incident ${approve[1]}`);
  if (result.outcome === 'unchanged')
    return jsonResponse(409, { outcome: 'unchanged', reason: result.reason });
  logger.info('revocation approved', { incidentId: approve[1], by: caller(event).id });
  return jsonResponse(200, { outcome: 'approved', incident: incidentView(result.incident) });
}

export const handler = middy(actions)
  .use(injectLambdaContext(logger))
  .onError(async (request) => {
    logger.error('action failed', {
      error: request.error instanceof Error ? request.error.message : 'unknown',
    });
    request.response = problem(500, 'internal error');
  });
