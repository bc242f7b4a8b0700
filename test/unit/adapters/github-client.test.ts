/**
 * The GitHub REST adapter's edge cases, with fetch answering as GitHub does (status, headers,
 * bodies from GitHub's REST reference): which failures are retried, pagination, blob limits,
 * location kinds, and write-back results.
 */
import { describe, expect, it } from 'vitest';
import {
  GitHubClient,
  GitHubRateLimited,
  GitHubRequestFailed,
  GitHubUnavailable,
} from '../../../functions/adapters/github/github-client.ts';
import { SourceRateLimited } from '../../../functions/domain/ports.ts';

const repo = { owner: 'acme', name: 'api' };
const sha = 'a'.repeat(40);

function answering(...responses: (() => Response)[]) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fetchImpl = (async (url: string | URL, init?: RequestInit) => {
    calls.push({ url: String(url), init });
    const next = responses[Math.min(calls.length - 1, responses.length - 1)]!;
    return next();
  }) as typeof fetch;
  return { client: new GitHubClient('https://api.github.com', undefined, fetchImpl), calls };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });

describe('which GitHub failures are retried', () => {
  it('raises GitHubUnavailable for a 502', async () => {
    await expect(
      answering(json(502, { message: 'Bad Gateway' })).client.commitFiles(repo, sha, 1),
    ).rejects.toBeInstanceOf(GitHubUnavailable);
  });

  const reset = Math.floor(Date.now() / 1000) + 1800;
  it.each([
    [
      'a 429 without headers (a minute, GitHub’s advice)',
      json(429, { message: 'Too Many Requests' }),
      60_000,
    ],
    [
      'a primary rate limit (403, x-ratelimit-remaining: 0, until x-ratelimit-reset)',
      json(
        403,
        { message: 'API rate limit exceeded' },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      ),
      reset * 1000 - Date.now(),
    ],
    [
      'a secondary rate limit (403 with retry-after)',
      json(403, { message: 'You have exceeded a secondary rate limit' }, { 'retry-after': '120' }),
      120_000,
    ],
  ])('raises GitHubRateLimited, a SourceRateLimited with its reset, for %s', async (_, response, waitMs) => {
    const before = Date.now();
    const error = await answering(response)
      .client.commitFiles(repo, sha, 1)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubRateLimited);
    expect(error).toBeInstanceOf(SourceRateLimited);
    const until = (error as SourceRateLimited).until;
    expect(until).toBeGreaterThanOrEqual(before + waitMs - 1500);
    expect(until).toBeLessThanOrEqual(Date.now() + waitMs + 1500);
  });

  it('raises GitHubRequestFailed for a 403 that is not a rate limit and for a 404', async () => {
    for (const response of [
      json(403, { message: 'Resource not accessible by integration' }),
      json(404, { message: 'Not Found' }),
    ]) {
      const error = await answering(response)
        .client.commitFiles(repo, sha, 1)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GitHubRequestFailed);
    }
  });
});

