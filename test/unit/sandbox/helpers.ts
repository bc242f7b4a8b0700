import { createSign } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRequest, HttpResponse } from '../../../functions/local/http.ts';

export interface CapturedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface TestServer {
  readonly url: string;
  readonly received: CapturedRequest[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function toHttpRequest(req: IncomingMessage, body: string): HttpRequest {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers, body };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A server on 127.0.0.1:0 that records every request and answers with `respond` (default 202). */
export async function captureServer(
  respond: () => { status: number; body: string } = () => ({ status: 202, body: 'queued' }),
): Promise<TestServer> {
  const received: CapturedRequest[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const answer = respond();
      res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body);
    });
  });
  const url = await listen(server);
  return { url, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Serves a sandbox handler over real HTTP, as the local runtime's router would. */
export async function serveHandler(
  handle: (req: HttpRequest) => Promise<HttpResponse | undefined>,
): Promise<TestServer> {
  const received: CapturedRequest[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then(async (body) => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const response = (await handle(toHttpRequest(req, body))) ?? { status: 404, body: 'no route' };
      res.writeHead(response.status, { ...response.headers }).end(response.body);
    });
  });
  const url = await listen(server);
  return { url, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Builds an HttpRequest for calling a handler directly. */
export function request(
  method: string,
  pathAndQuery: string,
  body: unknown = '',
  headers: Record<string, string> = {},
): HttpRequest {
  const url = new URL(pathAndQuery, 'http://127.0.0.1:3000');
  return {
    method,
    path: url.pathname,
    query: url.searchParams,
    headers: { host: '127.0.0.1:3000', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

export function parse<T = Record<string, unknown>>(response: HttpResponse | undefined): T {
  if (!response) throw new Error('handler returned undefined');
  return JSON.parse(response.body) as T;
}

/** A GitHub App JWT (RS256) as @octokit/auth-app signs it; claims can be overridden to test rejection. */
export function appJwt(
  privateKey: string,
  appId: number,
  claims: { iat?: number; exp?: number; iss?: unknown } = {},
): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode({ iat: now - 30, exp: now + 570, iss: appId, ...claims })}`;
  const signature = createSign('RSA-SHA256').update(body).sign(privateKey).toString('base64url');
  return `${body}.${signature}`;
}

/** An installation token from the stand-in, got the way leakstop gets one (JWT → access_tokens). */
export async function installationToken(
  github: {
    handle(req: HttpRequest): Promise<HttpResponse | undefined>;
    app: { id: number; privateKey: string };
  },
  installationId = 61_000_001,
): Promise<string> {
  const response = await github.handle(
    request('POST', `/sandbox/github/app/installations/${installationId}/access_tokens`, '', {
      authorization: `Bearer ${appJwt(github.app.privateKey, github.app.id)}`,
    }),
  );
  if (response?.status !== 201)
    throw new Error(`no installation token: ${response?.status} ${response?.body}`);
  return parse<{ token: string }>(response).token;
}
