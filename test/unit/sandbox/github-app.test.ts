/**
 * The GitHub stand-in as GitHub treats an App: JWT-authenticated token and installation endpoints,
 * installation tokens with an expiry, anonymous reads of public repositories only; and the refs and
 * alert facts its control endpoints create (tags, forced pushes, deletions, validity, public leaks).
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubSandbox, type GitHubSandbox } from '../../../functions/local/sandbox/github.ts';
import { appJwt, captureServer, installationToken, parse, request, type TestServer } from './helpers.ts';

const REPO = '/sandbox/github/repos/acme/api';
let clock: Date;
let hook: TestServer;
let github: GitHubSandbox;

beforeAll(async () => {
  hook = await captureServer();
});
afterAll(async () => {
  await hook.close();
});
beforeEach(async () => {
  hook.received.length = 0;
  clock = new Date('2024-11-22T08:00:00Z');
  github = createGitHubSandbox({ webhookSecret: () => 's', webhookUrl: () => hook.url, now: () => clock });
});

async function push(body: Record<string, unknown>) {
  const res = await github.handle(
    request('POST', `${REPO}/pushes`, { ref: 'refs/heads/main', commits: [], ...body }),
  );
  return {
    status: res?.status,
    body: parse<{
      push: { before: string; after: string; forced: boolean; commits: string[] };
      delivery: { body: string };
    }>(res),
  };
}
const commit = (message: string, files: Record<string, string> = { [`${message}.txt`]: `${message}\n` }) => ({
  message,
  files,
});

describe('GitHub sandbox: App authentication', () => {
  const tokenRequest = (authorization?: string) =>
    github.handle(
      request(
        'POST',
        '/sandbox/github/app/installations/61000001/access_tokens',
        '',
        authorization ? { authorization } : {},
      ),
    );

  it('issues an installation token for a valid App JWT, expiring in an hour', async () => {
    const res = await tokenRequest(`Bearer ${appJwt(github.app.privateKey, github.app.id)}`);
    expect(res?.status).toBe(201);
    expect(parse(res)).toMatchObject({
      token: expect.stringMatching(/^ghs_[A-Za-z0-9]{36}$/),
      expires_at: '2024-11-22T09:00:00Z',
      permissions: { contents: 'read', secret_scanning_alerts: 'write', checks: 'write', metadata: 'read' },
    });
  });

  it.each([
    ['no JWT', undefined],
    ['a JWT signed with another key', 'other-key'],
    ['an expired JWT', 'expired'],
    ['a JWT expiring more than 10 minutes ahead', 'too-far'],
    ['a JWT for another App', 'other-app'],
  ])('answers 401 to %s', async (_, kind) => {
    const now = Math.floor(Date.now() / 1000);
    const other = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    const jwt =
      kind === 'other-key'
        ? appJwt(other, github.app.id)
        : kind === 'expired'
          ? appJwt(github.app.privateKey, github.app.id, { iat: now - 700, exp: now - 100 })
          : kind === 'too-far'
            ? appJwt(github.app.privateKey, github.app.id, { exp: now + 3600 })
            : kind === 'other-app'
              ? appJwt(github.app.privateKey, 12345)
              : undefined;
    const res = await tokenRequest(jwt ? `Bearer ${jwt}` : undefined);
    expect(res?.status).toBe(401);
    expect(github.issuedTokens()).toEqual([]);
  });

  it('serves the repository installation to the App’s JWT only', async () => {
    await push({ commits: [commit('a')] });
    expect((await github.handle(request('GET', `${REPO}/installation`)))?.status).toBe(401);
    const res = await github.handle(
      request('GET', `${REPO}/installation`, '', {
        authorization: `Bearer ${appJwt(github.app.privateKey, github.app.id)}`,
      }),
    );
    expect(parse(res)).toMatchObject({ id: 61000001, app_id: github.app.id });
  });

  it('serves the organisation installation for an owner whose repositories were only pushed to, never alerted', async () => {
    await push({ commits: [commit('a')] });
    const owner = REPO.split('/')[4] as string;
    const jwt = { authorization: `Bearer ${appJwt(github.app.privateKey, github.app.id)}` };
    const org = await github.handle(request('GET', `/sandbox/github/orgs/${owner}/installation`, '', jwt));
    expect(parse(org)).toMatchObject({ id: 61000001, app_id: github.app.id, target_type: 'Organization' });
    const stranger = await github.handle(
      request('GET', '/sandbox/github/orgs/nobody-here/installation', '', jwt),
    );
    expect(stranger?.status).toBe(404);
  });

  it('reads public repositories anonymously but needs an installation token for secret scanning and check runs', async () => {
    const { body } = await push({ commits: [commit('a')] });
    expect((await github.handle(request('GET', `${REPO}/commits/${body.push.after}`)))?.status).toBe(200);
    expect((await github.handle(request('GET', `${REPO}/secret-scanning/alerts`)))?.status).toBe(401);
    expect(
      (await github.handle(request('POST', `${REPO}/check-runs`, { name: 'x', head_sha: body.push.after })))
        ?.status,
    ).toBe(401);
    expect(github.writes()).toEqual([]);
  });

  it('answers 401 Bad credentials to an unknown token and to one past its expires_at', async () => {
    const { body } = await push({ commits: [commit('a')] });
    const path = `${REPO}/commits/${body.push.after}`;
    const token = await installationToken(github);
    expect((await github.handle(request('GET', path, '', { authorization: `token ${token}` })))?.status).toBe(
      200,
    );
    clock = new Date(clock.getTime() + 3600_000);
    const expired = await github.handle(request('GET', path, '', { authorization: `token ${token}` }));
    expect(expired?.status).toBe(401);
    expect(parse(expired)).toMatchObject({ message: 'Bad credentials' });
    expect(
      (await github.handle(request('GET', path, '', { authorization: 'token ghs_unknown' })))?.status,
    ).toBe(401);
  });
});

describe('GitHub sandbox: refs', () => {
  it('lists history newest first with Link pagination', async () => {
    const { body } = await push({ commits: [commit('a'), commit('b'), commit('c')] });
    const res = await github.handle(request('GET', `${REPO}/commits?sha=main&per_page=2`));
    expect(parse<{ sha: string }[]>(res).map((c) => c.sha)).toEqual([
      body.push.commits[2],
      body.push.commits[1],
    ]);
    expect(res?.headers?.link).toContain('rel="next"');
  });

  it('flags a push that rewrites history as forced and lists what it introduced', async () => {
    const first = await push({ commits: [commit('a'), commit('b')] });
    const rewritten = await push({ from: first.body.push.commits[0], commits: [commit('b2')] });
    expect(rewritten.body.push.forced).toBe(true);
    const payload = JSON.parse(rewritten.body.delivery.body);
    expect(payload).toMatchObject({
      forced: true,
      before: first.body.push.after,
      after: rewritten.body.push.after,
    });
    expect(payload.commits.map((c: { id: string }) => c.id)).toEqual(rewritten.body.push.commits);
  });

  it('creates a tag on an existing commit with an empty commit list and head_commit set', async () => {
    const { body } = await push({ commits: [commit('a')] });
    const tag = await push({ ref: 'refs/tags/v1.0.0', from: body.push.after });
    expect(tag.status).toBe(201);
    expect(JSON.parse(tag.body.delivery.body)).toMatchObject({
      ref: 'refs/tags/v1.0.0',
      created: true,
      base_ref: 'refs/heads/main',
      commits: [],
      head_commit: { id: body.push.after },
    });
    expect((await push({ ref: 'refs/tags/v1.0.0', from: body.push.after })).status).toBe(422);
  });

  it('deletes a branch with GitHub’s deletion payload, but never the default branch', async () => {
    await push({ commits: [commit('a')] });
    await push({ ref: 'refs/heads/topic', commits: [commit('t')] });
    const deleted = await push({ ref: 'refs/heads/topic', delete: true });
    expect(JSON.parse(deleted.body.delivery.body)).toMatchObject({
      deleted: true,
      after: '0'.repeat(40),
      commits: [],
      head_commit: null,
    });
    expect(github.branchHead('acme', 'api', 'topic')).toBeUndefined();
    expect((await push({ ref: 'refs/heads/main', delete: true })).status).toBe(422);
  });

  it('lists at most 2048 commits in the webhook of a larger push', async () => {
    const { body } = await push({
      commits: Array.from({ length: 2050 }, (_, i) => commit(`c${i}`, { 'n.txt': `${i}\n` })),
    });
    expect(body.push.commits).toHaveLength(2050);
    expect(JSON.parse(body.delivery.body).commits).toHaveLength(2048);
  });
});

describe('GitHub sandbox: alert facts and check-run annotations', () => {
  async function alert() {
    const key = ['AKIA', 'QZ7XK2MPL4VNW3RD'].join('');
    const { body } = await push({ commits: [commit('env', { '.env': `AWS_ACCESS_KEY_ID=${key}\n` })] });
    await github.handle(
      request('POST', `${REPO}/secret-scanning/alerts`, {
        secret_type: 'aws_access_key_id',
        secret: key,
        locations: [{ path: '.env', start_line: 1, commit_sha: body.push.after }],
      }),
    );
    hook.received.length = 0;
    return body.push.after;
  }

  it('delivers validated and publicly_leaked, and the REST alert shows them', async () => {
    await alert();
    const validated = await github.handle(
      request('POST', `${REPO}/secret-scanning/alerts/1/events`, { action: 'validated', validity: 'active' }),
    );
    expect(validated?.status).toBe(201);
    await github.handle(
      request('POST', `${REPO}/secret-scanning/alerts/1/events`, { action: 'publicly_leaked' }),
    );
    expect(hook.received.map((r) => JSON.parse(r.body).action)).toEqual(['validated', 'publicly_leaked']);
    expect(JSON.parse(hook.received[1]!.body).alert).toMatchObject({
      validity: 'active',
      publicly_leaked: true,
    });
    const token = await installationToken(github);
    const rest = parse(
      await github.handle(
        request('GET', `${REPO}/secret-scanning/alerts/1`, '', { authorization: `token ${token}` }),
      ),
    );
    expect(rest).toMatchObject({ validity: 'active', publicly_leaked: true });
    expect(
      (
        await github.handle(
          request('POST', `${REPO}/secret-scanning/alerts/1/events`, { action: 'assigned' }),
        )
      )?.status,
    ).toBe(400);
  });

  it('counts valid annotations and refuses malformed ones without recording a write', async () => {
    const head = await alert();
    const token = await installationToken(github);
    const create = (annotations: unknown) =>
      github.handle(
        request(
          'POST',
          `${REPO}/check-runs`,
          {
            name: 'leakstop',
            head_sha: head,
            conclusion: 'failure',
            output: { title: 't', summary: 's', annotations },
          },
          { authorization: `token ${token}` },
        ),
      );
    const ok = await create([
      { path: '.env', start_line: 1, end_line: 1, annotation_level: 'failure', message: 'm' },
    ]);
    expect(parse(ok)).toMatchObject({ output: { annotations_count: 1 } });
    expect(
      (await create([{ path: '.env', start_line: 1, annotation_level: 'fatal', message: 'm' }]))?.status,
    ).toBe(422);
    expect(github.writes()).toHaveLength(1);
  });
});
