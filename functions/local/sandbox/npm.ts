/**
 * The npm registry stand-in (`/sandbox/npm`, the NPM_REGISTRY_URL of a sandbox run), with what
 * `npm whoami` and `npm token list|revoke` use, authenticated with `Authorization: Bearer`:
 *
 * - `GET /-/whoami` → `{ "username" }` while the registered token is live; 401 otherwise.
 * - `GET /-/npm/v1/tokens` → the user's tokens: `key` (SHA-512 of the token, hex), `token`
 *   (a truncated preview), `created`, `readonly`, `cidr_whitelist`.
 * - `DELETE /-/npm/v1/tokens/token/{key}` → 204, revoking that token (by key, or by the full token
 *   as `npm token revoke <token>` sends it) and counting the call.
 * Faults for service `npm` apply to all three.
 */
import { createHash } from 'node:crypto';
import { json, type HttpRequest, type HttpResponse } from '../http.ts';
import type { CredentialRegistry, SandboxCredential } from './credentials.ts';
import { applyFault, type FaultInjector } from './faults.ts';

export interface NpmSandboxOptions {
  readonly registry: CredentialRegistry;
  readonly faults?: FaultInjector;
}

const PREFIX = '/sandbox/npm';

export const npmTokenKey = (token: string): string => createHash('sha512').update(token).digest('hex');

export function createNpmSandbox(options: NpmSandboxOptions) {
  const { registry } = options;
  const unauthorized = () => json(401, { error: 'You must be logged in to do that' });
  const npmTokens = (owner: string) =>
    registry.all().filter((c) => c.provider === 'npm' && c.owner === owner && c.live);

  function caller(req: HttpRequest): SandboxCredential | undefined {
    const token = /^bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const credential = token ? registry.find(token) : undefined;
    return credential?.provider === 'npm' && credential.live ? credential : undefined;
  }

  return {
    async handle(req: HttpRequest): Promise<HttpResponse | undefined> {
      if (!req.path.startsWith(`${PREFIX}/`)) return undefined;
      const rest = req.path.slice(PREFIX.length);
      const method = req.method.toUpperCase();
      const known =
        (rest === '/-/whoami' && method === 'GET') ||
        (rest === '/-/npm/v1/tokens' && method === 'GET') ||
        (rest.startsWith('/-/npm/v1/tokens/token/') && method === 'DELETE');
      if (!known) return json(404, { error: 'Not found' });
      const faulted = await applyFault(options.faults, 'npm', (status) =>
        json(status, { error: 'Internal Server Error' }),
      );
      if (faulted) return faulted;
      const me = caller(req);
      if (!me) return unauthorized();
      registry.used(me, 'npm');
      if (rest === '/-/whoami') return json(200, { username: me.owner });
      if (rest === '/-/npm/v1/tokens')
        return json(200, {
          objects: npmTokens(me.owner).map((c) => ({
            key: npmTokenKey(c.value),
            token: `${c.value.slice(0, 8)}…`,
            created: c.registeredAt,
            updated: c.registeredAt,
            readonly: !c.scopes.includes('publish'),
            cidr_whitelist: null,
          })),
          total: npmTokens(me.owner).length,
          urls: {},
        });
      const key = decodeURIComponent(rest.slice('/-/npm/v1/tokens/token/'.length));
      const target = registry
        .all()
        .find(
          (c) =>
            c.provider === 'npm' && c.owner === me.owner && (npmTokenKey(c.value) === key || c.value === key),
        );
      if (!target) return json(404, { error: 'token not found' });
      registry.revoke(target);
      return { status: 204, body: '' };
    },
  };
}
