/**
 * Coalescing revocations for providers whose revocation API takes many credentials per call and
 * allows few calls (GitHub: ≤ 1000 tokens per call, 60 calls per hour).
 *
 * Containment runs in many Lambda invocations at once, so the batch lives in the table: the first
 * worker to find no open batch opens one and becomes its leader; workers arriving within the
 * window join it. When the window closes the leader seals the batch (no one can join after that),
 * takes one call from the shared hourly budget, reads every member's value from the vault, makes
 * the one call, and settles the batch; members wait for the settlement. With the budget spent the
 * batch settles `queued` with the time it resets, and each member records that visibly.
 *
 * Members are fingerprints: the table never sees a value.
 */
import type { Clock, Vault } from '../ports.ts';
import { ProviderError } from './revokers.ts';
import { RetriesExhausted, sleep as defaultSleep, withRetries } from './retry.ts';

/** A provider API that revokes many credentials in one call. */
export interface BatchRevocationApi {
  readonly provider: string;
  /** Most credentials one call accepts. */
  readonly maxPerCall: number;
  /** Calls allowed per hour (shared by every caller of this leakstop deployment). */
  readonly callsPerHour: number;
  /** Revokes every credential in one call. Throws ProviderError; RateLimited when the provider's budget is spent. */
  revokeMany(values: readonly string[]): Promise<void>;
  /**
   * Whether the credential still authenticates. Before a retried call the leader drops the
   * credentials the failed call killed after all, so none is revoked twice.
   */
  stillLive?(value: string): Promise<boolean>;
}

/** The provider said its call budget is spent until `until` (epoch milliseconds). */
export class RateLimited extends ProviderError {
  constructor(
    provider: string,
    readonly until: number,
  ) {
    super(provider, `rate limit reached; resets at ${new Date(until).toISOString()}`, { transient: false });
    this.name = 'RateLimited';
  }
}

export type BatchSettlement =
  | { readonly state: 'sent'; readonly size: number }
  | { readonly state: 'queued'; readonly until: string }
  | { readonly state: 'failed'; readonly reason: string; readonly transient: boolean };

export type BatchStatus = BatchSettlement | { readonly state: 'pending' };

/** The table-side primitives of coalescing; DynamoDB implements them with conditional writes. */
export interface RevocationBatchStore {
  /**
   * Adds `member` to the provider's open batch when one is open, less than `windowMs` old and not
   * full; otherwise opens a new batch with `member` as its leader.
   */
  join(
    provider: string,
    member: string,
    now: Date,
    windowMs: number,
    maxMembers: number,
  ): Promise<{ readonly batchId: string; readonly leader: boolean; readonly openedAt: number }>;
  /** Closes the batch to new members and returns them. */
  seal(provider: string, batchId: string): Promise<readonly string[]>;
  settle(provider: string, batchId: string, settlement: BatchSettlement, now: Date): Promise<void>;
  status(provider: string, batchId: string): Promise<BatchStatus>;
  /**
   * Takes one call from the provider's budget for the hour `now` falls in. Refuses (with the
   * moment the budget resets) when `limit` calls were taken or the provider reported it spent.
   */
  takeCall(
    provider: string,
    now: Date,
    limit: number,
  ): Promise<{ readonly granted: true } | { readonly granted: false; readonly resetsAt: string }>;
  /** Records that the provider said its budget is spent until `until`. */
  exhaust(provider: string, until: Date): Promise<void>;
}

export type SubmitOutcome =
  | { readonly outcome: 'sent'; readonly batchSize: number; readonly leader: boolean }
  | { readonly outcome: 'queued'; readonly until: string };

