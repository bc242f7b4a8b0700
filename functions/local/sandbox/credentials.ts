/**
 * The sandbox's credential registry: the one record of which planted credentials are alive, shared
 * by every provider stand-in (STS and IAM, GitHub, Slack, GitLab, npm). A credential is alive only
 * once registered; the stand-ins treat anything else as unknown to the provider, and count every
 * revocation call that reaches a registered credential.
 *
 *   POST /sandbox/credentials  { "value": "…", "secret"?: "…" (AWS), "account"?, "user"?, "scopes"?,
 *                                "onboarded"?: false (AWS: the account has no leakstop role) }
 *   The sandbox's own account (123456789012) has leakstop's role from the start; any other account
 *   gets it when a key is registered there.
 *   GET  /sandbox/credentials  → { credentials: [ { id, provider, preview, live, revocations, … } ] }
 *
 * Neither route ever returns a value or a secret: the API shows the redacted preview and an id
 * derived from a hash (our no-plaintext invariant covers API output, the sandbox's included).
 */
import { createHash, randomBytes } from 'node:crypto';
import { redact } from '../../domain/detection/redact.ts';
import { json, type HttpRequest, type HttpResponse } from '../http.ts';

export type SandboxProvider = 'aws' | 'github' | 'slack' | 'gitlab' | 'npm';

export const SANDBOX_AWS_ACCOUNT = '123456789012';

export interface SandboxCredential {
  /** `cred_` + a hash prefix of the value: stable, and says nothing about the value. */
  readonly id: string;
  readonly provider: SandboxProvider;
  readonly value: string;
  /** AWS: the secret access key of the pair. */
  readonly secret?: string;
  readonly preview: string;
  readonly registeredAt: string;
  /** Who the credential acts as: GitHub login, Slack user, GitLab/npm username, IAM user name. */
  readonly owner: string;
  readonly scopes: readonly string[];
  /** AWS: the owning account. */
  readonly account?: string;
  live: boolean;
  /** How many revocation calls reached this credential (live or not). */
  revocations: number;
  revokedAt?: string;
  deleted: boolean;
  lastUsed?: { readonly at: string; readonly service: string };
}

export interface CredentialView {
  readonly id: string;
  readonly provider: SandboxProvider;
  readonly preview: string;
  readonly live: boolean;
  readonly revocations: number;
  readonly registeredAt: string;
  readonly revokedAt?: string;
  readonly owner: string;
  readonly account?: string;
  /** AWS: the policies attached to the key's user (leakstop attaches a deny-all quarantine). */
  readonly attachedPolicies?: readonly string[];
  /** AWS: the key was deleted (iam:DeleteAccessKey), not only deactivated. */
  readonly deleted?: boolean;
}

export interface RegisterInput {
  readonly value: string;
  readonly secret?: string;
  readonly provider?: SandboxProvider;
  readonly account?: string;
  readonly user?: string;
  readonly scopes?: readonly string[];
  readonly onboarded?: boolean;
}

export class RegistrationError extends Error {}

const PREFIXES: readonly [RegExp, SandboxProvider][] = [
  [/^(AKIA|ASIA)[A-Z2-7]{16}$/, 'aws'],
  [/^(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]+$|^github_pat_/, 'github'],
  [/^xox[abpe][.-]|^xoxe-/, 'slack'],
  [/^glpat-/, 'gitlab'],
  [/^npm_/, 'npm'],
];

const DEFAULT_SCOPES: Record<SandboxProvider, readonly string[]> = {
  aws: [],
  github: ['repo', 'workflow'],
  slack: ['chat:write', 'channels:read'],
  gitlab: ['api', 'read_repository'],
  npm: ['publish'],
};

export function providerOf(value: string): SandboxProvider | undefined {
  return PREFIXES.find(([pattern]) => pattern.test(value))?.[1];
}

