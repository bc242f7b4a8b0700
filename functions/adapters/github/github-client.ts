/**
 * SourceHost and SourceHostWriter on GitHub's REST API (or any server that speaks it, such as the
 * sandbox stand-in). Plain fetch: the few endpoints leakstop uses do not justify a heavier client
 * in every cold start. Pagination follows the `Link` header; 5xx, 429 and rate limits raise
 * GitHubUnavailable, which fails the SQS record so it is retried and, in the end, kept in the
 * dead-letter queue. A token GitHub refuses (401) is dropped and the call retried once with a new one.
 */
import type {
  BlobContent,
  CheckRunReport,
  CommitFilePage,
  CommitPage,
  RepoRef,
  SecretLocation,
  SecretScanningAlert,
  SourceHost,
  SourceHostWriter,
} from '../../domain/ports.ts';
import { SourceRateLimited } from '../../domain/ports.ts';

export interface TokenProvider {
  /** A token for calls about `repo`, or undefined to call anonymously. */
  token(repo: RepoRef): Promise<string | undefined>;
  /** Forgets the token used for `repo` after GitHub refused it, so the next call gets a new one. */
  invalidate(repo: RepoRef): void;
}

/** No GitHub App configured: public repositories only, within the anonymous rate limit, no writes. */
export const ANONYMOUS: TokenProvider = { token: async () => undefined, invalidate: () => undefined };

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

/**
 * GitHub's primary or secondary rate limit (403 or 429 with `x-ratelimit-remaining: 0` or
 * `retry-after`): the work waits until the limit resets instead of failing.
 */
export class GitHubRateLimited extends SourceRateLimited {
  constructor(status: number, what: string, until: number) {
    super(
      until,
      `GitHub answered ${status} for ${what}: rate limit spent until ${new Date(until).toISOString()}`,
    );
    this.name = 'GitHubRateLimited';
  }
}

/**
 * When a rate-limited answer says the limit resets (epoch ms): `retry-after` seconds from now, else
 * `x-ratelimit-reset`, else a minute (GitHub's advice for secondary limits). Undefined when the
 * answer is not a rate limit.
 */
export function rateLimitReset(
  status: number,
  headers: { get(name: string): string | null },
  now: number,
): number | undefined {
  const retryAfter = headers.get('retry-after');
  const exhausted = headers.get('x-ratelimit-remaining') === '0';
  if (status !== 429 && !(status === 403 && (exhausted || retryAfter !== null))) return undefined;
  const seconds = Number(retryAfter);
  if (retryAfter !== null && Number.isFinite(seconds) && seconds >= 0) return now + seconds * 1000;
  const reset = Number(headers.get('x-ratelimit-reset'));
  if (exhausted && Number.isFinite(reset) && reset > 0) return Math.max(now, reset * 1000);
  return now + 60_000;
}

/** Server errors, 429 and both kinds of 403 rate limit are transient: the work is retried later. */
export function isTransient(status: number, headers: { get(name: string): string | null }): boolean {
  if (status >= 500 || status === 429) return true;
  return (
    status === 403 && (headers.get('x-ratelimit-remaining') === '0' || headers.get('retry-after') !== null)
  );
}

/** A `Link` header's relations: `<url>; rel="next", <url>; rel="last"` → `{ next, last }`. */
export function links(link: string | null): Record<string, string> {
  const found: Record<string, string> = {};
  for (const part of link?.split(',') ?? []) {
    const match = /<([^>]+)>\s*;\s*rel="([^"]+)"/.exec(part);
    if (match?.[1] && match[2]) found[match[2]] = match[1];
  }
  return found;
}

function pageOf(url: string | undefined): number | undefined {
  if (!url) return undefined;
  const page = Number(new URL(url, 'http://x').searchParams.get('page'));
  return Number.isInteger(page) && page > 0 ? page : undefined;
}

/** Encodes a revision for a URL path; `/` in branch names stays as is, as GitHub expects. */
const rev = (value: string): string => encodeURIComponent(value).replace(/%2F/g, '/');

interface CallOptions {
  readonly method?: 'GET' | 'POST' | 'PATCH';
  readonly body?: unknown;
  readonly accept?: string;
  /** Statuses the caller handles itself instead of an error. */
  readonly allow?: readonly number[];
}

