/**
 * npm tokens: the registry's token revocation, as `npm token revoke` does it — list the account's
 * tokens (`GET /-/npm/v1/tokens`), find ours by its key (the SHA-512 of the token) and
 * `DELETE /-/npm/v1/tokens/token/{key}`; when the registry lists no matching key, the full token is
 * sent as the key, as the npm CLI does. Probed with `GET /-/whoami` (401 once dead). npm documents
 * that a revocation may take up to an hour to apply: verification may end unverified.
 */
import { createHash } from 'node:crypto';
import type { Liveness, RevokeOutcome, Revoker } from '../../domain/containment/revokers.ts';
import { discard, providerFetch, statusError } from './http.ts';

// A legacy token (a UUID in an .npmrc) is listed and revoked by the same key as a granular one.
export const NPM_REVOCABLE_TYPES = ['npm_access_token', 'npm_legacy_token'] as const;

interface TokenList {
  objects?: { key?: string; token?: string }[];
  urls?: { next?: string };
}

export class NpmRevoker implements Revoker {
  readonly provider = 'npm';
  readonly types: readonly string[] = NPM_REVOCABLE_TYPES;
  private readonly base: string;

  constructor(
    registryUrl: string,
    readonly verifyWithinMs = 20_000,
    private readonly timeoutMs = 5000,
  ) {
    this.base = registryUrl.replace(/\/+$/, '');
  }

  private auth(secret: string) {
    return { authorization: `Bearer ${secret}`, accept: 'application/json' };
  }

  async probe(secret: string): Promise<Liveness> {
    const response = await providerFetch(
      this.provider,
      'GET /-/whoami',
      `${this.base}/-/whoami`,
      { headers: this.auth(secret) },
      this.timeoutMs,
    );
    if (response.status === 401 || response.status === 403) {
      await discard(response);
      return { state: 'dead', reason: `GET /-/whoami answered ${response.status}` };
    }
    if (!response.ok) {
      await discard(response);
      throw statusError(this.provider, 'GET /-/whoami', response);
    }
    const { username } = (await response.json()) as { username?: string };
    return { state: 'live', identity: `npm user ${username ?? '?'}` };
  }

  /** The key the registry lists the token under, if it lists it. */
  private async keyOf(secret: string): Promise<string | undefined> {
    const hashed = createHash('sha512').update(secret).digest('hex');
    let url: string | undefined = `${this.base}/-/npm/v1/tokens`;
    const prefixMatches: string[] = [];
    for (let page = 0; url && page < 20; page += 1) {
      const response = await providerFetch(
        this.provider,
        'GET /-/npm/v1/tokens',
        url,
        { headers: this.auth(secret) },
        this.timeoutMs,
      );
      if (!response.ok) {
        await discard(response);
        if (response.status === 401) return undefined;
        throw statusError(this.provider, 'GET /-/npm/v1/tokens', response);
      }
      const list = (await response.json()) as TokenList;
      for (const token of list.objects ?? []) {
        if (token.key === hashed) return token.key;
        const preview = token.token?.replace(/…$/, '');
        if (token.key && preview && preview.length >= 4 && secret.startsWith(preview))
          prefixMatches.push(token.key);
      }
      url = list.urls?.next ? new URL(list.urls.next, this.base).toString() : undefined;
    }
    return prefixMatches.length === 1 ? prefixMatches[0] : undefined;
  }

  async revoke(secret: string): Promise<RevokeOutcome> {
    const key = (await this.keyOf(secret)) ?? secret;
    const response = await providerFetch(
      this.provider,
      'DELETE /-/npm/v1/tokens/token/{key}',
      `${this.base}/-/npm/v1/tokens/token/${encodeURIComponent(key)}`,
      { method: 'DELETE', headers: this.auth(secret) },
      this.timeoutMs,
    );
    await discard(response);
    if (response.ok)
      return {
        outcome: 'revoked',
        actions: ['DELETE /-/npm/v1/tokens/token/{key} with the token: accepted'],
      };
    if (response.status === 401)
      return { outcome: 'revoked', actions: ['the registry already rejects the token (401)'] };
    throw statusError(this.provider, 'DELETE /-/npm/v1/tokens/token/{key}', response);
  }
}
