/**
 * The organisation secret-scanning alerts search against the GitHub stand-in, over HTTP: alerts
 * whose secret has the incident's fingerprint become exposures at their commit locations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOrgTokens, GitHubOrgAlertsTracer } from '../../../functions/adapters/github/org-alerts.ts';
import type { Exposure } from '../../../functions/domain/incidents/incident.ts';
import { createGitHubSandbox, type GitHubSandbox } from '../../../functions/local/sandbox/github.ts';
import { githubToken } from '../../helpers/credentials.ts';
import { FINGERPRINT_KEY, incidentFor, serve, traceInput } from '../../helpers/tracing.ts';
import { captureServer, request, type TestServer } from '../../unit/sandbox/helpers.ts';

let hooks: TestServer;
let github: GitHubSandbox;
let server: { url: string; close(): Promise<void> };
/** Answers the next N alert-list requests with this status instead of the stand-in's answer. */
let failNext: { status: number; count: number } = { status: 0, count: 0 };
const seen: string[] = [];

beforeAll(async () => {
  hooks = await captureServer();
  github = createGitHubSandbox({ webhookSecret: () => 'hook-secret', webhookUrl: () => hooks.url });
  server = await serve(async (req) => {
    seen.push(`${req.path}?${req.query.toString()}`);
    // Faults hit the alert list only, not the App's installation lookup before it.
    if (failNext.count > 0 && req.path.endsWith('/secret-scanning/alerts')) {
      failNext.count--;
      return { status: failNext.status, body: JSON.stringify({ message: 'Server Error' }) };
    }
    return github.handle(req);
  });
});
afterAll(async () => {
  await server.close();
  await hooks.close();
});

async function push(owner: string, repo: string, files: Record<string, string>): Promise<string> {
  const response = await github.handle(
    request('POST', `/sandbox/github/repos/${owner}/${repo}/pushes`, {
      ref: 'refs/heads/main',
      commits: [{ message: 'add', files }],
    }),
  );
  return (JSON.parse(response!.body) as { push: { after: string } }).push.after;
}

async function alert(
  owner: string,
  repo: string,
  secret: string,
  commit: string,
  path: string,
  line: number,
) {
  const response = await github.handle(
    request('POST', `/sandbox/github/repos/${owner}/${repo}/secret-scanning/alerts`, {
      secret_type: 'github_personal_access_token',
      secret,
      locations: [{ path, start_line: line, commit_sha: commit }],
    }),
  );
  expect(response?.status).toBe(201);
}

function tracer(orgs: string[] = []) {
  return new GitHubOrgAlertsTracer({
    baseUrl: `${server.url}/sandbox/github`,
    orgs,
    token: appOrgTokens(String(github.app.id), github.app.privateKey, `${server.url}/sandbox/github`),
    fingerprintKey: async () => FINGERPRINT_KEY,
  });
}

let orgs = 0;
const org = () => `org-${Date.now().toString(36)}-${++orgs}`;

