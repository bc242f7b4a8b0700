/**
 * Verification: after a revocation, call the provider with the old credential until it fails
 * authentication. Providers are eventually consistent (an IAM key can keep working for seconds
 * after it was deactivated; GitHub revokes asynchronously), so one probe is not enough: poll with
 * growing intervals until dead or until the bound passes. Only a failed authentication proves the
 * credential dead; anything else leaves the incident unverified.
 */
import type { Incident } from '../incidents/incident.ts';
import { withRetries } from './retry.ts';
import type { Liveness, Revoker } from './revokers.ts';

export type Verdict =
  | { readonly verdict: 'dead'; readonly reason: string; readonly probes: number }
  | { readonly verdict: 'still_live'; readonly probes: number }
  | { readonly verdict: 'unprovable'; readonly reason: string; readonly probes: number };

export interface VerifyOptions {
  /** Epoch milliseconds: the last moment a probe may start. */
  readonly until: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** First pause between probes. @default 100 */
  readonly firstIntervalMs?: number;
  /** Longest pause between probes. @default 2000 */
  readonly maxIntervalMs?: number;
}

export async function verifyDead(
  revoker: Revoker,
  secret: string,
  incident: Incident,
  options: VerifyOptions,
): Promise<Verdict> {
  let interval = options.firstIntervalMs ?? 100;
  for (let probes = 1; ; probes += 1) {
    let liveness: Liveness;
    try {
      liveness = await withRetries(() => revoker.probe(secret, incident), {
        deadline: options.until,
        now: options.now,
        sleep: options.sleep,
        ...(options.random ? { random: options.random } : {}),
      });
    } catch (error) {
      // The provider would not answer within the bound: death is not proven.
      return { verdict: 'unprovable', reason: (error as Error).message, probes };
    }
    if (liveness.state === 'dead') return { verdict: 'dead', reason: liveness.reason, probes };
    if (liveness.state === 'unknown') return { verdict: 'unprovable', reason: liveness.reason, probes };
    if (options.now() + interval > options.until) return { verdict: 'still_live', probes };
    await options.sleep(interval);
    interval = Math.min(interval * 2, options.maxIntervalMs ?? 2000);
  }
}
