/**
 * GitHub webhook intake (Function URL). Verify X-Hub-Signature-256 over the raw body, claim the
 * X-GitHub-Delivery id so a redelivery has no second effect, fan the work out to the scan-jobs
 * queue, and answer well inside GitHub's 10-second budget.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { Webhooks } from '@octokit/webhooks';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { InvalidPayload, planGitHubEvent } from '../domain/intake/github-events.ts';
import type { ScanJob } from '../domain/jobs.ts';
import { getSecret } from '../adapters/secrets/secret-source.ts';
import { header, jsonResponse, problem, rawBody } from './common/http.ts';
import { logger } from './common/logger.ts';
import { clock, deliveryLedger, queue } from './common/wiring.ts';

/** Function URLs buffer at most 6 MB; the local server applies the same limit so both answer alike. */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;

/** What a sender needs to know when its body is refused for its size. */
export function tooLarge(size?: number): string {
  return `payload ${size === undefined ? '' : `of ${size} bytes `}exceeds the webhook endpoint's limit of 6 MB (${MAX_BODY_BYTES} bytes, a Lambda Function URL's maximum); nothing was accepted`;
}

const ledger = deliveryLedger();
const scanJobs = queue<ScanJob>('scanJobs');
let webhooks: { secret: string; instance: Webhooks } | undefined;

async function verifier(): Promise<Webhooks> {
  const secret = await getSecret('githubWebhookSecret');
  if (webhooks?.secret !== secret) webhooks = { secret, instance: new Webhooks({ secret }) };
  return webhooks.instance;
}

export async function ingest(event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> {
  if (event.requestContext?.http?.method !== 'POST') return problem(405, 'use POST');
  const body = rawBody(event);
  const size = Buffer.byteLength(body);
  if (size > MAX_BODY_BYTES) return problem(413, tooLarge(size));
  const signature = header(event, 'x-hub-signature-256');
  const name = header(event, 'x-github-event');
  const deliveryId = header(event, 'x-github-delivery');
  if (!signature || !/^sha256=[0-9a-f]{64}$/.test(signature))
    return problem(401, 'missing or malformed X-Hub-Signature-256');
  if (!(await (await verifier()).verify(body, signature))) return problem(401, 'signature does not match');
  if (!name || !deliveryId) return problem(400, 'X-GitHub-Event and X-GitHub-Delivery are required');

  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return problem(400, 'body is not JSON (configure the webhook with content type application/json)');
  }
  let plan;
  try {
    plan = planGitHubEvent(name, payload, deliveryId);
  } catch (error) {
    if (error instanceof InvalidPayload) return problem(400, error.message);
    throw error;
  }
  if (plan.outcome === 'ignored') {
    logger.info('delivery needs no work', { deliveryId, event: name, reason: plan.reason });
    return jsonResponse(202, { accepted: false, reason: plan.reason });
  }
  if ((await ledger.claim(deliveryId, clock.now())) === 'duplicate') {
    logger.info('duplicate delivery ignored', { deliveryId, event: name });
    return jsonResponse(200, { accepted: false, duplicate: true });
  }
  try {
    await scanJobs.send(plan.jobs);
  } catch (error) {
    // Nothing was lost: the claim is released so GitHub's redelivery (manual or API) can try again.
    await ledger.release(deliveryId);
    throw error;
  }
  await ledger.complete(deliveryId, clock.now());
  logger.info('delivery accepted', {
    deliveryId,
    event: name,
    jobs: plan.jobs.length,
    summary: plan.summary,
  });
  return jsonResponse(202, { accepted: true, jobs: plan.jobs.length });
}

export const handler = middy(ingest)
  .use(injectLambdaContext(logger))
  .onError(async (request) => {
    logger.error('ingest failed', {
      error: request.error instanceof Error ? request.error.message : 'unknown',
    });
    request.response = problem(500, 'internal error; the delivery was not accepted and can be redelivered');
  });
