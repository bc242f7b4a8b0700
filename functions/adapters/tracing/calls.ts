/**
 * Plumbing every tracer adapter shares (AWS and GitHub): retries with exponential backoff and full
 * jitter that never outlive the tracer's deadline, a per-key rate limiter, page loops with a budget,
 * and fan-out over scopes (account × region, organisation, …) that keeps what succeeded when a
 * scope fails. What counts as retryable is the caller's: each provider names its errors.
 */
import { backoffDelay } from '../../domain/containment/retry.ts';
import type { Scrubber } from '../../domain/containment/copies.ts';

export interface Timing {
  now(): number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

export const realTiming: Timing = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

/** The deadline arrived before (or while) a call could be made: the tracer returns what it has. */
export class DeadlineReached extends Error {
  constructor() {
    super('deadline reached');
    this.name = 'DeadlineReached';
  }
}

/** Every scope a tracer covered failed: nothing can be said, so the flow records the failure. */
export class TracerFailed extends Error {
  constructor(
    readonly tracer: string,
    readonly failures: readonly string[],
  ) {
    super(`${tracer}: every search failed — ${failures.join('; ')}`);
    this.name = 'TracerFailed';
  }
}

interface ProviderError {
  name?: string;
  message?: string;
  status?: number;
  $metadata?: { httpStatusCode?: number };
}

/** The HTTP status of an SDK error (`$metadata.httpStatusCode`) or an adapter's (`status`). */
export function statusOf(error: unknown): number | undefined {
  const e = error as ProviderError | undefined;
  return e?.$metadata?.httpStatusCode ?? (typeof e?.status === 'number' ? e.status : undefined);
}

export function isAbort(error: unknown): boolean {
  return (error as ProviderError | undefined)?.name === 'AbortError';
}

/** `Name (HTTP 403): message`, the message withheld if it quotes any part of the credential. */
export function describeError(error: unknown, scrubber?: Scrubber): string {
  const e = error as ProviderError | undefined;
  const name = e?.name && e.name !== 'Error' ? e.name : 'Error';
  const status = statusOf(error);
  const raw = (e?.message ?? String(error)).replace(/\s+/g, ' ').slice(0, 240);
  const message = scrubber ? scrubber.clean(raw) : raw;
  return `${name}${status ? ` (HTTP ${status})` : ''}${message && message !== name ? `: ${message}` : ''}`;
}

export interface RetryOptions {
  readonly deadline: number;
  /** Whether a failure is worth another try (throttling, 5xx, network). */
  readonly retryable: (error: unknown) => boolean;
  /** Throttling backs off from a 4× higher ceiling. */
  readonly throttled?: (error: unknown) => boolean;
  readonly timing?: Timing;
  /** @default 8 */
  readonly maxAttempts?: number;
  /** First backoff ceiling. @default 100 */
  readonly baseDelayMs?: number;
  /** @default 5000 */
  readonly maxDelayMs?: number;
}

/**
 * Calls `call` until it succeeds, fails with an answer that is not worth retrying, runs out of
 * attempts, or the next try could not start before the deadline. Each try gets an AbortSignal that
 * fires at the deadline. Backoff: full jitter, `random × min(max, base × 2^attempt)`.
 */
export async function withRetry<T>(
  call: (signal: AbortSignal) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const timing = options.timing ?? realTiming;
  const maxAttempts = options.maxAttempts ?? 8;
  const base = options.baseDelayMs ?? 100;
  const max = options.maxDelayMs ?? 5000;
  for (let attempt = 1; ; attempt++) {
    const left = options.deadline - timing.now();
    if (left <= 0) throw new DeadlineReached();
    try {
      return await call(AbortSignal.timeout(left));
    } catch (error) {
      if (isAbort(error) || error instanceof DeadlineReached) throw new DeadlineReached();
      if (!options.retryable(error) || attempt >= maxAttempts) throw error;
      // The containment flow's full-jitter backoff; throttling starts from a longer first wait.
      const delay = backoffDelay(attempt, options.throttled?.(error) ? base * 4 : base, max, timing.random);
      // Waiting past the deadline would only delay the answer: report the failure as it stands.
      if (timing.now() + delay >= options.deadline) throw error;
      await timing.sleep(delay);
    }
  }
}

/**
 * A token bucket per key (e.g. `account:region`). `burst` 1 spaces calls evenly, which keeps a
 * client under a server-side limit of `ratePerSecond` even when responses arrive out of step.
 */
export class RateLimiter {
  private readonly next = new Map<string, number>();
  private readonly interval: number;

