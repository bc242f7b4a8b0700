import { describe, expect, it } from 'vitest';
import { isRetryable } from '../../../functions/adapters/aws/trace-calls.ts';
import {
  DeadlineReached,
  overScopes,
  RateLimiter,
  settle,
  TracerFailed,
  withRetry,
  type Timing,
} from '../../../functions/adapters/tracing/calls.ts';

/** A clock that only moves when someone sleeps, so timing is exact and tests take no time. */
function virtualTime(start = 1_000_000): Timing & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    random: () => 1,
  };
}

const sdkError = (name: string, status: number, message = 'the provider said no') =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

describe('withRetry', () => {
  it('retries throttling and 5xx with exponential backoff, then succeeds', async () => {
    const timing = virtualTime();
    const failures = [sdkError('ThrottlingException', 400), sdkError('InternalFailure', 500)];
    const result = await withRetry(
      async () => {
        const failure = failures.shift();
        if (failure) throw failure;
        return 'ok';
      },
      {
        deadline: timing.now() + 10_000,
        timing,
        retryable: isRetryable,
        throttled: (e) => (e as Error).name === 'ThrottlingException',
        baseDelayMs: 100,
      },
    );
    expect(result).toBe('ok');
    // Throttling starts from a 4× ceiling; random() = 1 takes the full ceiling.
    expect(timing.slept).toEqual([400, 200]);
  });

  it('does not retry an answer such as AccessDenied', async () => {
    const timing = virtualTime();
    let calls = 0;
    const failure = await withRetry(
      async () => {
        calls++;
        throw sdkError('AccessDeniedException', 403);
      },
      { deadline: timing.now() + 10_000, timing, retryable: isRetryable },
    ).catch((e: Error) => e);
    expect(failure.name).toBe('AccessDeniedException');
    expect(calls).toBe(1);
  });

  it('gives up with the last error rather than wait past the deadline', async () => {
    const timing = virtualTime();
    let calls = 0;
    const failure = await withRetry(
      async () => {
        calls++;
        throw sdkError('ServiceUnavailable', 503);
      },
      { deadline: timing.now() + 1000, timing, retryable: isRetryable, baseDelayMs: 300 },
    ).catch((e: Error) => e);
    expect(failure.name).toBe('ServiceUnavailable');
    expect(timing.now()).toBeLessThan(1_001_000);
    // Calls at 0, 300 and 900 ms; the next wait (1200 ms) would end past the deadline.
    expect(calls).toBe(3);
  });

  it('reports DeadlineReached when no time is left for a call', async () => {
    const timing = virtualTime();
    await expect(
      withRetry(async () => 'never', { deadline: timing.now(), timing, retryable: isRetryable }),
    ).rejects.toBeInstanceOf(DeadlineReached);
  });
});

describe('RateLimiter', () => {
  it('spaces calls for one key at the rate, and keys apart', async () => {
    const timing = virtualTime();
    const limiter = new RateLimiter(2, timing);
    const start = timing.now();
    const at: number[] = [];
    for (let i = 0; i < 5; i++) {
      await limiter.acquire('a:us-east-1', start + 60_000);
      at.push(timing.now() - start);
    }
    expect(at).toEqual([0, 500, 1000, 1500, 2000]);
    await limiter.acquire('b:us-east-1', start + 60_000);
    expect(timing.now() - start).toBe(2000);
  });

  it('refuses a slot that would come after the deadline', async () => {
    const timing = virtualTime();
    const limiter = new RateLimiter(2, timing);
    await limiter.acquire('k', timing.now() + 600);
    await limiter.acquire('k', timing.now() + 600);
    await expect(limiter.acquire('k', timing.now() + 100)).rejects.toBeInstanceOf(DeadlineReached);
  });
});

describe('overScopes and settle', () => {
  it('keeps the scopes that answered, marks the run truncated and names the failure', async () => {
    const outcomes = await overScopes(
      ['a', 'b', 'c'],
      (s) => s,
      async (scope, partial) => {
        if (scope === 'b') throw sdkError('AccessDeniedException', 403);
        if (scope === 'c') {
          partial(['partial']);
          throw new DeadlineReached();
        }
        return { value: ['full'], truncated: false };
      },
    );
    expect(outcomes).toEqual([
      { scope: 'a', value: ['full'], truncated: false },
      { scope: 'b', truncated: false, error: 'AccessDeniedException (HTTP 403): the provider said no' },
      { scope: 'c', value: ['partial'], truncated: true },
    ]);
    const settled = settle('t', outcomes);
    expect(settled.truncated).toBe(true);
    expect(settled.note).toBe(
      '1 of 3 stopped early (deadline or page budget); 1 failed: b: AccessDeniedException (HTTP 403): the provider said no',
    );
  });

  it('throws TracerFailed when every scope failed', async () => {
    const outcomes = await overScopes(
      ['a'],
      (s) => s,
      async () => {
        throw sdkError('AccessDeniedException', 403);
      },
    );
    expect(() => settle('cloudtrail', outcomes)).toThrow(TracerFailed);
  });
});
