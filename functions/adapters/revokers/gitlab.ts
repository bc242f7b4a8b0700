/**
 * GitLab personal access tokens: self-revocation, `DELETE /api/v4/personal_access_tokens/self`
 * with the token (GitLab ≥ 15.0, any scope since 15.4; 204), probed with
 * `GET /api/v4/personal_access_tokens/self` (401 once revoked). The instance is configured
 * (GITLAB_API_URL): a token does not say which GitLab issued it.
 */
import {
  ProviderError,
  type Liveness,
  type RevokeOutcome,
  type Revoker,
} from '../../domain/containment/revokers.ts';
import { discard, providerFetch, statusError } from './http.ts';

export const GITLAB_REVOCABLE_TYPES = ['gitlab_personal_access_token'] as const;

export class GitLabRevoker implements Revoker {
  readonly provider = 'gitlab';
  readonly types: readonly string[] = GITLAB_REVOCABLE_TYPES;
  private readonly url: string;

  constructor(
    baseUrl: string,
    readonly verifyWithinMs = 10_000,
    private readonly timeoutMs = 5000,
  ) {
    this.url = `${baseUrl.replace(/\/+$/, '')}/api/v4/personal_access_tokens/self`;
  }

  async probe(secret: string): Promise<Liveness> {
    const what = 'GET /api/v4/personal_access_tokens/self';
    const response = await providerFetch(
      this.provider,
      what,
      this.url,
      { headers: { 'private-token': secret } },
      this.timeoutMs,
    );
    if (response.status === 401) {
      await discard(response);
      return { state: 'dead', reason: `${what} answered 401` };
    }
    if (!response.ok) {
      await discard(response);
      throw statusError(this.provider, what, response);
    }
    const token = (await response.json()) as {
      id?: number;
      name?: string;
      scopes?: string[];
      user_id?: number;
      active?: boolean;
    };
    if (token.active === false) return { state: 'dead', reason: `${what}: the token is inactive` };
    return {
      state: 'live',
      identity: `GitLab user ${token.user_id ?? '?'} (token ${token.id ?? '?'} "${token.name ?? ''}")`,
      ...(token.scopes ? { scopes: token.scopes } : {}),
    };
  }

  async revoke(secret: string): Promise<RevokeOutcome> {
    const what = 'DELETE /api/v4/personal_access_tokens/self';
    const response = await providerFetch(
      this.provider,
      what,
      this.url,
      { method: 'DELETE', headers: { 'private-token': secret } },
      this.timeoutMs,
    );
    await discard(response);
    if (response.status === 204) return { outcome: 'revoked', actions: [`${what}: 204`] };
    if (response.status === 401) return { outcome: 'revoked', actions: [`${what}: 401 (already dead)`] };
    if (response.status === 403 || response.status === 404)
      throw new ProviderError(
        this.provider,
        `${what} answered ${response.status}: this GitLab cannot self-revoke (GitLab < 15.0?)`,
        {
          transient: false,
        },
      );
    throw statusError(this.provider, what, response);
  }
}
