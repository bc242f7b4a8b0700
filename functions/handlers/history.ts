/**
 * Incident history for security leads (Function URL, AWS_IAM auth in AWS).
 *   GET /incidents?status=&type=&repo=&from=&to=&limit=&cursor=
 *   GET /incidents/{id}  — with every exposure and the timeline
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import {
  INCIDENT_STATUSES,
  isIncidentId,
  notAnIncidentId,
  type Incident,
  type IncidentStatus,
} from '../domain/incidents/incident.ts';
import { InvalidCursor } from '../adapters/dynamodb/incident-store.ts';
import { jsonResponse, problem } from './common/http.ts';
import { logger } from './common/logger.ts';
import { incidentStore } from './common/wiring.ts';

const incidents = incidentStore();

/** The public view of an incident: everything but internal bookkeeping. */
export function incidentView(incident: Incident) {
  const elapsed = (to?: string) => (to ? Date.parse(to) - Date.parse(incident.detectedAt) : undefined);
  return {
    id: incident.id,
    status: incident.status,
    type: incident.type,
    provider: incident.provider,
    fingerprint: incident.fingerprint,
    redacted: incident.redacted,
    severity: incident.severity,
    confidence: incident.confidence,
    revocable: incident.revocable,
    detectedAt: incident.detectedAt,
    updatedAt: incident.updatedAt,
    exposureCount: incident.exposureCount,
    exposures: incident.exposures.map(({ repo, commit, path, line, column, source, ref, url }) => ({
      repo,
      commit,
      path,
      line,
      column,
      source,
      ref,
      url,
    })),
    acknowledged: incident.acknowledged,
    escalated: incident.escalated,
    approval: incident.approval,
    liveCheck: incident.liveCheck,
    usage: incident.usage,
    containmentNotice: incident.containmentNotice ?? undefined,
    keyDeletion: incident.keyDeletion,
    phases: incident.phases,
    /** Milliseconds from detection to each phase, for phase-timing reports. */
    timings: {
      acknowledge: elapsed(incident.phases.acknowledgedAt),
      revoke: elapsed(incident.phases.revokedAt),
      verify: elapsed(incident.phases.verifiedAt),
      containmentEnd: elapsed(incident.phases.containmentEndedAt),
      scopeCorrect: elapsed(incident.phases.scopeCorrectedAt),
      resolve: elapsed(incident.phases.resolvedAt),
    },
    slack: incident.slack ? { channel: incident.slack.channel, ts: incident.slack.ts } : undefined,
  };
}

const ISO = /^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/;

/** `/incidents/{segment}`; the segment is then checked to be an incident id. */
const INCIDENT_ROUTE = /^\/incidents\/([^/]+)$/;

export async function history(event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> {
  if (event.requestContext?.http?.method !== 'GET') return problem(405, 'use GET');
  const path = (event.rawPath ?? '/').replace(/\/+$/, '');
  const one = INCIDENT_ROUTE.exec(path);
  if (one?.[1]) {
    if (!isIncidentId(one[1])) return problem(404, notAnIncidentId(one[1]));
    const incident = await incidents.get(one[1]);
    if (!incident) return problem(404, `no incident ${one[1]}`);
    const [exposures, timeline] = await Promise.all([
      incidents.exposures(one[1]),
      incidents.timeline(one[1]),
    ]);
    return jsonResponse(200, { ...incidentView(incident), exposures, timeline });
  }
  if (path !== '/incidents') return problem(404, 'unknown route');

  const q = event.queryStringParameters ?? {};
  const limit = q.limit === undefined ? 50 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    return problem(400, 'limit must be an integer from 1 to 100');
  if (q.status && !INCIDENT_STATUSES.includes(q.status as IncidentStatus))
    return problem(400, `status must be one of ${INCIDENT_STATUSES.join(', ')}`);
  for (const bound of ['from', 'to'] as const)
    if (q[bound] && !ISO.test(q[bound]))
      return problem(400, `${bound} must be an ISO-8601 date or UTC timestamp`);
  try {
    const page = await incidents.list({
      limit,
      ...(q.status ? { status: q.status as IncidentStatus } : {}),
      ...(q.type ? { type: q.type } : {}),
      ...(q.repo ? { repo: q.repo } : {}),
      ...(q.from ? { from: q.from } : {}),
      ...(q.to ? { to: q.to } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
    });
    return jsonResponse(200, {
      items: page.items.map(incidentView),
      ...(page.cursor ? { cursor: page.cursor } : {}),
    });
  } catch (error) {
    if (error instanceof InvalidCursor) return problem(400, error.message);
    throw error;
  }
}

export const handler = middy(history)
  .use(injectLambdaContext(logger))
  .onError(async (request) => {
    logger.error('history request failed', {
      error: request.error instanceof Error ? request.error.message : 'unknown',
    });
    request.response = problem(500, 'internal error');
  });