export class GitHubClient implements SourceHost, SourceHostWriter {
  private readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly tokens: TokenProvider = ANONYMOUS,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  private async call(repo: RepoRef, url: string, options: CallOptions = {}): Promise<Response> {
    const method = options.method ?? 'GET';
    const target = url.startsWith('http') ? url : `${this.baseUrl}${url}`;
    const what = `${method} ${new URL(target).pathname}`;
    for (let attempt = 0; ; attempt += 1) {
      const token = await this.tokens.token(repo);
      const response = await this.fetchImpl(target, {
        method,
        headers: {
          accept: options.accept ?? 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          'user-agent': 'leakstop',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(10_000),
      }).catch((error: unknown) => {
        // Connection refused, reset or timed out: as transient as a 503.
        throw Object.assign(new GitHubUnavailable(0, what), { cause: error });
      });
      if (response.ok || options.allow?.includes(response.status)) return response;
      if (response.status === 401 && token && attempt === 0) {
        // A revoked or expired installation token: forget it and try once with a fresh one.
        await response.body?.cancel();
        this.tokens.invalidate(repo);
        continue;
      }
      const resetAt = rateLimitReset(response.status, response.headers, Date.now());
      if (resetAt !== undefined) {
        await response.body?.cancel();
        throw new GitHubRateLimited(response.status, what, resetAt);
      }
      if (isTransient(response.status, response.headers)) {
        await response.body?.cancel();
        throw new GitHubUnavailable(response.status, what);
      }
      const body = (await response.json().catch(() => ({}))) as { message?: string };
      throw new GitHubRequestFailed(response.status, what, body.message ?? response.statusText);
    }
  }

  private repoPath(repo: RepoRef): string {
    return `/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}`;
  }

  async commitFiles(repo: RepoRef, sha: string, page: number): Promise<CommitFilePage> {
    const response = await this.call(repo, `${this.repoPath(repo)}/commits/${sha}?page=${page}`);
    const body = (await response.json()) as { files?: Record<string, unknown>[] };
    const link = links(response.headers.get('link'));
    const lastPage = pageOf(link.last) ?? (link.next ? page + 1 : page);
    return {
      lastPage,
      files: (body.files ?? []).map((file) => ({
        filename: String(file.filename),
        status: file.status as CommitFilePage['files'][number]['status'],
        ...(typeof file.patch === 'string' ? { patch: file.patch } : {}),
        ...(typeof file.sha === 'string' ? { sha: file.sha } : {}),
        ...(typeof file.additions === 'number' ? { additions: file.additions } : {}),
      })),
    };
  }

  async compareCommits(
    repo: RepoRef,
    base: string,
    head: string,
    page: number,
  ): Promise<CommitPage | undefined> {
    const response = await this.call(
      repo,
      `${this.repoPath(repo)}/compare/${rev(base)}...${rev(head)}?per_page=100&page=${page}`,
      { allow: [404] },
    );
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    const body = (await response.json()) as { commits?: { sha?: unknown }[] };
    return this.commitPage(
      (body.commits ?? []).map((c) => String(c.sha)),
      response,
    );
  }

  async listCommits(repo: RepoRef, head: string, page: number): Promise<CommitPage> {
    const response = await this.call(
      repo,
      `${this.repoPath(repo)}/commits?sha=${encodeURIComponent(head)}&per_page=100&page=${page}`,
    );
    const body = (await response.json()) as { sha?: unknown }[];
    return this.commitPage(
      body.map((c) => String(c.sha)),
      response,
    );
  }

  private commitPage(commits: string[], response: Response): CommitPage {
    const next = pageOf(links(response.headers.get('link')).next);
    return { commits, ...(next === undefined ? {} : { nextPage: next }) };
  }

  async blobContent(repo: RepoRef, blobSha: string, maxBytes: number): Promise<BlobContent> {
    // The raw media type streams the bytes, so a huge blob is refused without being held in memory.
    const response = await this.call(repo, `${this.repoPath(repo)}/git/blobs/${blobSha}`, {
      accept: 'application/vnd.github.raw+json',
    });
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      await response.body?.cancel();
      return { kind: 'too_large', limitBytes: maxBytes };
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body?.getReader();
    for (;;) {
      const chunk = reader ? await reader.read() : { done: true as const, value: undefined };
      if (chunk.done) break;
      size += chunk.value.byteLength;
      if (size > maxBytes) {
        await reader?.cancel();
        return { kind: 'too_large', limitBytes: maxBytes };
      }
      chunks.push(chunk.value);
    }
    const bytes = Buffer.concat(chunks);
    if (bytes.includes(0)) return { kind: 'binary' };
    return { kind: 'text', text: bytes.toString('utf8') };
  }

  async secretScanningAlert(repo: RepoRef, alertNumber: number): Promise<SecretScanningAlert> {
    const response = await this.call(repo, `${this.repoPath(repo)}/secret-scanning/alerts/${alertNumber}`);
    const alert = (await response.json()) as Record<string, unknown>;
    if (typeof alert.secret !== 'string')
      throw new GitHubRequestFailed(
        200,
        `alert #${alertNumber}`,
        'the alert carries no secret (hide_secret?)',
      );
    const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);
    const resolvedBy = text((alert.resolved_by as { login?: unknown } | null | undefined)?.login);
    const optional = {
      htmlUrl: text(alert.html_url),
      resolution: text(alert.resolution),
      resolvedBy,
      resolvedAt: text(alert.resolved_at),
      validity: text(alert.validity),
      updatedAt: text(alert.updated_at),
    };
    return {
      number: alertNumber,
      secretType: String(alert.secret_type),
      secret: alert.secret,
      state: alert.state === 'resolved' ? 'resolved' : 'open',
      publiclyLeaked: alert.publicly_leaked === true,
      ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
    };
  }

