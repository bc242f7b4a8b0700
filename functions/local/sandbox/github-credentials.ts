/**
 * GitHub's credential endpoints for the sandbox, served by the GitHub stand-in:
 *
 * - `POST /credentials/revoke` `{ "credentials": [...] }`: unauthenticated only (403 with an
 *   Authorization header), 1–1000 credentials (422 otherwise), 60 calls per hour (then 429 with
 *   x-ratelimit-* headers), 202 Accepted. Each registered GitHub token it names is revoked and
 *   counted; unknown tokens are ignored, as GitHub gives no per-token answer.
 * - `GET /user`: the token's user and `x-oauth-scopes` while the registered token is live;
 *   401 Bad credentials otherwise.
 *
 * Faults for service `github` apply to these two routes only (not to the repository API the detect
 * worker reads), so an injected failure exercises containment.
 */
import { createHash } from 'node:crypto';
import { json, type HttpRequest, type HttpResponse } from '../http.ts';
import type { CredentialRegistry } from './credentials.ts';
import { applyFault, type FaultInjector } from './faults.ts';

export interface GitHubCredentialsOptions {
  readonly registry: CredentialRegistry;
  readonly faults?: FaultInjector;
  readonly now?: () => Date;
  /** Calls per hour to /credentials/revoke. @default 60 */
  readonly revokeCallsPerHour?: number;
}

const DOCS = 'https://docs.github.com/rest';
const MAX_CREDENTIALS = 1000;

export function createGitHubCredentialsApi(options: GitHubCredentialsOptions) {
  const now = options.now ?? (() => new Date());
  const limit = options.revokeCallsPerHour ?? 60;
  let window = { start: 0, used: 0 };

  const error = (status: number, message: string, headers: Record<string, string> = {}) =>
    json(status, { message, documentation_url: DOCS, status: String(status) }, headers);

  function rateHeaders(): Record<string, string> {
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - window.used)),
      'x-ratelimit-used': String(window.used),
      'x-ratelimit-reset': String(Math.floor((window.start + 3_600_000) / 1000)),
      'x-ratelimit-resource': 'credentials_revoke',
    };
  }

  function revoke(req: HttpRequest): HttpResponse {
    const hour = Math.floor(now().getTime() / 3_600_000) * 3_600_000;
    if (window.start !== hour) window = { start: hour, used: 0 };
    if (req.headers.authorization) return error(403, 'This endpoint must be called without authentication');
    if (window.used >= limit)
      return error(429, 'API rate limit exceeded for credential revocation', rateHeaders());
    window.used += 1;
    let body: unknown;
    try {
      body = JSON.parse(req.body);
    } catch {
      return error(400, 'Problems parsing JSON');
    }
    const credentials = (body as { credentials?: unknown } | null)?.credentials;
    if (
      !Array.isArray(credentials) ||
      credentials.length === 0 ||
      credentials.length > MAX_CREDENTIALS ||
      !credentials.every((c) => typeof c === 'string' && c.length > 0)
    )
      return error(
        422,
        `Validation Failed: "credentials" must list 1 to ${MAX_CREDENTIALS} strings`,
        rateHeaders(),
      );
    for (const value of new Set(credentials as string[])) {
      const credential = options.registry.find(value);
      if (credential?.provider === 'github') options.registry.revoke(credential);
    }
    return json(202, {}, rateHeaders());
  }

  function user(req: HttpRequest): HttpResponse {
    const header = req.headers.authorization ?? '';
    const token = /^(?:token|bearer)\s+(\S+)$/i.exec(header)?.[1];
    const credential = token ? options.registry.find(token) : undefined;
    if (!credential || credential.provider !== 'github' || !credential.live)
      return error(401, 'Bad credentials');
    options.registry.used(credential, 'github');
    const id = parseInt(createHash('sha256').update(credential.owner).digest('hex').slice(0, 7), 16);
    return json(
      200,
      { login: credential.owner, id, type: 'User', site_admin: false, name: credential.owner },
      { 'x-oauth-scopes': credential.scopes.join(', '), 'x-accepted-oauth-scopes': '' },
    );
  }

  return {
    /** Answers `credentials/revoke` and `user` (path segments after the API base), else undefined. */
    async handle(req: HttpRequest, segments: readonly string[]): Promise<HttpResponse | undefined> {
      const method = req.method.toUpperCase();
      const isRevoke =
        segments.length === 2 &&
        segments[0] === 'credentials' &&
        segments[1] === 'revoke' &&
        method === 'POST';
      const isUser = segments.length === 1 && segments[0] === 'user' && method === 'GET';
      if (!isRevoke && !isUser) return undefined;
      const faulted = await applyFault(options.faults, 'github', (status) =>
        error(status, status === 429 ? 'API rate limit exceeded' : 'Server Error'),
      );
      if (faulted) return faulted;
      return isRevoke ? revoke(req) : user(req);
    },
  };
}