describe('reading', () => {
  it('reads the last page number of a commit’s files from the Link header', async () => {
    const link =
      '<https://api.github.com/repositories/1/commits/a?page=2>; rel="next", <https://api.github.com/repositories/1/commits/a?page=7>; rel="last"';
    const { client } = answering(
      json(
        200,
        { files: [{ filename: 'a', status: 'added', patch: '@@ -0,0 +1 @@\n+a', sha, additions: 1 }] },
        { link },
      ),
    );
    expect(await client.commitFiles(repo, sha, 1)).toEqual({
      lastPage: 7,
      files: [{ filename: 'a', status: 'added', patch: '@@ -0,0 +1 @@\n+a', sha, additions: 1 }],
    });
  });

  it('answers undefined for a comparison GitHub cannot make (404: unknown commit, no common ancestor)', async () => {
    const { client, calls } = answering(
      json(404, { message: 'No common ancestor between main and orphan.' }),
    );
    expect(await client.compareCommits(repo, 'release/2.x', sha, 1)).toBeUndefined();
    expect(calls[0]!.url).toBe(
      `https://api.github.com/repos/acme/api/compare/release/2.x...${sha}?per_page=100&page=1`,
    );
  });

  it('refuses a blob over the limit by its Content-Length, and one that streams past it, without keeping it', async () => {
    const big = () => new Response('x'.repeat(2048), { status: 200, headers: { 'content-length': '2048' } });
    expect(await answering(big).client.blobContent(repo, sha, 1024)).toEqual({
      kind: 'too_large',
      limitBytes: 1024,
    });
    const streamed = () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            controller.enqueue(new TextEncoder().encode('y'.repeat(600)));
          },
        }),
        { status: 200 },
      );
    expect(await answering(streamed).client.blobContent(repo, sha, 1024)).toEqual({
      kind: 'too_large',
      limitBytes: 1024,
    });
  });

  it('asks for the raw blob and tells text from binary', async () => {
    const { client, calls } = answering(
      () => new Response('KEY=value\n'),
      () => new Response(new Uint8Array([80, 0, 78])),
    );
    expect(await client.blobContent(repo, sha, 1024)).toEqual({ kind: 'text', text: 'KEY=value\n' });
    expect(await client.blobContent(repo, sha, 1024)).toEqual({ kind: 'binary' });
    expect(new Headers(calls[0]!.init?.headers).get('accept')).toBe('application/vnd.github.raw+json');
  });

  it('maps every location type: commits by path and line, issues and pull requests by their URL', async () => {
    const commentUrl = 'https://api.github.com/repos/acme/api/issues/comments/1081119451';
    const { client } = answering(
      json(200, [
        {
          type: 'commit',
          details: {
            path: '.env',
            start_line: 3,
            end_line: 3,
            start_column: 12,
            end_column: 52,
            commit_sha: sha,
            blob_sha: sha,
          },
        },
        { type: 'issue_comment', details: { issue_comment_url: commentUrl } },
        {
          type: 'pull_request_body',
          details: { pull_request_body_url: 'https://api.github.com/repos/acme/api/pulls/9' },
        },
      ]),
    );
    const locations = [];
    for await (const location of client.secretScanningLocations(repo, 1)) locations.push(location);
    expect(locations).toEqual([
      { kind: 'commit', path: '.env', startLine: 3, startColumn: 12, commitSha: sha },
      { kind: 'issue_comment', path: '', startLine: 0, commitSha: '', url: commentUrl },
      {
        kind: 'pull_request_body',
        path: '',
        startLine: 0,
        commitSha: '',
        url: 'https://api.github.com/repos/acme/api/pulls/9',
      },
    ]);
  });

  it('refuses an alert fetched without its secret (hide_secret)', async () => {
    const { client } = answering(
      json(200, { number: 1, secret_type: 'github_personal_access_token', state: 'open' }),
    );
    await expect(client.secretScanningAlert(repo, 1)).rejects.toBeInstanceOf(GitHubRequestFailed);
  });
});

describe('writing back', () => {
  const report = {
    headSha: sha,
    name: 'leakstop: github_pat_classic ghp_…abcd',
    externalId: 'inc_00000000000000000001',
    conclusion: 'failure' as const,
    title: 't',
    summary: 's',
    annotations: Array.from({ length: 60 }, (_, i) => ({ path: 'a', line: i + 1, message: 'm' })),
  };

  it('sends at most 50 annotations, as GitHub accepts per request', async () => {
    const { client, calls } = answering(json(201, { id: 1 }));
    expect(await client.createCheckRun(repo, report)).toBe('done');
    const body = JSON.parse(String(calls[0]!.init?.body)) as {
      output: { annotations: unknown[] };
      status: string;
    };
    expect(body.output.annotations).toHaveLength(50);
    expect(body.status).toBe('completed');
  });

  it('reports gone for a commit GitHub no longer has, and fails on any other 422', async () => {
    expect(
      await answering(json(422, { message: `No commit found for SHA: ${sha}` })).client.createCheckRun(
        repo,
        report,
      ),
    ).toBe('gone');
    await expect(
      answering(json(422, { message: 'Invalid request. "conclusion" is required' })).client.createCheckRun(
        repo,
        report,
      ),
    ).rejects.toBeInstanceOf(GitHubRequestFailed);
  });

  it('resolves an alert as revoked, and reports gone when the alert was deleted', async () => {
    const { client, calls } = answering(
      json(200, { number: 4, state: 'resolved' }),
      json(404, { message: 'Not Found' }),
    );
    expect(await client.resolveAlertAsRevoked(repo, 4, 'Revoked by leakstop')).toBe('done');
    expect(JSON.parse(String(calls[0]!.init?.body))).toEqual({
      state: 'resolved',
      resolution: 'revoked',
      resolution_comment: 'Revoked by leakstop',
    });
    expect(await client.resolveAlertAsRevoked(repo, 4, 'Revoked by leakstop')).toBe('gone');
  });
});