export interface CoalescingOptions {
  readonly api: BatchRevocationApi;
  readonly store: RevocationBatchStore;
  readonly vault: Vault;
  readonly clock: Clock;
  /** How long a batch stays open for more members. */
  readonly windowMs: number;
  /**
   * How often members look for the settlement (from 50 ms, doubling to 250 ms). Members whose
   * leader runs in this same instance (one Lambda batch) are woken when it settles. @default 50
   */
  readonly pollMs?: number;
  /** A batch not settled this long after its window closed is presumed abandoned (its leader crashed). @default 20000 */
  readonly abandonedAfterMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Hour windows of the call budget: the budget resets on the hour. */
export function budgetHour(now: Date): { readonly start: string; readonly resetsAt: string } {
  const hour = Math.floor(now.getTime() / 3_600_000) * 3_600_000;
  return { start: new Date(hour).toISOString(), resetsAt: new Date(hour + 3_600_000).toISOString() };
}

/** Submits credentials to coalesced revocation calls; one instance per provider per execution environment. */
export class CoalescingRevocations {
  private readonly pollMs: number;
  private readonly abandonedAfterMs: number;
  private readonly pause: (ms: number) => Promise<void>;
  /** Batches settled or led here: members here take the settlement from it instead of the store. */
  private readonly settledHere = new Map<string, LocalSettlement>();

  constructor(private readonly options: CoalescingOptions) {
    this.pollMs = options.pollMs ?? 50;
    this.abandonedAfterMs = options.abandonedAfterMs ?? 20_000;
    this.pause = options.sleep ?? defaultSleep;
  }

  get provider(): string {
    return this.options.api.provider;
  }

  /** Joins (or leads) a batch with this credential and resolves once the batch's call settled. */
  async submit(fingerprint: string, deadline: number): Promise<SubmitOutcome> {
    const { api, store, clock, windowMs } = this.options;
    const joined = await store.join(api.provider, fingerprint, clock.now(), windowMs, api.maxPerCall);
    if (joined.leader)
      return this.lead(joined.batchId, joined.openedAt, deadline).catch((error: unknown) => {
        // A leader that failed before settling (the store unreachable) frees its members here at once.
        this.localSettlement(joined.batchId).resolve({
          state: 'failed',
          reason: error instanceof Error ? error.message : String(error),
          transient: true,
        });
        throw error;
      });
    return this.follow(joined.batchId, joined.openedAt, deadline);
  }

  private async lead(batchId: string, openedAt: number, deadline: number): Promise<SubmitOutcome> {
    const { api, store, clock, vault, windowMs } = this.options;
    // Before any await: a member here that joined this batch sees at once that its leader is here.
    this.localSettlement(batchId).ledHere = true;
    const wait = openedAt + windowMs - clock.now().getTime();
    if (wait > 0) await this.pause(wait);
    const members = await store.seal(api.provider, batchId);
    const settle = async (settlement: BatchSettlement) => {
      await store.settle(api.provider, batchId, settlement, clock.now());
      this.localSettlement(batchId).resolve(settlement);
    };

    // Members whose containment ended meanwhile have no value left in the vault: nothing to send.
    const values = (await Promise.all(members.map((m) => vault.get(m)))).filter(
      (v): v is string => v !== undefined,
    );
    let pending = values;
    let attempts = 0;
    try {
      await withRetries(
        async () => {
          attempts += 1;
          if (attempts > 1 && api.stillLive) pending = await this.stillLive(pending);
          if (pending.length === 0) return;
          // Every attempt is a call the provider counts: each takes one from the budget.
          const budget = await store.takeCall(api.provider, clock.now(), api.callsPerHour);
          if (!budget.granted) throw new BudgetSpent(budget.resetsAt);
          await api.revokeMany(pending);
        },
        { deadline, now: () => clock.now().getTime(), sleep: this.pause },
      );
    } catch (error) {
      if (error instanceof BudgetSpent) {
        await settle({ state: 'queued', until: error.resetsAt });
        return { outcome: 'queued', until: error.resetsAt };
      }
      if (error instanceof RateLimited) {
        await store.exhaust(api.provider, new Date(error.until));
        const until = new Date(error.until).toISOString();
        await settle({ state: 'queued', until });
        return { outcome: 'queued', until };
      }
      const transient = error instanceof RetriesExhausted || !(error instanceof ProviderError);
      await settle({
        state: 'failed',
        reason: error instanceof Error ? error.message : String(error),
        transient,
      });
      throw error;
    }
    await settle({ state: 'sent', size: values.length });
    return { outcome: 'sent', batchSize: values.length, leader: true };
  }

