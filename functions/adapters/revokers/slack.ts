/**
 * Slack tokens: `auth.revoke` called with the leaked token itself (it revokes the token used to
 * call it), probed with `auth.test` (`invalid_auth`, `token_revoked`… once dead). @slack/web-api's
 * own retries are off: containment's backoff governs, within the invocation's budget.
 */
import {
  ErrorCode,
  LogLevel,
  WebClient,
  type WebAPIHTTPError,
  type WebAPIPlatformError,
  type WebAPIRateLimitedError,
} from '@slack/web-api';
import {
  ProviderError,
  type Liveness,
  type RevokeOutcome,
  type Revoker,
} from '../../domain/containment/revokers.ts';

/** A configuration token calls `auth.revoke` as any token does; its refresh token (`xoxe-1-`) only rotates. */
export const SLACK_REVOCABLE_TYPES = [
  'slack_bot_token',
  'slack_user_token',
  'slack_config_token',
  'slack_legacy_token',
] as const;

/** Slack's answers that mean the token does not authenticate (any more). */
const DEAD = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'no_permission_for_this_token',
]);

type SlackFailure = { kind: 'dead'; reason: string } | { kind: 'error'; error: ProviderError };

function classify(method: string, error: unknown): SlackFailure {
  const code = (error as { code?: string }).code;
  if (code === ErrorCode.PlatformError) {
    const answer = (error as WebAPIPlatformError).data.error;
    if (DEAD.has(answer)) return { kind: 'dead', reason: `${method} answered ${answer}` };
    return {
      kind: 'error',
      error: new ProviderError('slack', `${method} answered ${answer}`, {
        transient:
          answer === 'internal_error' || answer === 'fatal_error' || answer === 'service_unavailable',
      }),
    };
  }
  if (code === ErrorCode.RateLimitedError)
    return {
      kind: 'error',
      error: new ProviderError('slack', `${method} rate limited`, {
        transient: true,
        retryAfterMs: (error as WebAPIRateLimitedError).retryAfter * 1000,
      }),
    };
  if (code === ErrorCode.HTTPError) {
    const status = (error as WebAPIHTTPError).statusCode;
    return {
      kind: 'error',
      error: new ProviderError('slack', `${method} answered HTTP ${status}`, {
        transient: status >= 500 || status === 429,
      }),
    };
  }
  // Request errors (connection refused, timeout): the call may not have reached Slack.
  return {
    kind: 'error',
    error: new ProviderError('slack', `${method} failed to reach Slack`, { transient: true }),
  };
}

export class SlackRevoker implements Revoker {
  readonly provider = 'slack';
  readonly types: readonly string[] = SLACK_REVOCABLE_TYPES;

  /** One client with no token of its own: every call names the token it is made with. */
  private readonly client: WebClient;

  constructor(
    apiUrl?: string,
    readonly verifyWithinMs = 10_000,
    timeoutMs = 5000,
  ) {
    this.client = new WebClient(undefined, {
      ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: timeoutMs,
      logLevel: LogLevel.ERROR,
    });
  }

  async probe(secret: string): Promise<Liveness> {
    try {
      const answer = await this.client.auth.test({ token: secret });
      const who = answer.bot_id
        ? `bot ${answer.user ?? answer.user_id}`
        : `user ${answer.user ?? answer.user_id}`;
      const scopes = answer.response_metadata?.scopes;
      return {
        state: 'live',
        identity: `Slack ${who} in ${answer.team ?? answer.team_id ?? 'a workspace'}`,
        ...(scopes ? { scopes } : {}),
        details: {
          ...(answer.team_id ? { team: answer.team_id } : {}),
          ...(answer.user_id ? { user: answer.user_id } : {}),
          ...(answer.bot_id ? { bot: answer.bot_id } : {}),
        },
      };
    } catch (error) {
      const failure = classify('auth.test', error);
      if (failure.kind === 'dead') return { state: 'dead', reason: failure.reason };
      throw failure.error;
    }
  }

  async revoke(secret: string): Promise<RevokeOutcome> {
    try {
      const answer = await this.client.auth.revoke({ token: secret });
      return {
        outcome: 'revoked',
        actions: [
          `auth.revoke with the token: revoked=${(answer as { revoked?: boolean }).revoked === true}`,
        ],
      };
    } catch (error) {
      const failure = classify('auth.revoke', error);
      // Dead by the time we called: verification confirms it.
      if (failure.kind === 'dead')
        return { outcome: 'revoked', actions: [`${failure.reason} (already dead)`] };
      throw failure.error;
    }
  }
}