describe('GitHub organisation secret-scanning alerts', () => {
  it('finds the credential in other repositories of the exposure’s organisation and in configured ones', async () => {
    const token = githubToken();
    // A different token sharing every character but the last: not this credential.
    const lookAlike = `${token.slice(0, -1)}${token.endsWith('Z') ? 'Y' : 'Z'}`;
    const [acme, other] = [org(), org()];
    const own = await push(acme, 'api', { '.env': `GITHUB_TOKEN=${token}\n` });
    const web = await push(acme, 'web', { 'deploy/ci.yml': `steps:\n  token: ${token}\n` });
    const docs = await push(acme, 'docs', { 'README.md': `${lookAlike}\n` });
    const infra = await push(other, 'infra', { 'main.tf': `\n\ntoken = "${token}"\n` });
    await alert(acme, 'api', token, own, '.env', 1);
    await alert(acme, 'web', token, web, 'deploy/ci.yml', 2);
    await alert(acme, 'docs', lookAlike, docs, 'README.md', 1);
    await alert(other, 'infra', token, infra, 'main.tf', 3);

    const exposure: Exposure = {
      repo: `${acme}/api`,
      commit: own,
      path: '.env',
      line: 1,
      source: 'push',
      detectedAt: new Date().toISOString(),
    };
    const { incident, secret } = incidentFor(token, [exposure]);
    const result = await tracer([other]).trace(traceInput(incident, secret));
    expect(result.copies?.map((c) => `${c.repo}@${c.commit}:${c.path}:${c.line}`).sort()).toEqual(
      [`${acme}/web@${web}:deploy/ci.yml:2`, `${other}/infra@${infra}:main.tf:3`].sort(),
    );
    expect(
      result.copies?.every(
        (c) => c.source === 'copies_search' && c.url?.includes('/security/secret-scanning/'),
      ),
    ).toBe(true);
    expect(result.detail).toMatch(
      /^github-alerts: 3 of 4 secret-scanning alerts in .* hold this credential; 2 new locations$/,
    );
  });

  it('follows the Link header past 100 alerts', async () => {
    const token = githubToken();
    const big = org();
    const others = Array.from({ length: 100 }, () => githubToken());
    const lines = [...others, token];
    const sha = await push(big, 'secrets', { 'tokens.txt': `${lines.join('\n')}\n` });
    // The leaked token's alert is the oldest, so it comes on the second page.
    await alert(big, 'secrets', token, sha, 'tokens.txt', 101);
    for (let i = 0; i < others.length; i++) await alert(big, 'secrets', others[i]!, sha, 'tokens.txt', i + 1);
    const { incident, secret } = incidentFor(token);
    seen.length = 0;
    const result = await tracer([big]).trace(traceInput(incident, secret));
    expect(result.copies?.map((c) => c.line)).toEqual([101]);
    expect(
      seen
        .filter((s) => s.includes('/secret-scanning/alerts?'))
        .map((s) => new URLSearchParams(s.split('?')[1]).get('page')),
    ).toEqual([null, '2']);
  });

  it('retries 5xx answers within the deadline and then finds the copy', async () => {
    const token = githubToken();
    const acme = org();
    const sha = await push(acme, 'svc', { 'a.txt': `${token}\n` });
    await alert(acme, 'svc', token, sha, 'a.txt', 1);
    const { incident, secret } = incidentFor(token);
    failNext = { status: 502, count: 2 };
    const result = await tracer([acme]).trace(traceInput(incident, secret));
    expect(failNext.count).toBe(0);
    expect(result.copies).toHaveLength(1);
    expect(result.truncated).toBeUndefined();
  });

  it('throws a clear error when the only organisation refuses access', async () => {
    const { incident, secret } = incidentFor(githubToken());
    failNext = { status: 403, count: 1 };
    const failure = await tracer([org()])
      .trace(traceInput(incident, secret))
      .catch((e: Error) => e);
    expect((failure as Error).message).toMatch(
      /^github-alerts: every search failed — org-.*: GitHubRequestFailed \(HTTP 403\)/,
    );
  });

  it('notes an owner that is not an organisation (404) and carries on', async () => {
    const { incident, secret } = incidentFor(githubToken());
    failNext = { status: 404, count: 1 };
    const name = org();
    const result = await tracer([name]).trace(traceInput(incident, secret));
    expect(result.copies).toEqual([]);
    expect(result.detail).toContain(`${name} is not an organisation leakstop can see`);
  });

  it('searches the organisations of the incident’s exposures, not of earlier copies or AWS places', () => {
    const { incident } = incidentFor(githubToken(), [
      { repo: 'acme/api', commit: 'c', path: 'p', line: 1, source: 'push', detectedAt: '' },
      { repo: 'Acme/web', commit: 'c', path: 'p', line: 1, source: 'secret_scanning_alert', detectedAt: '' },
      { repo: 'elsewhere/x', commit: 'c', path: 'p', line: 1, source: 'copies_search', detectedAt: '' },
      {
        repo: 'aws:123456789012:us-east-1',
        commit: '1',
        path: 'lambda:f:env:X',
        line: 1,
        source: 'push',
        detectedAt: '',
      },
    ]);
    expect(tracer(['configured']).organisations(traceInput(incident, ''))).toEqual(['configured', 'acme']);
  });
});
