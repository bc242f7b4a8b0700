/**
 * AWS SDK errors as containment's ProviderError: throttling, 5xx, timeouts and connection failures
 * are transient; everything else (AccessDenied, NoSuchEntity, validation) is not. Messages carry the
 * operation and AWS's error code and message only — never a credential.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ProviderError } from '../../domain/containment/revokers.ts';
import { withRetries } from '../../domain/containment/retry.ts';

const TRANSIENT_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);

export interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** AWS's error code: the SDK names modelled errors `<Code>Exception` (NoSuchEntityException), others `<Code>`. */
export function awsErrorCode(error: unknown): string {
  const e = error as SdkError;
  const name = e?.name ?? e?.code ?? 'Error';
  return name.length > 'Exception'.length ? name.replace(/Exception$/, '') : name;
}

/** The AWS error code behind an awsStep failure (its cause), or '' when AWS gave none. */
export function stepErrorCode(error: unknown): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause ? awsErrorCode(cause) : '';
}

export function isTransientAwsError(error: unknown): boolean {
  const e = error as SdkError;
  const status = e?.$metadata?.httpStatusCode;
  if (e?.$retryable) return true;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (TRANSIENT_CODES.has(awsErrorCode(error)) || (e?.code && TRANSIENT_CODES.has(e.code))) return true;
  // No HTTP status at all: the request never got an answer (network, timeout).
  return status === undefined && !(error instanceof ProviderError);
}

/** AWS messages can name the access key they were about (`The Access Key with id AKIA… cannot be found`). */
const ACCESS_KEY_ID = /(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}/g;

export function awsProviderError(provider: string, operation: string, error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const code = awsErrorCode(error);
  const message = (error as SdkError)?.message?.replace(ACCESS_KEY_ID, '(access key id)');
  return new ProviderError(
    provider,
    `${operation} failed: ${code}${message && message !== code ? ` (${message})` : ''}`,
    {
      transient: isTransientAwsError(error),
      cause: error,
    },
  );
}

/**
 * One AWS call with containment's retries: transient failures (throttling, 5xx, timeouts) are
 * retried with backoff until `deadline`; every failure surfaces as a ProviderError naming `operation`.
 */
export function awsStep<T>(operation: string, call: () => Promise<T>, deadline: number): Promise<T> {
  return withRetries(
    async () => {
      try {
        return await call();
      } catch (error) {
        throw awsProviderError('aws', operation, error);
      }
    },
    { deadline },
  );
}

/**
 * One keep-alive connection pool for every containment client. Many of them live for one call or
 * one containment (signed with the leaked key for a probe, or with a role session), and each would
 * otherwise open and close its own connection: a TLS handshake with STS or IAM per call. The pool
 * outlives them: `destroy()` on a client that shares it closes nothing.
 */
class SharedHttpHandler extends NodeHttpHandler {
  override destroy(): void {
    // shared by clients that come and go: the pool lives as long as the process
  }
}

/** Client settings for containment's calls: one attempt each (containment's backoff retries), bounded time. */
export const CONTAINMENT_CLIENT_CONFIG = {
  maxAttempts: 1,
  // Nothing adds middleware to these clients after construction: resolve each command's stack once.
  cacheMiddleware: true,
  requestHandler: new SharedHttpHandler({ requestTimeout: 5000, connectionTimeout: 2000 }),
} as const;
