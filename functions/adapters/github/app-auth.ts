/**
 * GitHub App authentication with @octokit/auth-app: a JWT signed with the App's private key buys
 * an installation token per account (1 hour). auth-app's own cache keeps a token 59 minutes from
 * when it was fetched, whatever GitHub's `expires_at` says, so a warm Lambda could start a
 * 60-second job on a token with seconds to live. This provider keeps its own per-installation
 * cache keyed on `expires_at` and fetches a new token REFRESH_BEFORE_EXPIRY_MS before it runs out.
 * Repositories whose payload named no installation are looked up once (`GET /repos/{o}/{r}/installation`).
 */
import { createAppAuth } from '@octokit/auth-app';
import { request as octokitRequest } from '@octokit/request';
import type { RepoRef } from '../../domain/ports.ts';
import {
  ANONYMOUS,
  GitHubRequestFailed,
  GitHubUnavailable,
  isTransient,
  type TokenProvider,
} from './github-client.ts';

/** Well beyond the longest function timeout (60 s), so no call starts on a token about to expire. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
/** How long "the App is not installed on this repository" is believed before asking again. */
const NOT_INSTALLED_TTL_MS = 10 * 60_000;

export interface GitHubAppOptions {
  readonly appId: string;
  /** PEM (PKCS#1 as GitHub issues it, or PKCS#8); `\n` escapes from an env file are accepted. */
  readonly privateKey: string;
  /** REST API base, e.g. https://api.github.com or the sandbox's /sandbox/github. */
  readonly baseUrl: string;
  readonly refreshBeforeExpiryMs?: number;
  /** Epoch milliseconds; tests move it to cross an expiry. */
  readonly now?: () => number;
  readonly fetchImpl?: typeof fetch;
}

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

/** Maps @octokit/request's RequestError onto the adapter's errors, so outages are retried alike. */
function mapped(error: unknown, what: string): Error {
  const status = (error as { status?: unknown }).status;
  const headers = ((error as { response?: { headers?: Record<string, string> } }).response?.headers ??
    {}) as Record<string, string | undefined>;
  if (typeof status !== 'number') return new GitHubUnavailable(0, what);
  if (isTransient(status, { get: (name) => headers[name] ?? null }))
    return new GitHubUnavailable(status, what);
  return new GitHubRequestFailed(status, what, (error as Error).message);
}

/** An App JWT is not reused in its last minute (clock drift, a slow request). */
const APP_JWT_MARGIN_MS = 60_000;

export class GitHubAppTokens implements TokenProvider {
  private readonly auth: ReturnType<typeof createAppAuth>;
  private readonly request: typeof octokitRequest;
  private readonly now: () => number;
  private readonly margin: number;
  private readonly cache = new Map<number, CachedToken>();
  private readonly pending = new Map<number, Promise<CachedToken>>();
  private readonly installations = new Map<string, { id: number | undefined; until: number }>();
  /** The App's own JWT (valid 10 minutes): signing one costs an RSA signature and a key import. */
  private appJwt: { token: string; expiresAt: number } | undefined;
  /** Installation tokens fetched from GitHub (not served from the cache), for logs and tests. */
  fetched = 0;

  constructor(options: GitHubAppOptions) {
    this.request = octokitRequest.defaults({
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      headers: { 'user-agent': 'leakstop' },
      ...(options.fetchImpl ? { request: { fetch: options.fetchImpl } } : {}),
    });
    this.auth = createAppAuth({
      appId: options.appId,
      privateKey: options.privateKey.replace(/\\n/g, '\n'),
      request: this.request,
    });
    this.now = options.now ?? Date.now;
    this.margin = options.refreshBeforeExpiryMs ?? REFRESH_BEFORE_EXPIRY_MS;
  }

  async token(repo: RepoRef): Promise<string | undefined> {
    const installationId = repo.installationId ?? (await this.installationFor(repo));
    if (installationId === undefined) return undefined;
    return (await this.installationToken(installationId)).token;
  }

