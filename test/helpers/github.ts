/**
 * The GitHub stand-in served over real HTTP, with leakstop's GitHub client authenticated as the
 * stand-in's App, for tests of the adapters and of intake on real HTTP. `outage` makes the server
 * answer the API with a status (e.g. 503) until cleared — a test-side switch in front of the
 * stand-in, as a load balancer in front of GitHub would fail, not a feature of the stand-in.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GitHubAppTokens } from '../../functions/adapters/github/app-auth.ts';
import { GitHubClient } from '../../functions/adapters/github/github-client.ts';
import type { HttpRequest } from '../../functions/local/http.ts';
import {
  createGitHubSandbox,
  type GitHubSandbox,
  type GitHubSandboxOptions,
} from '../../functions/local/sandbox/github.ts';
import { readRequest, send } from '../../functions/local/server.ts';

export interface ServedGitHub {
  readonly github: GitHubSandbox;
  /** The REST API base (`…/sandbox/github`). */
  readonly apiUrl: string;
  /** The App's installation-token provider the client uses (`fetched` counts tokens fetched). */
  readonly tokens: GitHubAppTokens;
  readonly client: GitHubClient;
  /** Answer API requests matching `path` with `status` (and `headers`) until cleared (undefined). */
  outage(status: number | undefined, path?: RegExp, headers?: Record<string, string>): void;
  /** How many requests the outage switch has answered since it was last switched on. */
  outageHits(): number;
  /** Calls a control endpoint in process, e.g. a push; throws unless the status is 201. */
  control<T>(method: string, path: string, body: unknown): Promise<T>;
  close(): Promise<void>;
}

export async function serveGitHub(options: Partial<GitHubSandboxOptions> = {}): Promise<ServedGitHub> {
  let outage: { status: number; path: RegExp; headers: Record<string, string> } | undefined;
  let hits = 0;
  let url = '';
  const github = createGitHubSandbox({
    webhookSecret: () => 'test-webhook-secret',
    // Port 9 (discard) refuses at once: a test that wants deliveries passes its own webhookUrl.
    webhookUrl: () => 'http://127.0.0.1:9/',
    publicUrl: () => url,
    ...options,
  });
  const server = createServer((req, res) => {
    readRequest(req, 64 * 1024 * 1024)
      .then(async (request: HttpRequest) => {
        if (outage && !request.path.includes('/pushes') && outage.path.test(request.path)) {
          hits += 1;
          const message = outage.status === 503 ? 'Service Unavailable' : 'API rate limit exceeded';
          send(res, { status: outage.status, headers: outage.headers, body: JSON.stringify({ message }) });
          return;
        }
        send(res, (await github.handle(request)) ?? { status: 404, body: '{"message":"Not Found"}' });
      })
      .catch(() => send(res, { status: 500, body: '{"message":"test server failed"}' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const apiUrl = `${url}/sandbox/github`;
  const tokens = new GitHubAppTokens({
    appId: String(github.app.id),
    privateKey: github.app.privateKey,
    baseUrl: apiUrl,
  });
  return {
    github,
    apiUrl,
    tokens,
    client: new GitHubClient(apiUrl, tokens),
    outage(status, path = /./, headers = {}) {
      outage = status === undefined ? undefined : { status, path, headers };
      if (outage) hits = 0;
    },
    outageHits: () => hits,
    async control<T>(method: string, path: string, body: unknown): Promise<T> {
      const response = await fetch(`${apiUrl}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      if (response.status !== 201) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return JSON.parse(text) as T;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