  constructor(
    ratePerSecond: number,
    private readonly timing: Timing = realTiming,
  ) {
    if (!(ratePerSecond > 0)) throw new Error('RateLimiter: ratePerSecond must be positive');
    this.interval = 1000 / ratePerSecond;
  }

  /** Waits for the key's next slot; throws DeadlineReached when it would come after `deadline`. */
  async acquire(key: string, deadline: number): Promise<void> {
    const now = this.timing.now();
    const slot = Math.max(now, this.next.get(key) ?? 0);
    if (slot >= deadline) throw new DeadlineReached();
    // Reserve before waiting, so concurrent callers queue behind each other.
    this.next.set(key, slot + this.interval);
    if (slot > now) await this.timing.sleep(slot - now);
  }
}

export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Pages a tracer reads per scope before it stops and reports `truncated`. */
export const DEFAULT_PAGE_BUDGET = 40;

/**
 * Fetches pages until one comes back without a next token (`true`) or `budget` pages were read
 * (`false`: there was more). An empty page that carries a token is followed like any other.
 */
export async function eachPage<P>(
  budget: number,
  fetch: (token: string | undefined) => Promise<P>,
  nextToken: (page: P) => string | undefined,
  onPage: (page: P) => void | Promise<void>,
): Promise<boolean> {
  let token: string | undefined;
  for (let read = 0; read < budget; read++) {
    const page = await fetch(token);
    await onPage(page);
    token = nextToken(page);
    if (!token) return true;
  }
  return false;
}

export interface ScopeOutcome<R> {
  readonly scope: string;
  readonly value?: R;
  /** The scope stopped early (deadline or page budget): what it found is a lower bound. */
  readonly truncated: boolean;
  readonly error?: string;
}

/**
 * Runs `fn` over every scope with bounded concurrency. A scope that reaches the deadline keeps what
 * it found (truncated); a scope that fails is recorded with its error and does not stop the others.
 */
export async function overScopes<S, R>(
  scopes: readonly S[],
  label: (scope: S) => string,
  fn: (scope: S, partial: (value: R) => void) => Promise<{ value: R; truncated: boolean }>,
  options: { readonly concurrency?: number; readonly scrubber?: Scrubber } = {},
): Promise<ScopeOutcome<R>[]> {
  return mapLimit(scopes, options.concurrency ?? 6, async (scope) => {
    let partial: R | undefined;
    try {
      const { value, truncated } = await fn(scope, (value) => (partial = value));
      return { scope: label(scope), value, truncated };
    } catch (error) {
      if (error instanceof DeadlineReached)
        return { scope: label(scope), ...(partial !== undefined ? { value: partial } : {}), truncated: true };
      return {
        scope: label(scope),
        ...(partial !== undefined ? { value: partial } : {}),
        truncated: partial !== undefined,
        error: describeError(error, options.scrubber),
      };
    }
  });
}

/**
 * Throws TracerFailed when every scope failed; otherwise says which failed, for the detail line.
 * `truncated` is true when any scope stopped early or failed: the result is then a lower bound.
 */
export function settle<R>(
  tracer: string,
  outcomes: readonly ScopeOutcome<R>[],
): { truncated: boolean; failures: string[]; note: string } {
  const failures = outcomes.filter((o) => o.error).map((o) => `${o.scope}: ${o.error}`);
  if (outcomes.length > 0 && failures.length === outcomes.length) throw new TracerFailed(tracer, failures);
  const stopped = outcomes.filter((o) => o.truncated && !o.error).length;
  const notes: string[] = [];
  if (stopped) notes.push(`${stopped} of ${outcomes.length} stopped early (deadline or page budget)`);
  if (failures.length) notes.push(`${failures.length} failed: ${failures.join('; ')}`);
  return {
    truncated: outcomes.some((o) => o.truncated || o.error),
    failures,
    note: notes.join('; '),
  };
}
