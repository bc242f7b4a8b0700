/**
 * SourceHost on GitHub's REST API (or any server that speaks it, such as the sandbox stand-in).
 * Plain fetch: the few endpoints leakstop reads do not justify a heavier client in every cold start.
 * Pagination follows the `Link` header; 5xx, 429 and secondary rate limits raise GitHubUnavailable,
 * which fails the SQS record so it is retried and, in the end, kept in the dead-letter queue.
 */
import type {
  ChangedFile,
  RepoRef,
  SecretLocation,
  SecretScanningAlert,
  SourceHost,
} from '../../domain/ports.ts';

export type TokenProvider = (installationId: number | undefined) => Promise<string | undefined>;

export class GitHubUnavailable extends Error {
  constructor(
    readonly status: number,
    what: string,
  ) {
    super(`GitHub answered ${status} for ${what}; will retry`);
    this.name = 'GitHubUnavailable';
  }
}

export class GitHubRequestFailed extends Error {
  constructor(
    readonly status: number,
    what: string,
    message: string,
  ) {
    super(`GitHub answered ${status} for ${what}: ${message}`);
    this.name = 'GitHubRequestFailed';
  }
}

function nextLink(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="next"/.exec(part);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

export class GitHubClient implements SourceHost {
  private readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly token: TokenProvider,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  private async request(repo: RepoRef, url: string): Promise<Response> {
    const token = await this.token(repo.installationId);
    const response = await this.fetchImpl(url.startsWith('http') ? url : `${this.baseUrl}${url}`, {
      headers: {
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        'user-agent': 'leakstop',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      signal: AbortSignal.timeout(10_000),
    });
    if (response.ok) return response;
    const what = `GET ${new URL(url, this.baseUrl).pathname}`;
    const rateLimited =
      response.status === 429 ||
      (response.status === 403 && response.headers.get('x-ratelimit-remaining') === '0');
    if (response.status >= 500 || rateLimited) throw new GitHubUnavailable(response.status, what);
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    throw new GitHubRequestFailed(response.status, what, body.message ?? response.statusText);
  }

  private async *paginate<T>(
    repo: RepoRef,
    path: string,
    pick: (body: unknown) => readonly T[],
  ): AsyncIterable<T> {
    let url: string | undefined = path;
    while (url) {
      const response = await this.request(repo, url);
      for (const item of pick(await response.json())) yield item;
      url = nextLink(response.headers.get('link'));
    }
  }

  private repoPath(repo: RepoRef): string {
    return `/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}`;
  }

  commitFiles(repo: RepoRef, sha: string): AsyncIterable<ChangedFile> {
    return this.paginate(repo, `${this.repoPath(repo)}/commits/${sha}`, (body) =>
      ((body as { files?: Record<string, unknown>[] }).files ?? []).map((file) => ({
        filename: String(file.filename),
        status: file.status as ChangedFile['status'],
        ...(typeof file.patch === 'string' ? { patch: file.patch } : {}),
        ...(typeof file.sha === 'string' ? { sha: file.sha } : {}),
      })),
    );
  }

  async blobText(repo: RepoRef, blobSha: string): Promise<string | undefined> {
    const response = await this.request(repo, `${this.repoPath(repo)}/git/blobs/${blobSha}`);
    const blob = (await response.json()) as { content?: string; encoding?: string };
    const bytes =
      blob.encoding === 'base64'
        ? Buffer.from(blob.content ?? '', 'base64')
        : Buffer.from(blob.content ?? '', 'utf8');
    if (bytes.includes(0)) return undefined;
    return bytes.toString('utf8');
  }

  async secretScanningAlert(repo: RepoRef, alertNumber: number): Promise<SecretScanningAlert> {
    const response = await this.request(repo, `${this.repoPath(repo)}/secret-scanning/alerts/${alertNumber}`);
    const alert = (await response.json()) as Record<string, unknown>;
    if (typeof alert.secret !== 'string')
      throw new GitHubRequestFailed(
        200,
        `alert #${alertNumber}`,
        'the alert carries no secret (hide_secret?)',
      );
    return {
      number: alertNumber,
      secretType: String(alert.secret_type),
      secret: alert.secret,
      state: alert.state === 'resolved' ? 'resolved' : 'open',
      publiclyLeaked: alert.publicly_leaked === true,
      ...(typeof alert.html_url === 'string' ? { htmlUrl: alert.html_url } : {}),
    };
  }

  secretScanningLocations(repo: RepoRef, alertNumber: number): AsyncIterable<SecretLocation> {
    return this.paginate(
      repo,
      `${this.repoPath(repo)}/secret-scanning/alerts/${alertNumber}/locations?per_page=100`,
      (body) =>
        (body as { type?: string; details?: Record<string, unknown> }[])
          .filter((location) => location.type === 'commit' || location.type === 'wiki_commit')
          .map((location) => ({
            path: String(location.details?.path ?? ''),
            startLine: Number(location.details?.start_line ?? 0),
            ...(typeof location.details?.start_column === 'number'
              ? { startColumn: location.details.start_column }
              : {}),
            commitSha: String(location.details?.commit_sha ?? ''),
          })),
    );
  }
}
