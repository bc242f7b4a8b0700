/**
 * fetch for provider calls made with a leaked credential: a timeout on every call, and failures
 * mapped to ProviderError — network errors, timeouts, 5xx and 429 are transient (429 and 503 keep
 * their Retry-After), anything else is not. Error messages name the call and the status only:
 * never a header, a body or the URL of a request that may carry the credential.
 */
import { ProviderError } from '../../domain/containment/revokers.ts';

export const DEFAULT_TIMEOUT_MS = 5000;

export async function providerFetch(
  provider: string,
  what: string,
  url: string,
  init: RequestInit,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const timedOut = (error as { name?: string }).name === 'TimeoutError';
    throw new ProviderError(
      provider,
      `${what} ${timedOut ? `timed out after ${timeoutMs} ms` : 'could not connect'}`,
      {
        transient: true,
      },
    );
  }
}

/** Seconds or an HTTP date, as Retry-After carries them. */
export function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The ProviderError for an unexpected status. */
export function statusError(provider: string, what: string, response: Response): ProviderError {
  const transient = response.status >= 500 || response.status === 429;
  const wait = retryAfterMs(response);
  return new ProviderError(provider, `${what} answered ${response.status}`, {
    transient,
    ...(wait !== undefined ? { retryAfterMs: wait } : {}),
  });
}

/** Drains a body we do not need, so the connection can be reused. */
export async function discard(response: Response): Promise<void> {
  try {
    await response.arrayBuffer();
  } catch {
    // nothing to read
  }
}