export class CredentialRegistry {
  private readonly byValue = new Map<string, SandboxCredential>();
  /** IAM users' attached managed policies, by `account/user`. */
  private readonly policies = new Map<string, Set<string>>();
  /**
   * AWS accounts where leakstop's containment role is deployed: the sandbox's own account (where
   * leakstop runs, and where the copies search looks) from the start, and every account a key is
   * registered in unless registered with `"onboarded": false`.
   */
  private readonly onboarded = new Set<string>([SANDBOX_AWS_ACCOUNT]);
  private readonly offboarded = new Set<string>();
  private seq = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  register(input: RegisterInput): SandboxCredential {
    const value = input.value;
    if (typeof value !== 'string' || value.length < 8 || /\s/.test(value))
      throw new RegistrationError('"value" must be a credential without whitespace');
    if (input.provider !== undefined && !(input.provider in DEFAULT_SCOPES))
      throw new RegistrationError(`"provider" must be one of ${Object.keys(DEFAULT_SCOPES).join(', ')}`);
    const provider = input.provider ?? providerOf(value);
    if (!provider)
      throw new RegistrationError(
        'cannot tell the provider from the value: pass "provider" (aws, github, slack, gitlab, npm)',
      );
    if (provider === 'aws' && (typeof input.secret !== 'string' || input.secret.length < 16))
      throw new RegistrationError('an AWS access key needs its "secret" (the secret access key)');
    const existing = this.byValue.get(value);
    if (existing) return existing;
    this.seq += 1;
    const account = provider === 'aws' ? (input.account ?? SANDBOX_AWS_ACCOUNT) : undefined;
    if (account && !/^\d{12}$/.test(account)) throw new RegistrationError('"account" must be 12 digits');
    if (account) {
      if (input.onboarded === false) this.offboarded.add(account);
      else if (!this.offboarded.has(account)) this.onboarded.add(account);
    }
    const credential: SandboxCredential = {
      id: `cred_${createHash('sha256').update(value).digest('hex').slice(0, 16)}`,
      provider,
      value,
      ...(provider === 'aws' ? { secret: input.secret } : {}),
      preview: redact(value),
      registeredAt: this.now().toISOString(),
      owner: input.user ?? defaultOwner(provider, this.seq),
      scopes: input.scopes ?? DEFAULT_SCOPES[provider],
      ...(account ? { account } : {}),
      live: true,
      revocations: 0,
      deleted: false,
    };
    this.byValue.set(value, credential);
    return credential;
  }

  /** The registered credential with this exact value, if any. */
  find(value: string): SandboxCredential | undefined {
    return this.byValue.get(value);
  }

  all(): SandboxCredential[] {
    return [...this.byValue.values()];
  }

  /** A revocation call reached the credential: it is dead from now on, and counted. */
  revoke(credential: SandboxCredential): void {
    credential.revocations += 1;
    if (credential.live) {
      credential.live = false;
      credential.revokedAt = this.now().toISOString();
    }
  }

  /** A successful authenticated call (IAM's last-used tracking). */
  used(credential: SandboxCredential, service: string): void {
    credential.lastUsed = { at: this.now().toISOString(), service };
  }

  isOnboarded(account: string): boolean {
    return this.onboarded.has(account) && !this.offboarded.has(account);
  }

  attachPolicy(account: string, user: string, policyArn: string): void {
    const key = `${account}/${user}`;
    const set = this.policies.get(key) ?? new Set<string>();
    set.add(policyArn);
    this.policies.set(key, set);
  }

  attachedPolicies(account: string, user: string): string[] {
    return [...(this.policies.get(`${account}/${user}`) ?? [])].sort();
  }

  view(credential: SandboxCredential): CredentialView {
    return {
      id: credential.id,
      provider: credential.provider,
      preview: credential.preview,
      live: credential.live,
      revocations: credential.revocations,
      registeredAt: credential.registeredAt,
      ...(credential.revokedAt ? { revokedAt: credential.revokedAt } : {}),
      ...(credential.deleted ? { deleted: true } : {}),
      owner: credential.owner,
      ...(credential.account
        ? {
            account: credential.account,
            attachedPolicies: this.attachedPolicies(credential.account, credential.owner),
          }
        : {}),
    };
  }
}

function defaultOwner(provider: SandboxProvider, seq: number): string {
  const suffix = `${seq}-${randomBytes(2).toString('hex')}`;
  return provider === 'aws' ? `sandbox-user-${suffix}` : `sandbox-dev-${suffix}`;
}

/** `POST` and `GET /sandbox/credentials`. */
export function credentialRoutes(registry: CredentialRegistry) {
  return async (req: HttpRequest): Promise<HttpResponse | undefined> => {
    if (req.path !== '/sandbox/credentials') return undefined;
    const method = req.method.toUpperCase();
    if (method === 'GET') return json(200, { credentials: registry.all().map((c) => registry.view(c)) });
    if (method !== 'POST') return json(405, { error: 'use GET or POST' });
    let body: unknown;
    try {
      body = JSON.parse(req.body);
    } catch {
      return json(400, { error: 'body must be JSON: { "value": "…", "secret"?: "…" }' });
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return json(400, { error: 'body must be a JSON object' });
    const input = body as Record<string, unknown>;
    const scopes = input.scopes;
    if (scopes !== undefined && !(Array.isArray(scopes) && scopes.every((s) => typeof s === 'string')))
      return json(400, { error: '"scopes" must be an array of strings' });
    try {
      const credential = registry.register({
        value: input.value as string,
        ...(typeof input.secret === 'string' ? { secret: input.secret } : {}),
        ...(typeof input.provider === 'string' ? { provider: input.provider as SandboxProvider } : {}),
        ...(typeof input.account === 'string' ? { account: input.account } : {}),
        ...(typeof input.user === 'string' ? { user: input.user } : {}),
        ...(scopes ? { scopes: scopes as string[] } : {}),
        ...(input.onboarded === false ? { onboarded: false } : {}),
      });
      return json(201, { credential: registry.view(credential) });
    } catch (error) {
      if (error instanceof RegistrationError) return json(400, { error: error.message });
      throw error;
    }
  };
}
