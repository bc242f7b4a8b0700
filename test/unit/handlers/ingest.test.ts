/**
 * The ingest handler's answers to deliveries it must not enqueue: unknown events and actions
 * (202 and a log line), malformed JSON (400), bodies over the Function URL limit (413). None of these
 * paths reaches DynamoDB or SQS, so the handler runs here without them.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';

const SECRET = 'ingest-unit-secret';
let ingest: (event: LambdaFunctionURLEvent) => Promise<{ statusCode?: number; body?: string }>;
let logger: Logger;
let MAX_BODY_BYTES: number;

beforeAll(async () => {
  // Unreachable endpoints: a test that touched AWS would fail loudly.
  Object.assign(process.env, {
    TABLE_NAME: 'unit-ingest',
    SCAN_JOBS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/unit-scan-jobs',
    GITHUB_WEBHOOK_SECRET: SECRET,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'unit',
    AWS_SECRET_ACCESS_KEY: 'unit',
    AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9',
  });
  const module = await import('../../../functions/handlers/ingest.ts');
  ingest = module.ingest as typeof ingest;
  MAX_BODY_BYTES = module.MAX_BODY_BYTES;
  logger = (await import('../../../functions/handlers/common/logger.ts')).logger;
});

function event(name: string, body: string, id = 'delivery-1'): LambdaFunctionURLEvent {
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  return {
    version: '2.0',
    rawPath: '/',
    headers: { 'x-github-event': name, 'x-github-delivery': id, 'x-hub-signature-256': signature },
    requestContext: { http: { method: 'POST' } },
    body,
    isBase64Encoded: false,
  } as unknown as LambdaFunctionURLEvent;
}

describe('ingest: deliveries that start no work', () => {
  it('answers 202 to an event leakstop does not act on, and logs a line saying why', async () => {
    const info = vi.spyOn(logger, 'info');
    const response = await ingest(
      event(
        'star',
        JSON.stringify({ action: 'created', repository: { name: 'api', owner: { login: 'acme' } } }),
      ),
    );
    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body ?? '{}')).toMatchObject({
      accepted: false,
      reason: expect.stringContaining('star'),
    });
    expect(info).toHaveBeenCalledWith(
      'delivery needs no work',
      expect.objectContaining({ event: 'star', deliveryId: 'delivery-1' }),
    );
    info.mockRestore();
  });

  it('answers 202 to an action that needs nothing (secret_scanning_alert.assigned) and to a ping', async () => {
    const assigned = JSON.parse(
      readFileSync(
        new URL('../../../events/github/secret_scanning_alert.created.json', import.meta.url),
        'utf8',
      ),
    );
    assigned.action = 'assigned';
    expect((await ingest(event('secret_scanning_alert', JSON.stringify(assigned)))).statusCode).toBe(202);
    const ping = readFileSync(new URL('../../../events/github/ping.json', import.meta.url), 'utf8');
    expect((await ingest(event('ping', ping))).statusCode).toBe(202);
  });

  it('answers 400 to a signed body that is not JSON or lacks what a push needs', async () => {
    expect((await ingest(event('push', '{"ref":'))).statusCode).toBe(400);
    const response = await ingest(event('push', JSON.stringify({ ref: 'refs/heads/main', commits: [] })));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body ?? '{}').error).toMatch(/repository/);
  });

  it('answers 413 to a body over the Function URL limit, saying what the limit is', async () => {
    const response = await ingest(event('push', 'x'.repeat(MAX_BODY_BYTES + 1)));
    expect(response.statusCode).toBe(413);
    expect(JSON.parse(response.body ?? '{}').error).toMatch(/6 MB/);
  });
});