  /** A token of the App's installation on an organisation (organisation-wide reads), or undefined when it is not installed there. */
  async orgToken(org: string): Promise<string | undefined> {
    const installationId = await this.installationOf(
      `org:${org.toLowerCase()}`,
      'GET /orgs/{org}/installation',
      {
        org,
      },
    );
    if (installationId === undefined) return undefined;
    return (await this.installationToken(installationId)).token;
  }

  invalidate(repo: RepoRef): void {
    const id = repo.installationId ?? this.installations.get(repoKey(repo))?.id;
    if (id !== undefined) this.cache.delete(id);
  }

  /** The cached token while it has more than the margin left, else a new one (one request at a time per installation). */
  async installationToken(installationId: number): Promise<CachedToken> {
    const cached = this.cache.get(installationId);
    if (cached && cached.expiresAt - this.margin > this.now()) return cached;
    const inFlight = this.pending.get(installationId);
    if (inFlight) return inFlight;
    const fetching = this.fetchToken(installationId).finally(() => this.pending.delete(installationId));
    this.pending.set(installationId, fetching);
    return fetching;
  }

  private async fetchToken(installationId: number): Promise<CachedToken> {
    let result: { token: string; expiresAt: string };
    try {
      // refresh: our cache decided a new token is needed; auth-app's 59-minute cache must not answer.
      result = await this.auth({ type: 'installation', installationId, refresh: true });
    } catch (error) {
      throw mapped(error, `POST /app/installations/${installationId}/access_tokens`);
    }
    this.fetched += 1;
    const token = { token: result.token, expiresAt: Date.parse(result.expiresAt) };
    this.cache.set(installationId, token);
    return token;
  }

  /** The App JWT, reused while it has more than a minute left. */
  private async appToken(): Promise<string> {
    if (this.appJwt && this.appJwt.expiresAt - APP_JWT_MARGIN_MS > this.now()) return this.appJwt.token;
    const { token, expiresAt } = await this.auth({ type: 'app' });
    this.appJwt = { token, expiresAt: Date.parse(expiresAt) };
    return token;
  }

  private installationFor(repo: RepoRef): Promise<number | undefined> {
    return this.installationOf(repoKey(repo), 'GET /repos/{owner}/{repo}/installation', {
      owner: repo.owner,
      repo: repo.name,
    });
  }

  /** The App's installation id on a repository or organisation, remembered (a miss for a while). */
  private async installationOf(
    key: string,
    route: 'GET /repos/{owner}/{repo}/installation' | 'GET /orgs/{org}/installation',
    params: Record<string, string>,
  ): Promise<number | undefined> {
    const known = this.installations.get(key);
    if (known && (known.id !== undefined || known.until > this.now())) return known.id;
    const what = route.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? name);
    let id: number | undefined;
    try {
      const token = await this.appToken();
      // Both routes answer an installation; the route string is chosen by the caller.
      const { data } = await this.request(route as 'GET /orgs/{org}/installation', {
        ...(params as { org: string }),
        headers: { authorization: `bearer ${token}` },
      });
      id = (data as { id: number }).id;
    } catch (error) {
      // Not installed there: read anonymously (public repositories still work).
      if ((error as { status?: unknown }).status !== 404) throw mapped(error, what);
    }
    this.installations.set(key, { id, until: this.now() + NOT_INSTALLED_TTL_MS });
    return id;
  }
}

const repoKey = (repo: RepoRef): string => `${repo.owner}/${repo.name}`.toLowerCase();

/** App tokens when both the App id and key are configured, else anonymous calls. */
export function appTokenProvider(
  appId: string | undefined,
  privateKey: string | undefined,
  baseUrl: string,
): TokenProvider {
  if (!appId || !privateKey) return ANONYMOUS;
  return new GitHubAppTokens({ appId, privateKey, baseUrl });
}
