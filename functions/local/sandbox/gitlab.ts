/**
 * The GitLab stand-in (`/sandbox/gitlab`, the GITLAB_API_URL of a sandbox run): the personal access
 * token self-service endpoints, authenticated with `PRIVATE-TOKEN` (or `Authorization: Bearer`).
 *
 * - `GET /api/v4/personal_access_tokens/self` → the token's metadata (id, name, scopes, user_id,
 *   active…) while the registered token is live; 401 `{"message":"401 Unauthorized"}` otherwise.
 * - `DELETE /api/v4/personal_access_tokens/self` → 204, the token is revoked and the call counted.
 * Faults for service `gitlab` apply to both.
 */
import { createHash } from 'node:crypto';
import { json, type HttpRequest, type HttpResponse } from '../http.ts';
import type { CredentialRegistry } from './credentials.ts';
import { applyFault, type FaultInjector } from './faults.ts';

export interface GitLabSandboxOptions {
  readonly registry: CredentialRegistry;
  readonly faults?: FaultInjector;
}

const PATH = '/sandbox/gitlab/api/v4/personal_access_tokens/self';

export function createGitLabSandbox(options: GitLabSandboxOptions) {
  const unauthorized = () => json(401, { message: '401 Unauthorized' });
  return {
    async handle(req: HttpRequest): Promise<HttpResponse | undefined> {
      if (!req.path.startsWith('/sandbox/gitlab/')) return undefined;
      const method = req.method.toUpperCase();
      if (req.path !== PATH || (method !== 'GET' && method !== 'DELETE'))
        return json(404, { message: '404 Not Found' });
      const faulted = await applyFault(options.faults, 'gitlab', (status) =>
        json(status, { message: status === 429 ? 'Retry later' : '500 Internal Server Error' }),
      );
      if (faulted) return faulted;
      const bearer = /^bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const token = req.headers['private-token'] ?? bearer;
      const credential = token ? options.registry.find(token) : undefined;
      if (!credential || credential.provider !== 'gitlab' || !credential.live) return unauthorized();
      if (method === 'DELETE') {
        options.registry.revoke(credential);
        return { status: 204, body: '' };
      }
      options.registry.used(credential, 'gitlab');
      const digest = createHash('sha256').update(credential.value).digest('hex');
      return json(200, {
        id: parseInt(digest.slice(0, 6), 16),
        name: 'sandbox token',
        revoked: false,
        created_at: credential.registeredAt,
        scopes: credential.scopes,
        user_id: parseInt(createHash('sha256').update(credential.owner).digest('hex').slice(0, 6), 16),
        last_used_at: null,
        active: true,
        expires_at: null,
      });
    },
  };
}
