/** node:http plumbing for the local runtime: raw bodies in, Function URL events to handlers, responses out. */
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRequest, HttpResponse } from './http.ts';

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(
      `request body exceeds the ${limit / (1024 * 1024)} MB (${limit}-byte) limit of a Lambda Function URL; nothing was accepted`,
    );
  }
}

/** Reads the exact raw body, refusing to buffer more than `limit` bytes. */
export async function readRequest(req: IncomingMessage, limit: number): Promise<HttpRequest> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLarge(limit);
    chunks.push(chunk);
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers,
    body: Buffer.concat(chunks).toString('utf8'),
  };
}

export function send(res: ServerResponse, response: HttpResponse): void {
  res.writeHead(response.status, { ...(response.headers ?? {}) });
  res.end(response.body);
}

/** The Function URL (payload format 2.0) event Lambda would build for this request. */
export function functionUrlEvent(request: HttpRequest): LambdaFunctionURLEvent {
  const now = new Date();
  const query = Object.fromEntries(request.query.entries());
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.path,
    rawQueryString: request.query.toString(),
    headers: { ...request.headers },
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: request.headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: request.method,
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: request.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body: request.body,
    isBase64Encoded: false,
  };
}

export function fromFunctionUrlResult(result: LambdaFunctionURLResult | string | undefined): HttpResponse {
  if (result === undefined) return { status: 200, body: '' };
  if (typeof result === 'string')
    return { status: 200, headers: { 'content-type': 'application/json' }, body: result };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  return { status: result.statusCode ?? 200, headers, body: result.body ?? '' };
}