  async *secretScanningLocations(repo: RepoRef, alertNumber: number): AsyncIterable<SecretLocation> {
    let url: string | undefined =
      `${this.repoPath(repo)}/secret-scanning/alerts/${alertNumber}/locations?per_page=100`;
    while (url) {
      const response = await this.call(repo, url);
      const body = (await response.json()) as { type?: string; details?: Record<string, unknown> }[];
      for (const location of body) yield toLocation(location);
      url = links(response.headers.get('link')).next;
    }
  }

  async resolveAlertAsRevoked(repo: RepoRef, alertNumber: number, comment: string): Promise<'done' | 'gone'> {
    const response = await this.call(repo, `${this.repoPath(repo)}/secret-scanning/alerts/${alertNumber}`, {
      method: 'PATCH',
      body: { state: 'resolved', resolution: 'revoked', resolution_comment: comment },
      allow: [404],
    });
    await response.body?.cancel();
    return response.status === 404 ? 'gone' : 'done';
  }

  async createCheckRun(repo: RepoRef, report: CheckRunReport): Promise<'done' | 'gone'> {
    const response = await this.call(repo, `${this.repoPath(repo)}/check-runs`, {
      method: 'POST',
      allow: [404, 422],
      body: {
        name: report.name,
        head_sha: report.headSha,
        external_id: report.externalId,
        status: 'completed',
        conclusion: report.conclusion,
        output: {
          title: report.title,
          summary: report.summary,
          // GitHub takes at most 50 annotations per request.
          annotations: report.annotations.slice(0, 50).map((a) => ({
            path: a.path,
            start_line: a.line,
            end_line: a.line,
            annotation_level: 'failure',
            message: a.message,
          })),
        },
      },
    });
    if (response.status === 404) {
      await response.body?.cancel();
      return 'gone';
    }
    if (response.status === 422) {
      const body = (await response.json().catch(() => ({}))) as { message?: string };
      // The commit was force-pushed away and garbage-collected: nothing left to annotate.
      if (/No commit found/i.test(body.message ?? '')) return 'gone';
      throw new GitHubRequestFailed(422, 'POST check-runs', body.message ?? 'Unprocessable Entity');
    }
    await response.body?.cancel();
    return 'done';
  }
}

function toLocation(location: { type?: string; details?: Record<string, unknown> }): SecretLocation {
  const kind = location.type ?? 'unknown';
  const details = location.details ?? {};
  if (kind === 'commit' || kind === 'wiki_commit') {
    return {
      kind,
      path: String(details.path ?? ''),
      startLine: Number(details.start_line ?? 0),
      ...(typeof details.start_column === 'number' ? { startColumn: details.start_column } : {}),
      commitSha: String(details.commit_sha ?? ''),
    };
  }
  // Issue, pull request and discussion locations carry one `…_url` naming where the secret was seen.
  const url = Object.entries(details).find(
    ([key, value]) => key.endsWith('_url') && typeof value === 'string',
  );
  return { kind, path: '', startLine: 0, commitSha: '', ...(url ? { url: url[1] as string } : {}) };
}