  /** The values a failed call did not kill; a value whose state cannot be read is kept (sent again). */
  private async stillLive(values: readonly string[]): Promise<string[]> {
    const api = this.options.api;
    const live = await Promise.all(values.map((v) => api.stillLive!(v).catch(() => true)));
    return values.filter((_, i) => live[i]);
  }

  /** The signal a leader here gives its batch's members here, carrying what it wrote to the store. */
  private localSettlement(batchId: string): LocalSettlement {
    let signal = this.settledHere.get(batchId);
    if (!signal) {
      let resolveDone = (_: BatchSettlement) => {};
      const done = new Promise<BatchSettlement>((r) => (resolveDone = r));
      const created: LocalSettlement = {
        done,
        ledHere: false,
        resolve: (settlement) => {
          if (created.settlement) return; // the first settlement is the one written
          created.settlement = settlement;
          resolveDone(settlement);
        },
      };
      signal = created;
      this.settledHere.set(batchId, signal);
      setTimeout(() => this.settledHere.delete(batchId), SETTLEMENT_SIGNAL_MS).unref?.();
    }
    return signal;
  }

  private async follow(batchId: string, openedAt: number, deadline: number): Promise<SubmitOutcome> {
    const { api, store, clock, windowMs } = this.options;
    const abandonedAt = openedAt + windowMs + this.abandonedAfterMs;
    const signal = this.localSettlement(batchId);
    const notSettled = () =>
      new ProviderError(api.provider, `revocation batch ${batchId} did not settle in time`, {
        transient: true,
      });
    if (signal.ledHere) {
      // Its leader runs here and announces the settlement it writes: no read of the store. The
      // leader's own calls are bounded by its deadline, so it settles (failed, at worst) before ours.
      const settled = await within(signal.done, Math.min(deadline, abandonedAt) - clock.now().getTime());
      if (!settled) throw notSettled();
      return memberOutcome(api.provider, settled);
    }
    for (let interval = this.pollMs; ; interval = Math.min(interval * 2, 250)) {
      const now = clock.now().getTime();
      // Wait at least until the window closes: the leader cannot have settled before.
      const until = Math.max(now + interval, openedAt + windowMs);
      if (until >= deadline || now >= abandonedAt) throw notSettled();
      await Promise.race([this.pause(until - now), signal.done]);
      // A leader here that settled meanwhile said what it wrote; otherwise the store says.
      const status = signal.settlement ?? (await store.status(api.provider, batchId));
      if (status.state !== 'pending') return memberOutcome(api.provider, status);
    }
  }
}

/** What a member (not the leader) of a settled batch reports; a failed call fails it too. */
function memberOutcome(provider: string, settlement: BatchSettlement): SubmitOutcome {
  if (settlement.state === 'sent') return { outcome: 'sent', batchSize: settlement.size, leader: false };
  if (settlement.state === 'queued') return { outcome: 'queued', until: settlement.until };
  throw new ProviderError(provider, `the batched revocation call failed: ${settlement.reason}`, {
    transient: settlement.transient,
  });
}

interface LocalSettlement {
  readonly done: Promise<BatchSettlement>;
  resolve(settlement: BatchSettlement): void;
  /** Set once resolved: what the leader wrote to the store. */
  settlement?: BatchSettlement;
  /** The batch's leader runs in this environment. */
  ledHere: boolean;
}

/** `promise`'s value, or undefined once `ms` passed first (the timer does not outlive the answer). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, ms)))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** How long a batch's local settlement signal is kept: far beyond any member's wait. */
const SETTLEMENT_SIGNAL_MS = 60_000;

class BudgetSpent extends Error {
  constructor(readonly resetsAt: string) {
    super(`revocation call budget spent until ${resetsAt}`);
    this.name = 'BudgetSpent';
  }
}
