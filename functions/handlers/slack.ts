/**
 * Slack interactions (buttons) and the /leakstop slash command (Function URL). Every request is
 * verified (signature, five-minute window) before it is parsed; only allow-listed users may act.
 * Slack wants an answer within 3 seconds: each action is one conditional write plus an enqueue.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import {
  acknowledge,
  approveRevocation,
  escalate,
  markFalsePositive,
  type ActionResult,
} from '../domain/incidents/actions.ts';
import type { Actor } from '../domain/incidents/incident.ts';
import type { IncidentJob } from '../domain/jobs.ts';
import { ACTIONS, renderCard } from '../domain/notifications/card.ts';
import { getSecret } from '../adapters/secrets/secret-source.ts';
import { ENV } from '../shared/resources.ts';
import { header, jsonResponse, problem, rawBody } from './common/http.ts';
import { logger } from './common/logger.ts';
import { verifySlackRequest } from './common/slack-signature.ts';
import { clock, incidentStore, queue } from './common/wiring.ts';

const incidents = incidentStore();
const deps = {
  incidents,
  notifications: queue<IncidentJob>('notifications'),
  // An approval resumes containment; a false positive still holding a value in the vault (a failed
  // containment) gets it emptied.
  containment: queue<IncidentJob>('containment'),
  clock,
};
/** Comma-separated Slack user ids allowed to act; empty means everyone in the workspace. */
const allowed = new Set(
  (process.env[ENV.slackAllowedUsers] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const ephemeral = (text: string) => jsonResponse(200, { response_type: 'ephemeral', text });

function describe(result: ActionResult, verb: string): string {
  if (result.outcome === 'done') return `${verb} ${result.incident.id}.`;
  if (result.outcome === 'not_found') return 'No such incident.';
  return `Nothing changed: ${result.reason}.`;
}

async function interaction(body: string): Promise<LambdaFunctionURLResult> {
  const encoded = new URLSearchParams(body).get('payload');
  if (!encoded) return problem(400, 'interaction requests carry a payload field');
  let payload: {
    type?: string;
    user?: { id?: string; username?: string; name?: string };
    actions?: { action_id?: string; value?: string }[];
  };
  try {
    payload = JSON.parse(encoded) as typeof payload;
  } catch {
    return problem(400, 'payload is not JSON');
  }
  if (payload.type !== 'block_actions') return jsonResponse(200, {});
  const userId = payload.user?.id;
  if (!userId) return problem(400, 'payload.user.id is required');
  if (allowed.size && !allowed.has(userId)) return ephemeral('You are not on the leakstop responders list.');
  const actor: Actor = {
    kind: 'slack_user',
    id: userId,
    name: payload.user?.username ?? payload.user?.name ?? userId,
  };
  const messages: string[] = [];
  for (const action of payload.actions ?? []) {
    const id = action.value ?? '';
    let result: ActionResult;
    switch (action.action_id) {
      case ACTIONS.approve:
        result = await approveRevocation(deps, id, actor);
        messages.push(describe(result, 'Approved the revocation:'));
        break;
      case ACTIONS.acknowledge:
        result = await acknowledge(deps, id, actor);
        messages.push(describe(result, 'Acknowledged'));
        break;
      case ACTIONS.escalate:
        result = await escalate(deps, id, actor, `escalated from Slack by ${actor.name}`);
        messages.push(describe(result, 'Escalated'));
        break;
      case ACTIONS.falsePositive:
        result = await markFalsePositive(deps, id, actor);
        messages.push(describe(result, 'Marked false positive:'));
        break;
      default:
        messages.push(`Unknown action ${action.action_id ?? ''}.`);
    }
  }
  logger.info('slack interaction', {
    user: userId,
    actions: (payload.actions ?? []).map((a) => a.action_id),
  });
  // The card itself is updated by the notifier; the clicker gets a short private confirmation.
  return ephemeral(messages.join(' '));
}

async function command(body: string): Promise<LambdaFunctionURLResult> {
  const form = new URLSearchParams(body);
  const userId = form.get('user_id') ?? '';
  if (allowed.size && !allowed.has(userId)) return ephemeral('You are not on the leakstop responders list.');
  const [verb = 'help', arg] = (form.get('text') ?? '').trim().split(/\s+/);
  if (verb === 'status' && arg) {
    const incident = await incidents.get(arg);
    return ephemeral(incident ? renderCard(incident).lines.join('\n') : `No incident ${arg}.`);
  }
  if (verb === 'list') {
    const page = await incidents.list({ limit: 10 });
    const lines = page.items.map((i) => `${i.id} · ${i.status} · ${i.type} ${i.redacted}`);
    return ephemeral(lines.length ? lines.join('\n') : 'No incidents.');
  }
  return ephemeral('Usage: /leakstop status <incident id> | /leakstop list');
}

export async function slack(event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> {
  if (event.requestContext?.http?.method !== 'POST') return problem(405, 'use POST');
  const body = rawBody(event);
  if (Buffer.byteLength(body) > 64 * 1024)
    return problem(413, 'Slack requests are small; this one is too large');
  const verdict = verifySlackRequest(
    await getSecret('slackSigningSecret'),
    { signature: header(event, 'x-slack-signature'), timestamp: header(event, 'x-slack-request-timestamp') },
    body,
    clock.now(),
  );
  if (verdict !== 'valid') return problem(401, `Slack signature ${verdict}`);
  const path = event.rawPath ?? '/';
  if (path.endsWith('/slack/interactions')) return interaction(body);
  if (path.endsWith('/slack/commands')) return command(body);
  return problem(404, 'unknown Slack route');
}

export const handler = middy(slack)
  .use(injectLambdaContext(logger))
  .onError(async (request) => {
    logger.error('slack request failed', {
      error: request.error instanceof Error ? request.error.message : 'unknown',
    });
    request.response = problem(500, 'internal error');
  });
