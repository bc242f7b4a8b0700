/**
 * Retrying provider calls inside one invocation: exponential backoff with full jitter (AWS's
 * recommendation: sleep a random time between 0 and the capped exponential delay), honouring a
 * provider's Retry-After, and never sleeping past the deadline — what the invocation cannot finish
 * goes back to the queue instead.
 */
import { isTransient, ProviderError } from './revokers.ts';

export interface RetryPolicy {
  /** Epoch milliseconds after which no new attempt starts. */
  readonly deadline: number;
  /** First backoff cap. @default 100 */
  readonly baseMs?: number;
  /** Largest backoff cap. @default 4000 */
  readonly maxMs?: number;
  /** Attempts at most, the first included. @default unlimited within the deadline */
  readonly maxAttempts?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** In [0, 1); tests pin it. */
  readonly random?: () => number;
  /** Told about every failed attempt that will be retried. */
  readonly onRetry?: (error: ProviderError, attempt: number, waitMs: number) => void;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The delay before attempt `attempt + 1`: full jitter over min(maxMs, baseMs · 2^(attempt-1)). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * cap);
}

/** Raised when transient failures outlast the deadline or the attempts; `last` is the final failure. */
export class RetriesExhausted extends ProviderError {
  constructor(
    readonly last: ProviderError,
    readonly attempts: number,
  ) {
    super(last.provider, `${last.message.replace(`${last.provider}: `, '')} (after ${attempts} attempts)`, {
      transient: true,
      cause: last,
    });
    this.name = 'RetriesExhausted';
  }
}

/** Runs `operation`, retrying transient ProviderErrors; anything else is thrown at once. */
export async function withRetries<T>(operation: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  const now = policy.now ?? Date.now;
  const pause = policy.sleep ?? sleep;
  const random = policy.random ?? Math.random;
  const baseMs = policy.baseMs ?? 100;
  const maxMs = policy.maxMs ?? 4000;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (!isTransient(error)) throw error;
      const failure = error as ProviderError;
      const wait = Math.max(backoffDelay(attempt, baseMs, maxMs, random), failure.retryAfterMs ?? 0);
      const outOfAttempts = policy.maxAttempts !== undefined && attempt >= policy.maxAttempts;
      if (outOfAttempts || now() + wait >= policy.deadline) throw new RetriesExhausted(failure, attempt);
      policy.onRetry?.(failure, attempt, wait);
      await pause(wait);
    }
  }
}
