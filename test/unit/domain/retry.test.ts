import { describe, expect, it } from 'vitest';
import { backoffDelay, RetriesExhausted, withRetries } from '../../../functions/domain/containment/retry.ts';
import { ProviderError } from '../../../functions/domain/containment/revokers.ts';

/** A fake clock: sleeping advances it, so tests run instantly and deterministically. */
function fakeTime() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

const transient = (message = 'answered 500') => new ProviderError('github', message, { transient: true });

describe('withRetries', () => {
  it('retries transient failures and returns the first success', async () => {
    const time = fakeTime();
    let calls = 0;
    const result = await withRetries(
      async () => {
        calls += 1;
        if (calls <= 3) throw transient();
        return 'done';
      },
      { deadline: time.now() + 60_000, now: time.now, sleep: time.sleep, random: () => 0.5 },
    );
    expect(result).toBe('done');
    expect(calls).toBe(4);
    expect(time.sleeps).toHaveLength(3);
  });

  it('waits a jittered time under a cap that doubles per attempt and stops at maxMs', () => {
    expect(backoffDelay(1, 100, 4000, () => 0.999)).toBe(99);
    expect(backoffDelay(2, 100, 4000, () => 0.999)).toBe(199);
    expect(backoffDelay(4, 100, 4000, () => 0.999)).toBe(799);
    expect(backoffDelay(10, 100, 4000, () => 0.999)).toBe(3996);
    expect(backoffDelay(3, 100, 4000, () => 0)).toBe(0);
  });

  it('honours a Retry-After longer than the backoff', async () => {
    const time = fakeTime();
    let calls = 0;
    await withRetries(
      async () => {
        calls += 1;
        if (calls === 1)
          throw new ProviderError('slack', 'rate limited', { transient: true, retryAfterMs: 3000 });
      },
      { deadline: time.now() + 60_000, now: time.now, sleep: time.sleep, random: () => 0.5 },
    );
    expect(time.sleeps).toEqual([3000]);
  });

  it('gives up with RetriesExhausted rather than sleep past the deadline', async () => {
    const time = fakeTime();
    const start = time.now();
    const failing = withRetries(
      async () => {
        throw transient();
      },
      { deadline: start + 2000, now: time.now, sleep: time.sleep, random: () => 0.999 },
    );
    await expect(failing).rejects.toBeInstanceOf(RetriesExhausted);
    await expect(failing).rejects.toMatchObject({ transient: true });
    expect(time.now()).toBeLessThan(start + 2000);
  });

  it('throws a permanent failure at once, without retrying', async () => {
    const time = fakeTime();
    let calls = 0;
    const permanent = new ProviderError('gitlab', 'answered 403', { transient: false });
    await expect(
      withRetries(
        async () => {
          calls += 1;
          throw permanent;
        },
        { deadline: time.now() + 60_000, now: time.now, sleep: time.sleep },
      ),
    ).rejects.toBe(permanent);
    expect(calls).toBe(1);
  });

  it('does not retry errors that are not provider errors (bugs go back to the queue)', async () => {
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls += 1;
          throw new TypeError('boom');
        },
        { deadline: Date.now() + 60_000 },
      ),
    ).rejects.toThrow('boom');
    expect(calls).toBe(1);
  });
});
