/**
 * GitHub App installation tokens against the GitHub stand-in over HTTP, which verifies the App's
 * JWT and honours each token's expires_at: tokens are reused while they have time left and fetched
 * anew shortly before they expire, whatever a Lambda instance's age.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GitHubAppTokens, REFRESH_BEFORE_EXPIRY_MS } from '../../../functions/adapters/github/app-auth.ts';
import {
  GitHubClient,
  GitHubRequestFailed,
  GitHubUnavailable,
} from '../../../functions/adapters/github/github-client.ts';
import { serveGitHub, type ServedGitHub } from '../../helpers/github.ts';

const INSTALLATION = 61_000_001;
const HOUR = 3600_000;
let served: ServedGitHub | undefined;

afterEach(async () => {
  await served?.close();
  served = undefined;
});

function tokensAt(clock: { now: number }, github: ServedGitHub, privateKey = github.github.app.privateKey) {
  return new GitHubAppTokens({
    appId: String(github.github.app.id),
    privateKey,
    baseUrl: github.apiUrl,
    now: () => clock.now,
  });
}

describe('GitHub App installation tokens', () => {
  it('reuses a token while it has time left and fetches a new one shortly before it expires', async () => {
    served = await serveGitHub();
    const clock = { now: Date.now() };
    const tokens = tokensAt(clock, served);
    const first = await tokens.installationToken(INSTALLATION);
    expect(first.expiresAt - Date.now()).toBeGreaterThan(HOUR - 60_000);

    clock.now += 30 * 60_000; // a warm instance, half an hour later
    expect((await tokens.installationToken(INSTALLATION)).token).toBe(first.token);

    clock.now = first.expiresAt - REFRESH_BEFORE_EXPIRY_MS + 1_000; // inside the margin
    const second = await tokens.installationToken(INSTALLATION);
    expect(second.token).not.toBe(first.token);
    expect(served.github.issuedTokens()).toHaveLength(2);
    expect(tokens.fetched).toBe(2);
  });

  it('asks GitHub once when many calls need a token at the same time', async () => {
    served = await serveGitHub();
    const tokens = tokensAt({ now: Date.now() }, served);
    const all = await Promise.all(Array.from({ length: 8 }, () => tokens.installationToken(INSTALLATION)));
    expect(new Set(all.map((t) => t.token)).size).toBe(1);
    expect(served.github.issuedTokens()).toHaveLength(1);
  });

  it('refreshes by GitHub’s expires_at, not by when the token was fetched', async () => {
    // A stand-in that issues 20-minute tokens: auth-app's own 59-minute cache would keep using a dead one.
    served = await serveGitHub({ tokenLifetimeMs: 20 * 60_000 });
    const clock = { now: Date.now() };
    const tokens = tokensAt(clock, served);
    const first = await tokens.installationToken(INSTALLATION);
    clock.now += 16 * 60_000;
    expect((await tokens.installationToken(INSTALLATION)).token).not.toBe(first.token);
  });

  it('looks the installation up when the payload named none, and reads anonymously where the App is not installed', async () => {
    served = await serveGitHub();
    const tokens = tokensAt({ now: Date.now() }, served);
    await served.control('POST', '/repos/acme/lookup/pushes', {
      ref: 'refs/heads/main',
      commits: [{ message: 'x', files: { 'x.txt': 'x\n' } }],
    });
    expect(await tokens.token({ owner: 'acme', name: 'lookup' })).toMatch(/^ghs_/);
    expect(await tokens.token({ owner: 'acme', name: 'not-installed' })).toBeUndefined();
    const lookups = served.github.requests().filter((r) => r.path.endsWith('/installation'));
    expect(lookups.map((r) => r.status)).toEqual([200, 404]);
    await tokens.token({ owner: 'acme', name: 'lookup' });
    expect(served.github.requests().filter((r) => r.path.endsWith('/installation'))).toHaveLength(2);
  });

  it('is refused with 401 when the JWT is signed with another key, which no retry fixes', async () => {
    served = await serveGitHub();
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const tokens = tokensAt({ now: Date.now() }, served, privateKey);
    const error = await tokens.installationToken(INSTALLATION).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubRequestFailed);
    expect((error as GitHubRequestFailed).status).toBe(401);
  });

  it('turns a 5xx from the token endpoint into GitHubUnavailable, so the job is retried', async () => {
    served = await serveGitHub();
    served.outage(502, /access_tokens$/);
    const error = await tokensAt({ now: Date.now() }, served)
      .installationToken(INSTALLATION)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubUnavailable);
  });

  it('gets a new token and retries once when GitHub refuses the cached one', async () => {
    // GitHub's clock runs ahead of this instance's: the token it issued is already dead there.
    const github = { now: Date.now() };
    served = await serveGitHub({ now: () => new Date(github.now) });
    const tokens = tokensAt({ now: Date.now() }, served);
    const client = new GitHubClient(served.apiUrl, tokens);
    await served.control('POST', '/repos/acme/expiry/pushes', {
      ref: 'refs/heads/main',
      commits: [{ message: 'x', files: { 'x.txt': 'x\n' } }],
    });
    const repo = { owner: 'acme', name: 'expiry', installationId: INSTALLATION };
    await tokens.token(repo);
    github.now += 2 * HOUR;
    const head = served.github.branchHead('acme', 'expiry')!;
    expect((await client.commitFiles(repo, head, 1)).files).toHaveLength(1);
    const statuses = served.github
      .requests()
      .filter((r) => r.path.includes('/commits/'))
      .map((r) => r.status);
    expect(statuses).toEqual([401, 200]);
    expect(served.github.issuedTokens()).toHaveLength(2);
  });
});

describe('a GitHub that is not there', () => {
  it('treats a refused connection as GitHubUnavailable', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const client = new GitHubClient(`http://127.0.0.1:${port}`);
    await expect(client.commitFiles({ owner: 'a', name: 'b' }, 'c'.repeat(40), 1)).rejects.toBeInstanceOf(
      GitHubUnavailable,
    );
  });
});

describe('the App JWT', () => {
  it('is signed once for the installation lookups of its lifetime, and anew in its last minute', async () => {
    served = await serveGitHub();
    const signing = vi.spyOn(webcrypto.subtle, 'sign');
    const clock = { now: Date.now() };
    const tokens = tokensAt(clock, served);
    try {
      await tokens.token({ owner: 'acme', name: 'one' });
      await tokens.token({ owner: 'acme', name: 'two' });
      const lookups = signing.mock.calls.length;
      await tokens.token({ owner: 'acme', name: 'three' });
      expect(signing.mock.calls.length).toBe(lookups);
      clock.now += 9.5 * 60_000; // inside the JWT's last minute
      await tokens.token({ owner: 'acme', name: 'four' });
      expect(signing.mock.calls.length).toBeGreaterThan(lookups);
    } finally {
      signing.mockRestore();
    }
  });
});
