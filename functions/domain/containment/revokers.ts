/**
 * Revokers: one per provider, each the port through which containment kills a leaked credential
 * and proves it dead. Adapters implement them with the provider's SDK or HTTP API
 * (functions/adapters/aws, functions/adapters/revokers); nothing here depends on an SDK.
 *
 * A revoker only ever receives the plaintext as an argument, read from the vault for the step that
 * needs it; it never stores, logs or returns it.
 */
import type { Incident } from '../incidents/incident.ts';

/** What a call to the provider with the credential itself showed. */
export type Liveness =
  | {
      readonly state: 'live';
      /** Who the credential acts as (user, bot, ARN…), never the value. */
      readonly identity?: string;
      readonly scopes?: readonly string[];
      readonly details?: Readonly<Record<string, string>>;
    }
  /** Authentication failed: the provider's answer, e.g. `InvalidClientTokenId`, `401 Bad credentials`. */
  | { readonly state: 'dead'; readonly reason: string }
  /** The provider has no way to tell with this credential (e.g. a refresh token cannot call the API). */
  | { readonly state: 'unknown'; readonly reason: string };

export type RevokeOutcome =
  /**
   * The provider accepted the revocation; `actions` are timeline lines (what was called). `owner`
   * names who holds the credential where a later step needs it (AWS: the account and IAM user
   * whose key a grace-period deletion removes); never a value.
   */
  | { readonly outcome: 'revoked'; readonly actions: readonly string[]; readonly owner?: CredentialOwner }
  /** Accepted for later: the provider's budget is spent until `until` (ISO-8601). */
  | { readonly outcome: 'queued'; readonly until: string; readonly reason: string }
  /**
   * The automatic path cannot act and retrying will not help (e.g. the owning AWS account has no
   * leakstop role): a person must follow the manual steps.
   */
  | { readonly outcome: 'refused'; readonly reason: string };

export interface CredentialOwner {
  readonly account: string;
  readonly user: string;
}

export interface RevokeContext {
  /** Epoch milliseconds by which the revoker must have answered (the invocation's budget). */
  readonly deadline: number;
}

export interface Revoker {
  /** The provider, as incidents name it (`aws`, `github`, `slack`, `gitlab`, `npm`). */
  readonly provider: string;
  /** Credential types this revoker can revoke (detector type names). */
  readonly types: readonly string[];
  /**
   * How long verification may keep polling after a revocation before the incident is called
   * unverified: providers are eventually consistent (IAM, GitHub's asynchronous revocation).
   */
  readonly verifyWithinMs: number;
  /**
   * `revoke()` looks at the credential's state itself and never repeats a revocation (AWS: it
   * reads the key's status before deactivating it), so calling it again after a crash completes
   * its remaining steps (the quarantine policy). Non-idempotent revokers are called again only
   * when a probe shows the credential still alive.
   */
  readonly idempotent?: boolean;
  /**
   * Calls the provider with the credential: its identity and scopes while it works, or the
   * authentication failure once it does not. Throws ProviderError when the provider cannot tell.
   */
  probe(secret: string, incident: Incident): Promise<Liveness>;
  /** Revokes the credential. Throws ProviderError (transient or not) when the provider fails. */
  revoke(secret: string, incident: Incident, context: RevokeContext): Promise<RevokeOutcome>;
}

/** A provider call failed. Transient failures (5xx, throttling, timeouts) are worth retrying. */
export class ProviderError extends Error {
  readonly transient: boolean;
  /** The provider asked to wait this long before the next call (Retry-After). */
  readonly retryAfterMs?: number;

  constructor(
    readonly provider: string,
    message: string,
    options: { readonly transient: boolean; readonly retryAfterMs?: number; readonly cause?: unknown },
  ) {
    super(`${provider}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProviderError';
    this.transient = options.transient;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

export function isTransient(error: unknown): boolean {
  return error instanceof ProviderError && error.transient;
}

/** The revoker for an incident, if one handles its provider and type. */
export function revokerFor(revokers: readonly Revoker[], incident: Incident): Revoker | undefined {
  return revokers.find((r) => r.provider === incident.provider && r.types.includes(incident.type));
}

/**
 * Removes a credential (and, for an AWS pair, each of its parts) from a text bound for the timeline,
 * Slack or logs: provider error messages may quote what they were given (IAM names the key id).
 */
export function scrubSecret(text: string, secret: string | undefined): string {
  if (!secret) return text;
  const parts = [secret];
  if (secret.startsWith('{')) {
    try {
      parts.push(
        ...Object.values(JSON.parse(secret) as Record<string, unknown>).filter(
          (v): v is string => typeof v === 'string',
        ),
      );
    } catch {
      // not JSON after all: the whole value is the only part
    }
  }
  let clean = text;
  for (const part of parts) if (part.length >= 8) clean = clean.split(part).join('…');
  return clean;
}

/** The revoker, with every text it returns scrubbed of the credential (defence in depth). */
export function scrubbing(revoker: Revoker, secret: string): Revoker {
  const clean = (text: string) => scrubSecret(text, secret);
  const cleanLiveness = (liveness: Liveness): Liveness => {
    if (liveness.state !== 'live') return { ...liveness, reason: clean(liveness.reason) };
    return {
      ...liveness,
      ...(liveness.identity ? { identity: clean(liveness.identity) } : {}),
      ...(liveness.details
        ? { details: Object.fromEntries(Object.entries(liveness.details).map(([k, v]) => [k, clean(v)])) }
        : {}),
    };
  };
  return {
    provider: revoker.provider,
    types: revoker.types,
    verifyWithinMs: revoker.verifyWithinMs,
    ...(revoker.idempotent ? { idempotent: true } : {}),
    probe: async (value, incident) => cleanLiveness(await revoker.probe(value, incident)),
    revoke: async (value, incident, context) => {
      const outcome = await revoker.revoke(value, incident, context);
      return outcome.outcome === 'revoked'
        ? { ...outcome, actions: outcome.actions.map(clean) }
        : { ...outcome, reason: clean(outcome.reason) };
    },
  };
}
