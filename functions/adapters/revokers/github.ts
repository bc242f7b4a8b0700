/**
 * GitHub tokens: revoked through the credential revocation API (`POST /credentials/revoke`,
 * unauthenticated, ≤ 1000 tokens per call, 60 calls per hour — api-facts §1g), coalesced across
 * invocations by CoalescingRevocations; probed with `GET /user` (401 once dead).
 *
 * Refresh tokens (`ghr_`) cannot call the API at all, so a probe says nothing about them: they are
 * revoked, and their death is not provable (containment_unverified).
 */
import type { Incident } from '../../domain/incidents/incident.ts';
import {
  RateLimited,
  type BatchRevocationApi,
  type CoalescingRevocations,
} from '../../domain/containment/batching.ts';
import {
  ProviderError,
  type Liveness,
  type RevokeContext,
  type RevokeOutcome,
  type Revoker,
} from '../../domain/containment/revokers.ts';
import { discard, providerFetch, statusError } from './http.ts';

export const GITHUB_REVOCABLE_TYPES = [
  'github_pat_classic',
  'github_fine_grained_pat',
  'github_oauth_token',
  'github_user_to_server_token',
  'github_refresh_token',
] as const;

const HEADERS = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };

export class GitHubCredentialsApi implements BatchRevocationApi {
  readonly provider = 'github';
  readonly maxPerCall = 1000;
  private readonly base: string;

  constructor(
    apiUrl: string,
    readonly callsPerHour = 60,
    private readonly timeoutMs = 5000,
  ) {
    this.base = apiUrl.replace(/\/+$/, '');
  }

  async revokeMany(values: readonly string[]): Promise<void> {
    // Unauthenticated by design: GitHub refuses authenticated calls to this endpoint.
    const response = await providerFetch(
      this.provider,
      'POST /credentials/revoke',
      `${this.base}/credentials/revoke`,
      {
        method: 'POST',
        headers: { ...HEADERS, 'content-type': 'application/json' },
        body: JSON.stringify({ credentials: values }),
      },
      this.timeoutMs,
    );
    await discard(response);
    if (response.status === 202 || response.status === 200 || response.status === 204) return;
    const remaining = response.headers.get('x-ratelimit-remaining');
    const reset = Number(response.headers.get('x-ratelimit-reset'));
    if ((response.status === 429 || (response.status === 403 && remaining === '0')) && reset > 0)
      throw new RateLimited(this.provider, reset * 1000);
    throw statusError(this.provider, 'POST /credentials/revoke', response);
  }

  /** `GET /user` with the token. */
  async probe(value: string): Promise<Liveness> {
    const response = await providerFetch(
      this.provider,
      'GET /user',
      `${this.base}/user`,
      { headers: { ...HEADERS, authorization: `Bearer ${value}` } },
      this.timeoutMs,
    );
    if (response.status === 401) {
      await discard(response);
      return { state: 'dead', reason: 'GET /user answered 401 Bad credentials' };
    }
    if (response.status === 200) {
      const user = (await response.json()) as { login?: string; type?: string };
      const scopes = response.headers.get('x-oauth-scopes');
      return {
        state: 'live',
        identity: user.login
          ? `GitHub ${user.type === 'Bot' ? 'bot' : 'user'} ${user.login}`
          : 'a GitHub account',
        ...(scopes !== null
          ? {
              scopes: scopes
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            }
          : {}),
      };
    }
    await discard(response);
    // 403 here is a rate limit or an IP allow-list: neither says the token is dead.
    if (response.status === 403)
      throw new ProviderError(this.provider, 'GET /user answered 403 (rate limit or IP allow list)', {
        transient: true,
      });
    throw statusError(this.provider, 'GET /user', response);
  }

  async stillLive(value: string): Promise<boolean> {
    return (await this.probe(value)).state !== 'dead';
  }
}

export class GitHubRevoker implements Revoker {
  readonly provider = 'github';
  readonly types: readonly string[] = GITHUB_REVOCABLE_TYPES;

  constructor(
    private readonly api: GitHubCredentialsApi,
    private readonly batches: CoalescingRevocations,
    readonly verifyWithinMs = 30_000,
  ) {}

  async probe(secret: string, incident: Incident): Promise<Liveness> {
    if (incident.type === 'github_refresh_token')
      return { state: 'unknown', reason: 'a refresh token cannot call the API, so GET /user proves nothing' };
    return this.api.probe(secret);
  }

  async revoke(_secret: string, incident: Incident, context: RevokeContext): Promise<RevokeOutcome> {
    // The batch leader reads every member's value from the vault: only the fingerprint travels.
    const outcome = await this.batches.submit(incident.fingerprint, context.deadline);
    if (outcome.outcome === 'queued')
      return {
        outcome: 'queued',
        until: outcome.until,
        reason: `GitHub allows ${this.api.callsPerHour} revocation calls per hour`,
      };
    return {
      outcome: 'revoked',
      actions: [
        `POST /credentials/revoke: one call for ${outcome.batchSize} token${outcome.batchSize === 1 ? '' : 's'} found within the coalescing window (${outcome.leader ? 'this worker sent it' : 'sent by the batch leader'}); GitHub answered 202`,
      ],
    };
  }
}
