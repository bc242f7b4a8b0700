/**
 * The sandbox's provider stand-ins (STS, IAM, GitHub credentials, Slack, GitLab, npm) on one real
 * HTTP server, with the credential registry and fault injector they share, and the revokers wired
 * to them as the containment function wires them to the real providers.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CoalescingRevocations,
  type RevocationBatchStore,
} from '../../functions/domain/containment/batching.ts';
import type { Revoker } from '../../functions/domain/containment/revokers.ts';
import type { Clock, Vault } from '../../functions/domain/ports.ts';
import { assumeRoleCredentials } from '../../functions/adapters/aws/account-access.ts';
import { AwsKeyRevoker } from '../../functions/adapters/aws/revoke-aws-key.ts';
import { GitHubCredentialsApi, GitHubRevoker } from '../../functions/adapters/revokers/github.ts';
import { GitLabRevoker } from '../../functions/adapters/revokers/gitlab.ts';
import { NpmRevoker } from '../../functions/adapters/revokers/npm.ts';
import { SlackRevoker } from '../../functions/adapters/revokers/slack.ts';
import { LOCAL_AWS } from '../../functions/local/emulators.ts';
import type { HttpRequest } from '../../functions/local/http.ts';
import {
  createContainmentSandbox,
  type ContainmentSandbox,
} from '../../functions/local/sandbox/containment.ts';
import { createGitHubSandbox } from '../../functions/local/sandbox/github.ts';
import { createGitHubCredentialsApi } from '../../functions/local/sandbox/github-credentials.ts';
import { createSlackSandbox } from '../../functions/local/sandbox/slack.ts';
import { STSClient } from '@aws-sdk/client-sts';

export const ROLE_NAME = 'leakstop-containment';

export interface ProviderSandbox {
  readonly url: string;
  readonly sandbox: ContainmentSandbox;
  /** POST /credentials/revoke calls that reached the GitHub stand-in. */
  githubRevokeCalls(): number;
  /** TCP connections the stand-ins accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

function toRequest(req: IncomingMessage, body: string): HttpRequest {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers, body };
}

export async function startProviderSandbox(
  options: { externalId?: string; githubRevokeCallsPerHour?: number } = {},
): Promise<ProviderSandbox> {
  const sandbox = createContainmentSandbox({
    roleName: () => ROLE_NAME,
    externalId: () => options.externalId,
  });
  let revokeCalls = 0;
  // The sandbox's own GitHub credentials API, with the hourly limit this test wants.
  const credentialsApi = createGitHubCredentialsApi({
    registry: sandbox.credentials,
    faults: sandbox.faults,
    revokeCallsPerHour: options.githubRevokeCallsPerHour ?? 60,
  });
  const github = createGitHubSandbox({
    webhookSecret: () => 'unused',
    webhookUrl: () => 'http://127.0.0.1:9/unused',
    credentials: {
      handle: async (req, segments) => {
        const answer = await credentialsApi.handle(req, segments);
        if (answer && segments[0] === 'credentials') revokeCalls += 1;
        return answer;
      },
    },
  });
  const slack = createSlackSandbox(sandbox.slack);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = toRequest(req, Buffer.concat(chunks).toString('utf8'));
      void (async () => {
        const response = (await sandbox.handle(request)) ??
          (await github.handle(request)) ??
          (await slack.handle(request)) ?? { status: 404, body: 'no route' };
        res.writeHead(response.status, { ...response.headers }).end(response.body);
      })();
    });
  });
  let connections = 0;
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    sandbox,
    githubRevokeCalls: () => revokeCalls,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Points the AWS SDK at the STS and IAM stand-ins, with leakstop's local credentials. */
export function useSandboxAws(url: string): void {
  process.env.AWS_ENDPOINT_URL_STS = `${url}/sandbox/aws/sts`;
  process.env.AWS_ENDPOINT_URL_IAM = `${url}/sandbox/aws/iam`;
  process.env.AWS_REGION = LOCAL_AWS.region;
  process.env.AWS_ACCESS_KEY_ID = LOCAL_AWS.credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_AWS.credentials.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
}

export interface RevokerSet {
  readonly aws: AwsKeyRevoker;
  readonly github: GitHubRevoker;
  readonly githubApi: GitHubCredentialsApi;
  readonly slack: SlackRevoker;
  readonly gitlab: GitLabRevoker;
  readonly npm: NpmRevoker;
  readonly all: Revoker[];
}

/** The revokers against the stand-ins at `url` (call useSandboxAws(url) first). */
export function sandboxRevokers(
  url: string,
  deps: {
    vault: Vault;
    clock: Clock;
    batches: RevocationBatchStore;
    windowMs?: number;
    githubCallsPerHour?: number;
    externalId?: string;
    verifyWithinMs?: number;
  },
): RevokerSet {
  const verify = deps.verifyWithinMs ?? 2000;
  const sts = new STSClient({ maxAttempts: 1 });
  const githubApi = new GitHubCredentialsApi(`${url}/sandbox/github`, deps.githubCallsPerHour ?? 60, 2000);
  const batches = new CoalescingRevocations({
    api: githubApi,
    store: deps.batches,
    vault: deps.vault,
    clock: deps.clock,
    windowMs: deps.windowMs ?? 100,
  });
  const set = {
    aws: new AwsKeyRevoker({
      credentialsFor: assumeRoleCredentials({ roleName: ROLE_NAME, externalId: deps.externalId, sts }),
      sts,
      verifyWithinMs: verify,
    }),
    github: new GitHubRevoker(githubApi, batches, verify),
    githubApi,
    slack: new SlackRevoker(`${url}/sandbox/slack/api/`, verify, 2000),
    gitlab: new GitLabRevoker(`${url}/sandbox/gitlab`, verify, 2000),
    npm: new NpmRevoker(`${url}/sandbox/npm`, verify, 2000),
  };
  return { ...set, all: [set.aws, set.github, set.slack, set.gitlab, set.npm] };
}
