/**
 * What the AWS tracers share beyond the generic plumbing (../tracing/calls.ts): SDK clients per
 * account and Region on injected credentials, which AWS errors are worth a retry, and the
 * settings every AWS tracer takes. The SDK's own retries are switched off (maxAttempts 1): they
 * know nothing of the deadline; `awsRetry` retries within it.
 */
import type { Incident } from '../../domain/incidents/incident.ts';
import type { AccountCredentialIdentity, AccountCredentials } from './account-access.ts';
import { realTiming, withRetry, type Timing } from '../tracing/calls.ts';

/** Credentials for leakstop's role in a member account: the containment role's, as the key revoker uses. */
export type CredentialsFor = AccountCredentials;
export type AwsCredentials = AccountCredentialIdentity;

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'PriorRequestNotComplete',
]);
const TRANSIENT = new Set([
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'InternalServerException',
  'InternalServiceError',
  'ServiceException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

export function isThrottling(error: unknown): boolean {
  const e = error as SdkError | undefined;
  return THROTTLING.has(e?.name ?? '') || e?.$metadata?.httpStatusCode === 429;
}

/** Throttling, 5xx and network failures are worth another try; anything else is an answer. */
export function isRetryable(error: unknown): boolean {
  const e = error as SdkError | undefined;
  if (e?.name === 'AbortError') return false;
  if (isThrottling(error)) return true;
  if (TRANSIENT.has(e?.name ?? '')) return true;
  if (NETWORK.has(e?.code ?? '')) return true;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  return Boolean(e?.$retryable);
}

/** One AWS call with retries (throttling, 5xx, network) within the deadline. */
export function awsRetry<T>(
  call: (abortSignal: AbortSignal) => Promise<T>,
  deadline: number,
  timing: Timing = realTiming,
): Promise<T> {
  return withRetry(call, { deadline, timing, retryable: isRetryable, throttled: isThrottling });
}

export interface AwsScope {
  readonly account: string;
  readonly region: string;
}

export function awsScopes(accounts: readonly string[], regions: readonly string[]): AwsScope[] {
  return accounts.flatMap((account) => regions.map((region) => ({ account, region })));
}

/** SDK client configuration for one account and Region. */
export interface AwsClientConfig {
  readonly region: string;
  readonly maxAttempts: number;
  /** Nothing adds middleware to these clients after construction: each command's stack is resolved once. */
  readonly cacheMiddleware: true;
  readonly credentials?: () => Promise<AwsCredentials>;
}

/** SDK clients cached per service, account and Region, on the injected credentials. */
export class AwsClients {
  private readonly cache = new Map<string, unknown>();

  constructor(private readonly credentialsFor?: CredentialsFor) {}

  /** Without `credentialsFor`, the client uses the default chain (the function's own role). */
  config(account: string, region: string): AwsClientConfig {
    const credentialsFor = this.credentialsFor;
    return {
      region,
      maxAttempts: 1,
      cacheMiddleware: true,
      ...(credentialsFor ? { credentials: () => credentialsFor(account) } : {}),
    };
  }

  /** e.g. `clients.get('ssm', scope, (config) => new SSMClient(config))`. */
  get<C>(service: string, scope: AwsScope, make: (config: AwsClientConfig) => C): C {
    const key = `${service}:${scope.account}:${scope.region}`;
    let client = this.cache.get(key) as C | undefined;
    if (!client) {
      client = make(this.config(scope.account, scope.region));
      this.cache.set(key, client);
    }
    return client;
  }
}

/** Settings shared by the AWS tracers. */
export interface AwsTraceSettings {
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  readonly clients: AwsClients;
  /** Pages per scope before a tracer stops and reports `truncated`. @default DEFAULT_PAGE_BUDGET */
  readonly pageBudget?: number;
  readonly concurrency?: number;
  readonly timing?: Timing;
  /** The fingerprint key, to compare what is found with the incident's fingerprint. */
  readonly fingerprintKey: () => Promise<string>;
}

/** AWS-held credentials (access keys) are traced by their key id; others by their value. */
export function isAwsKeyIncident(incident: Incident): boolean {
  return (
    incident.provider === 'aws' && ['aws_access_key', 'aws_temporary_access_key'].includes(incident.type)
  );
}
