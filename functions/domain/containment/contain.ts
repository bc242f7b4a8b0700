/**
 * Containment: the first thing leakstop does with an incident. A live check with the credential
 * (identity and scopes), the revocation (after a person's approval in approval mode), then proof:
 * the provider is called with the old value until it fails authentication, and only then is the
 * incident `contained`. Tracers (usage lookup, copies search) follow, and the vault entry is deleted
 * when they are done: that is the end of containment (`phases.containmentEndedAt`), after which
 * scope work may start. With a tracing queue wired, the verdict hands that rest to it (a `finish`
 * job, handled by this same code): a worker's slot is free for the next revocation as soon as the
 * credential is proven dead, and tracing (CloudTrail: 2 lookups a second) runs beside it.
 *
 * Ownership: the worker that moves the incident open → containing, or later claims its lease with
 * a conditional write, owns the work; duplicates drop out. The move to containing waits for the
 * first write the work needs and goes in the same transaction (the live check is a read, and a
 * duplicate worker may make it too): on the way to a revocation, the claim and the revocation mark
 * are one write. A worker that waits (for an approval, for a provider's budget) releases the lease,
 * and the message that resumes the work claims it.
 *
 * Exactly one revocation: `phases.revocationStartedAt` is written before the provider is called,
 * and every run probes the credential first. A retry after a crash that finds it dead records the
 * earlier call's effect instead of revoking again.
 */
import {
  SYSTEM,
  type ContainmentNotice,
  type Incident,
  type LiveCheck,
  type IncidentStatus,
  type TimelineEvent,
} from '../incidents/incident.ts';
import { withChanges } from '../incidents/changes.ts';
import { containmentEnded, TransitionRejected } from '../incidents/lifecycle.ts';
import type { IncidentJob } from '../jobs.ts';
import type { Clock, IncidentChanges, IncidentRepository, Queue, Vault } from '../ports.ts';
import { modeFor, type ModeConfig } from './modes.ts';
import { describePlan, revocationPlanFor } from './revocation-plan.ts';
import { sleep as defaultSleep, withRetries } from './retry.ts';
import {
  ProviderError,
  revokerFor,
  scrubbing,
  scrubSecret,
  type Liveness,
  type RevokeOutcome,
  type Revoker,
} from './revokers.ts';
import { runTracers } from './run-tracers.ts';
import type { Tracer } from './tracing.ts';
import { verifyDead } from './verify.ts';

export interface ContainmentDeps {
  readonly incidents: IncidentRepository;
  readonly vault: Vault;
  readonly notifications: Queue<IncidentJob>;
  /** The containment queue itself: a wait (provider budget) schedules the next attempt on it. */
  readonly containment?: Queue<IncidentJob>;
  /** Where a decided containment's tracing and vault deletion go (`finish` jobs); absent: inline. */
  readonly tracing?: Queue<IncidentJob>;
  readonly clock: Clock;
  readonly modes: ModeConfig;
  /** How long an owner may hold the incident before another worker takes over; ≥ the function timeout. */
  readonly leaseMs: number;
  /** Automatic revokers; a provider without one gets a manual containment task. */
  readonly revokers?: readonly Revoker[];
  /** Usage lookups and copies searches, run once the containment status is decided. */
  readonly tracers?: readonly Tracer[];
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** What the queue knows about this delivery of the message. */
export interface ContainmentAttempt {
  /** Epoch milliseconds by which this invocation must be done (its remaining time minus a margin). */
  readonly deadline?: number;
  /** SQS ApproximateReceiveCount of this delivery. */
  readonly receiveCount?: number;
  /** The queue's maxReceiveCount: the last delivery before the dead-letter queue. */
  readonly maxReceives?: number;
  /** The message's step: `finish` comes from the tracing queue. */
  readonly step?: IncidentJob['step'];
}

export type ContainmentOutcome =
  | { readonly outcome: 'ended'; readonly status: IncidentStatus }
  | { readonly outcome: 'waiting'; readonly reason: string }
  | { readonly outcome: 'skipped'; readonly reason: string };

/** Seconds before the card says "containing" (most containments have ended by then). */
const STARTED_NOTICE_DELAY_S = 2;

export async function containIncident(
  incidentId: string,
  deps: ContainmentDeps,
  attempt: ContainmentAttempt = {},
): Promise<ContainmentOutcome> {
  const deadline = attempt.deadline ?? deps.clock.now().getTime() + deps.leaseMs * 0.9;
  const incident = await deps.incidents.get(incidentId);
  if (!incident) throw new Error(`incident ${incidentId} does not exist`);
  const decided = incident.status === 'contained' || incident.status === 'containment_unverified';
  if (attempt.step === 'finish' && !decided)
    return { outcome: 'skipped', reason: `nothing to finish while ${incident.status}` };
  if (decided && incident.vaulted && attempt.step !== 'finish' && handsOff(deps)) {
    // A redelivered containment message for a decided incident: its rest belongs to the tracing queue.
    await handOff(incident.id, deps);
    return { outcome: 'ended', status: incident.status };
  }
  const owned = await takeOwnership(incident, deps, attempt);
  if (owned.outcome !== 'owned') return owned;
  const current = owned.incident;

  if (current.status === 'contained' || current.status === 'containment_unverified') {
    // Decided earlier; a crash may have interrupted tracing: finish it.
    await finishContainment(current, deps, deadline);
    return { outcome: 'ended', status: current.status };
  }
  if (containmentEnded(current.status) && current.status !== 'containment_failed') {
    await finishContainment(current, deps, deadline, { trace: false });
    return { outcome: 'ended', status: current.status };
  }

  const ownership = new Ownership(current, deps, owned.claim);
  let result: Decided;
  try {
    result = await runContainment(ownership, deps, deadline);
  } catch (error) {
    if (error instanceof ClaimLost) return { outcome: 'skipped', reason: error.message };
    // The failure is recorded on a containing incident: one whose claim was still to be written
    // (the live check failed) is claimed first, unless another worker got there.
    try {
      await ownership.claimed();
    } catch (claimError) {
      if (claimError instanceof ClaimLost) return { outcome: 'skipped', reason: claimError.message };
      throw claimError;
    }
    await recordFailure(ownership.incident, error, deps, attempt);
    // A permanent provider error will not heal on redelivery: the incident says failed, and a person acts.
    if (error instanceof ProviderError && !error.transient)
      return { outcome: 'ended', status: 'containment_failed' };
    throw error;
  }
  if (result.outcome === 'ended' && result.status !== 'containment_failed') {
    if (handsOff(deps)) await handOff(incidentId, deps);
    else {
      const decided =
        ('incident' in result ? result.incident : undefined) ?? (await deps.incidents.get(incidentId));
      if (decided) await finishContainment(decided, deps, deadline);
    }
  }
  if (result.outcome !== 'ended') return result;
  return { outcome: 'ended', status: result.status };
}

/** Whether the verdict hands tracing and the vault to the tracing queue (there is tracing to do). */
function handsOff(deps: ContainmentDeps): boolean {
  return deps.tracing !== undefined && (deps.tracers?.length ?? 0) > 0;
}

async function handOff(incidentId: string, deps: ContainmentDeps): Promise<void> {
  if (!deps.tracing) throw new Error('tracing queue not wired');
  await deps.tracing.send([{ incidentId, step: 'finish' }]);
}

type Owned =
  | { readonly outcome: 'owned'; readonly incident: Incident; readonly claim?: Claim }
  | { readonly outcome: 'skipped' | 'waiting'; readonly reason: string };

/** The open → containing transition that makes a worker the owner, not yet written. */
interface Claim {
  readonly event: TimelineEvent;
  readonly changes: IncidentChanges;
}

/** Another worker moved the incident to containing first: this one drops out. */
class ClaimLost extends Error {
  constructor() {
    super('another worker started containment');
    this.name = 'ClaimLost';
  }
}

/**
 * The incident as this worker owns it. With a claim pending, the first write the work needs
 * carries it: `write` moves the incident to containing with that write's changes and events in
 * one transaction; `claimed` writes the claim alone for a step whose next write needs `containing`.
 */
class Ownership {
  constructor(
    public incident: Incident,
    private readonly deps: ContainmentDeps,
    private claim?: Claim,
  ) {}

  async claimed(): Promise<Incident> {
    if (this.claim) await this.write({}, []);
    return this.incident;
  }

  /** The incident's changes and events, with the claim when it is pending. */
  async write(changes: IncidentChanges, events: readonly TimelineEvent[]): Promise<void> {
    const claim = this.claim;
    if (!claim) {
      await this.deps.incidents.write(this.incident.id, changes, events);
      this.incident = withChanges(this.incident, changes, events.at(-1)?.at ?? this.incident.updatedAt);
      return;
    }
    try {
      this.incident = await this.deps.incidents.transition(
        this.incident.id,
        'containing',
        claim.event,
        { ...claim.changes, ...changes, phases: { ...claim.changes.phases, ...changes.phases } },
        { current: this.incident, events },
      );
    } catch (error) {
      if (error instanceof TransitionRejected) throw new ClaimLost();
      throw error;
    }
    this.claim = undefined;
    // Delayed: a containment that ends within seconds notifies its result instead, so the card
    // does not flicker through "containing"; a slow one shows it after STARTED_NOTICE_DELAY_S.
    await this.deps.notifications.send([{ incidentId: this.incident.id, ifStatus: 'containing' }], {
      delaySeconds: STARTED_NOTICE_DELAY_S,
    });
  }
}

async function takeOwnership(
  incident: Incident,
  deps: ContainmentDeps,
  attempt: ContainmentAttempt,
): Promise<Owned> {
  const now = deps.clock.now();
  const at = now.toISOString();
  const leaseUntil = new Date(now.getTime() + deps.leaseMs).toISOString();
  if (incident.status === 'open' || incident.status === 'containment_failed') {
    // Written with the work's first write (Ownership); a lost race surfaces there as ClaimLost.
    const claim: Claim = {
      event: {
        at,
        type: 'status_changed',
        actor: SYSTEM,
        detail: incident.status === 'open' ? 'containment started' : 'containment retried',
      },
      changes: {
        leaseUntil,
        ...(incident.phases.containmentStartedAt ? {} : { phases: { containmentStartedAt: at } }),
      },
    };
    return { outcome: 'owned', incident, claim };
  }
  if (incident.status === 'contained' || incident.status === 'containment_unverified') {
    if (!incident.vaulted && incident.phases.containmentEndedAt) return { outcome: 'owned', incident };
    // The tail (tracing, vault) of a decided containment whose worker stopped: one worker finishes it.
    const claimed = await deps.incidents.write(
      incident.id,
      { leaseUntil },
      [{ at, type: 'containment_resumed', actor: SYSTEM, detail: 'finishing containment (tracing, vault)' }],
      { status: incident.status, leaseFreeAt: at },
    );
    if (!claimed) return { outcome: 'skipped', reason: 'containment is being finished elsewhere' };
    return { outcome: 'owned', incident: withChanges(incident, { leaseUntil }, at) };
  }
  if (incident.status !== 'containing') return { outcome: 'owned', incident };

  // Waiting states need no owner: look before claiming, so a duplicate adds nothing to the timeline.
  if (incident.approval?.requestedAt && !incident.approval.approvedAt)
    return { outcome: 'waiting', reason: 'waiting for approval' };
  const notice = incident.containmentNotice;
  if (notice?.kind === 'queued' && notice.until && Date.parse(notice.until) > now.getTime()) {
    await schedule(incident.id, notice.until, deps);
    return { outcome: 'waiting', reason: `queued until ${notice.until}` };
  }
  const claimed = await deps.incidents.write(
    incident.id,
    { leaseUntil },
    [
      {
        at,
        type: 'containment_resumed',
        actor: SYSTEM,
        detail: `containment resumed${attempt.receiveCount ? ` (delivery ${attempt.receiveCount})` : ''}`,
      },
    ],
    { status: 'containing', leaseFreeAt: at },
  );
  if (!claimed) return { outcome: 'skipped', reason: 'containment in progress elsewhere' };
  return { outcome: 'owned', incident: withChanges(incident, { leaseUntil }, at) };
}

/** Schedules the next attempt for when a wait ends (SQS delays are at most 15 minutes: it may hop). */
async function schedule(incidentId: string, until: string, deps: ContainmentDeps): Promise<void> {
  if (!deps.containment) throw new Error('containment queue not wired: cannot schedule a retry');
  const seconds = Math.ceil((Date.parse(until) - deps.clock.now().getTime()) / 1000);
  await deps.containment.send([{ incidentId }], { delaySeconds: Math.max(1, Math.min(900, seconds)) });
}

function elapsed(deps: ContainmentDeps, since: number): number {
  return deps.clock.now().getTime() - since;
}

function event(
  deps: ContainmentDeps,
  type: string,
  detail: string,
  extra: Partial<TimelineEvent> = {},
): TimelineEvent {
  return { at: deps.clock.now().toISOString(), type, actor: SYSTEM, detail, ...extra };
}

/** An outcome, with the incident as the deciding write left it (saves a read). */
type Decided =
  | ContainmentOutcome
  | { readonly outcome: 'ended'; readonly status: IncidentStatus; readonly incident: Incident };

async function runContainment(
  ownership: Ownership,
  deps: ContainmentDeps,
  deadline: number,
): Promise<Decided> {
  const incident = ownership.incident;
  const started = deps.clock.now().getTime();
  const mode = modeFor(deps.modes, incident.provider);
  const plan = revocationPlanFor(incident.provider, incident.type);
  const found = revokerFor(deps.revokers ?? [], incident);

  if (mode === 'dry-run' || !found) {
    const dryRun = mode === 'dry-run';
    const planned = event(
      deps,
      dryRun ? 'revocation_planned' : 'manual_containment_required',
      dryRun
        ? `dry-run, nothing revoked. Would: ${describePlan(plan)}`
        : `No automatic revoker for ${incident.provider} ${incident.type}. Steps: ${describePlan(plan)}`,
      { data: { mode, provider: incident.provider } },
    );
    const reason = dryRun
      ? 'dry-run: the credential was not revoked and may still be live — revoke it by hand or run leakstop in enforce mode'
      : `no automatic revoker for ${incident.provider}: revoke it by hand and record it here`;
    return decide(
      await ownership.claimed(),
      'containment_unverified',
      `containment unverified: ${reason}`,
      deps,
      started,
      { escalate: reason, events: [planned] },
    );
  }

  const secret = await deps.vault.get(incident.fingerprint);
  if (secret === undefined) {
    const reason = `the leaked value is no longer in the vault, so leakstop cannot act on it. Steps: ${describePlan(plan)}`;
    return decide(
      await ownership.claimed(),
      'containment_failed',
      `containment failed: ${reason}`,
      deps,
      started,
      {
        escalate: 'the leaked value is no longer in the vault: revoke it by hand',
      },
    );
  }
  const retry = retryPolicy(deps, deadline);
  const revoker = scrubbing(found, secret);

  // 1. Live check: who the credential acts as, and whether it still works at all.
  const checkStarted = deps.clock.now().getTime();
  let retries = 0;
  const live: Liveness = await withRetries(() => revoker.probe(secret, incident), {
    ...retry,
    onRetry: () => (retries += 1),
  });
  // The live check's event and summary ride on the next write (the revocation mark, or the verdict).
  const check = incident.liveCheck ? undefined : liveCheckRecord(incident, live, deps, checkStarted, retries);
  const pending: IncidentChanges = check ? { liveCheck: check.liveCheck } : {};
  const pendingEvents: TimelineEvent[] = check ? [check.event] : [];

  if (live.state === 'dead') {
    const earlier = incident.phases.revocationStartedAt;
    // An idempotent revoker finishes what a crashed run left undone (e.g. the quarantine policy).
    const redone =
      earlier && !incident.phases.revokedAt && revoker.idempotent
        ? await revokeOnce(ownership, revoker, secret, deps, deadline, mode, pending, pendingEvents.splice(0))
        : undefined;
    const detail = earlier
      ? `old credential rejected (${live.reason}): the revocation started at ${earlier} took effect`
      : `already dead before leakstop acted: the provider rejects it (${live.reason})`;
    const at = deps.clock.now().toISOString();
    const verified = event(deps, 'verified_dead', detail, {
      durationMs: elapsed(deps, checkStarted),
      data: { provider: incident.provider, alreadyDead: !earlier, probes: 1 },
    });
    return contained(await ownership.claimed(), deps, started, {
      changes: pending,
      phases: { verifiedAt: at, ...(earlier && !incident.phases.revokedAt ? { revokedAt: at } : {}) },
      events: [...pendingEvents, ...(redone && 'event' in redone ? [redone.event] : []), verified],
    });
  }

  // 2. Approval gate: nothing destructive happens before a person says so.
  if (mode === 'approval' && !incident.approval?.approvedAt) {
    const at = deps.clock.now().toISOString();
    const notice: ContainmentNotice = {
      kind: 'awaiting_approval',
      text: `revocation awaits approval: POST /incidents/${incident.id}/approve`,
      at,
    };
    await ownership.write(
      { ...pending, approval: { requestedAt: at }, containmentNotice: notice, leaseUntil: at },
      [
        ...pendingEvents,
        event(deps, 'approval_requested', `approval mode: ${notice.text}. Plan: ${describePlan(plan)}`, {
          data: { provider: incident.provider },
        }),
      ],
    );
    await deps.notifications.send([{ incidentId: incident.id }]);
    return { outcome: 'waiting', reason: 'waiting for approval' };
  }

  // 3. Revoke, once.
  const outcome = await revokeOnce(ownership, revoker, secret, deps, deadline, mode, pending, pendingEvents);
  const claimed = ownership.incident;
  if (outcome.outcome === 'queued') {
    const at = deps.clock.now().toISOString();
    const text = `queued for revocation, budget resets at ${outcome.until}`;
    await deps.incidents.write(
      incident.id,
      { containmentNotice: { kind: 'queued', text, at, until: outcome.until }, leaseUntil: at },
      [
        event(deps, 'revocation_queued', `${text} (${outcome.reason})`, {
          data: { provider: incident.provider, until: outcome.until },
        }),
      ],
    );
    await schedule(incident.id, outcome.until, deps);
    await deps.notifications.send([{ incidentId: incident.id }]);
    return { outcome: 'waiting', reason: text };
  }
  if (outcome.outcome === 'refused') {
    return decide(claimed, 'containment_failed', `containment failed: ${outcome.reason}`, deps, started, {
      escalate: `automatic revocation impossible: ${outcome.reason}`,
      events: [outcome.event],
    });
  }
  const revokedAt = outcome.at;

  // 4. Prove it dead.
  const verifyStarted = deps.clock.now().getTime();
  const verdict = await verifyDead(revoker, secret, incident, {
    until: Math.min(deadline, verifyStarted + revoker.verifyWithinMs),
    now: () => deps.clock.now().getTime(),
    sleep: deps.sleep ?? defaultSleep,
    ...(deps.random ? { random: deps.random } : {}),
  });
  const verifiedAt = deps.clock.now().toISOString();
  if (verdict.verdict === 'dead') {
    // The proof and the verdict are one write: `contained` and its verification event together.
    const verified = event(
      deps,
      'verified_dead',
      `old credential rejected by ${incident.provider}: ${verdict.reason}`,
      {
        durationMs: elapsed(deps, verifyStarted),
        data: { provider: incident.provider, alreadyDead: false, probes: verdict.probes },
      },
    );
    return contained(claimed, deps, started, {
      phases: { revokedAt, verifiedAt },
      events: [outcome.event, verified],
    });
  }
  const why =
    verdict.verdict === 'still_live'
      ? `the old credential still authenticated ${Math.round(elapsed(deps, verifyStarted) / 1000)} s after revocation`
      : `death could not be proven: ${verdict.reason}`;
  const failedProof = event(deps, 'verification_failed', why, {
    durationMs: elapsed(deps, verifyStarted),
    data: { provider: incident.provider, probes: verdict.probes },
  });
  return decide(claimed, 'containment_unverified', `containment unverified: ${why}`, deps, started, {
    escalate: `revoked but not proven dead: ${why}`,
    phases: { revokedAt },
    events: [outcome.event, failedProof],
  });
}

/**
 * The revocation call, retried on transient failures. The mark goes first, so a crash after the
 * call leaves a trace the next run sees; a pending claim (open → containing) rides on it. A failed
 * call may still have reached the provider (a lost reply): before calling a non-idempotent revoker
 * again, the credential is probed, and a dead one is not revoked twice.
 *
 * The outcome's event (what the provider call did) is written with the verdict that follows, not
 * on its own: a crash in between loses it, and the next run's verdict says the revocation started
 * at the mark took effect (an idempotent revoker runs again and reports it anew).
 */
async function revokeOnce(
  ownership: Ownership,
  revoker: Revoker,
  secret: string,
  deps: ContainmentDeps,
  deadline: number,
  mode: string,
  /** Changes that ride along with the revocation mark (the live check's summary). */
  extra: IncidentChanges = {},
  /** Events that ride along with it, before its own (the live check's). */
  extraEvents: readonly TimelineEvent[] = [],
): Promise<
  | (Extract<RevokeOutcome, { outcome: 'revoked' | 'refused' }> & {
      readonly at: string;
      readonly event: TimelineEvent;
    })
  | Extract<RevokeOutcome, { outcome: 'queued' }>
> {
  const incident = ownership.incident;
  const started = deps.clock.now();
  const again = incident.phases.revocationStartedAt;
  await ownership.write(
    { ...extra, phases: { ...extra.phases, revocationStartedAt: started.toISOString() } },
    [
      ...extraEvents,
      event(
        deps,
        'revocation_started',
        again
          ? `revoking again: the revocation started at ${again} did not finish`
          : `revoking through ${incident.provider} (${mode})`,
        { data: { provider: incident.provider, mode } },
      ),
    ],
  );
  let attempts = 0;
  const outcome = await withRetries(
    async (): Promise<RevokeOutcome> => {
      attempts += 1;
      if (attempts > 1 && !revoker.idempotent) {
        const now = await revoker.probe(secret, incident);
        if (now.state === 'dead')
          return {
            outcome: 'revoked',
            actions: [
              `the failed call took effect after all: the provider now rejects the credential (${now.reason})`,
            ],
          };
      }
      return revoker.revoke(secret, incident, { deadline });
    },
    retryPolicy(deps, deadline),
  );
  if (outcome.outcome === 'queued') return outcome;
  const at = deps.clock.now().toISOString();
  const data = {
    provider: incident.provider,
    attempts,
    // Read back by the AWS key deletion sweep (key-deletion.ts), which has no other way to the user.
    ...(outcome.outcome === 'revoked' && outcome.owner
      ? { ownerAccount: outcome.owner.account, ownerUser: outcome.owner.user }
      : {}),
  };
  const durationMs = Date.parse(at) - started.getTime();
  if (outcome.outcome === 'revoked')
    return {
      ...outcome,
      at,
      event: event(deps, 'revoked', outcome.actions.join('; '), { durationMs, data }),
    };
  return {
    ...outcome,
    at,
    event: event(
      deps,
      'revocation_refused',
      `${outcome.reason}. Revoke it by hand: ${describePlan(revocationPlanFor(incident.provider, incident.type))}`,
      { durationMs, data },
    ),
  };
}

function retryPolicy(deps: ContainmentDeps, deadline: number) {
  return {
    deadline,
    now: () => deps.clock.now().getTime(),
    sleep: deps.sleep ?? defaultSleep,
    ...(deps.random ? { random: deps.random } : {}),
  };
}

function liveCheckRecord(
  incident: Incident,
  live: Liveness,
  deps: ContainmentDeps,
  started: number,
  retries: number,
): { readonly liveCheck: LiveCheck; readonly event: TimelineEvent } {
  const at = deps.clock.now().toISOString();
  const detail =
    live.state === 'live'
      ? `live: authenticates${live.identity ? ` as ${live.identity}` : ''}${live.scopes?.length ? ` with scopes ${live.scopes.join(', ')}` : ''}`
      : live.state === 'dead'
        ? `dead: ${live.reason}`
        : `liveness unknown: ${live.reason}`;
  return {
    liveCheck: {
      at,
      ...(live.state === 'live' && live.identity ? { identity: live.identity } : {}),
      ...(live.state === 'live' && live.scopes ? { scopes: live.scopes } : {}),
      details: {
        state: live.state,
        ...(live.state === 'live' ? (live.details ?? {}) : { reason: live.reason }),
      },
    },
    event: event(deps, 'live_check', detail, {
      durationMs: elapsed(deps, started),
      data: { provider: incident.provider, state: live.state, retries },
    }),
  };
}

/** The verdict every path to `contained` shares: only after the issuer rejected the old value. */
function contained(
  incident: Incident,
  deps: ContainmentDeps,
  started: number,
  options: {
    readonly phases: IncidentChanges['phases'];
    readonly changes?: IncidentChanges;
    readonly events?: readonly TimelineEvent[];
  },
): Promise<Decided> {
  return decide(
    incident,
    'contained',
    'contained: the old credential no longer authenticates',
    deps,
    started,
    options,
  );
}

/** Moves the incident to its containment result, escalating when a person must look. */
async function decide(
  incident: Incident,
  to: IncidentStatus,
  detail: string,
  deps: ContainmentDeps,
  started: number,
  options: {
    readonly escalate?: string;
    readonly phases?: IncidentChanges['phases'];
    readonly changes?: IncidentChanges;
    /** Events of the deciding step (the proof), written with the verdict. */
    readonly events?: readonly TimelineEvent[];
  } = {},
): Promise<Decided> {
  const at = deps.clock.now().toISOString();
  // The lease stays with this worker when it finishes containment (tracing, vault) itself, which
  // releases it; a verdict that hands that to the tracing queue releases it now for the finisher.
  const handingOff = to !== 'containment_failed' && handsOff(deps);
  const changes: IncidentChanges = {
    ...options.changes,
    ...(handingOff ? { leaseUntil: at } : {}),
    containmentNotice: null,
    ...(options.phases ? { phases: options.phases } : {}),
    ...(options.escalate && !incident.escalated
      ? { escalated: { by: SYSTEM, at, reason: options.escalate } }
      : {}),
  };
  const ended = await deps.incidents.transition(
    incident.id,
    to,
    { at, type: 'status_changed', actor: SYSTEM, detail, durationMs: Date.parse(at) - started },
    changes,
    { current: incident, events: options.events ?? [] },
  );
  // Slack hears the verdict at once when tracing follows (it can take seconds) or when nothing
  // follows; otherwise the end of containment, moments later, notifies with everything.
  if (to === 'containment_failed' || (deps.tracers?.length ?? 0) > 0)
    await deps.notifications.send([{ incidentId: incident.id }]);
  return { outcome: 'ended', status: ended.status, incident: ended };
}

/**
 * The end of containment: tracers run with the value while it is still in the vault, then the vault
 * entry goes and `containmentEndedAt` is set. Idempotent: a retry after a crash finishes the rest.
 */
async function finishContainment(
  incident: Incident,
  deps: ContainmentDeps,
  deadline: number,
  options: { readonly trace?: boolean } = {},
): Promise<void> {
  if (!incident.vaulted && incident.phases.containmentEndedAt) return;
  if (incident.vaulted && (options.trace ?? true) && (deps.tracers?.length ?? 0) > 0) {
    const secret = await deps.vault.get(incident.fingerprint);
    if (secret !== undefined) {
      await runTracers(incident, secret, modeFor(deps.modes, incident.provider), deadline, {
        incidents: deps.incidents,
        clock: deps.clock,
        tracers: deps.tracers ?? [],
      });
    }
  }
  const at = deps.clock.now().toISOString();
  if (incident.vaulted) await deps.vault.delete(incident.fingerprint);
  await deps.incidents.write(
    incident.id,
    {
      vaulted: false,
      leaseUntil: at,
      ...(incident.phases.containmentEndedAt ? {} : { phases: { containmentEndedAt: at } }),
    },
    [
      incident.vaulted
        ? { at, type: 'vault_cleared', actor: SYSTEM, detail: 'the leaked value was deleted from the vault' }
        : { at, type: 'containment_ended', actor: SYSTEM, detail: 'containment ended' },
    ],
  );
  await deps.notifications.send([{ incidentId: incident.id }]);
}

/**
 * A step failed: provider errors outlasted this invocation's retries, or something unexpected broke.
 * The incident says so (a visible retrying notice, escalated), and on the message's last delivery it
 * moves to containment_failed before the message goes to the dead-letter queue. The vault entry stays:
 * a redrive after the provider recovers picks the work up where it stopped.
 */
async function recordFailure(
  incident: Incident,
  error: unknown,
  deps: ContainmentDeps,
  attempt: ContainmentAttempt,
): Promise<void> {
  const secret = await deps.vault.get(incident.fingerprint).catch(() => undefined);
  const reason = scrubSecret(error instanceof Error ? error.message : 'unknown error', secret);
  const at = deps.clock.now().toISOString();
  const last =
    attempt.receiveCount !== undefined &&
    attempt.maxReceives !== undefined &&
    attempt.receiveCount >= attempt.maxReceives;
  const transient = !(error instanceof ProviderError) || error.transient;
  try {
    if (last || !transient) {
      await deps.incidents.transition(
        incident.id,
        'containment_failed',
        {
          at,
          type: 'status_changed',
          actor: SYSTEM,
          detail: `containment failed: ${reason}${last ? '. The message moves to the dead-letter queue; redrive it once the provider recovers' : ''}`,
        },
        {
          containmentNotice: null,
          leaseUntil: at,
          ...(incident.escalated
            ? {}
            : { escalated: { by: SYSTEM, at, reason: `containment failed: ${reason}` } }),
        },
      );
    } else {
      const of = attempt.maxReceives ? ` of ${attempt.maxReceives}` : '';
      const text = `provider trouble, retrying (delivery ${attempt.receiveCount ?? 1}${of}): ${reason}`;
      await deps.incidents.update(
        incident.id,
        { containmentNotice: { kind: 'retrying', text, at }, leaseUntil: at },
        { at, type: 'containment_retrying', actor: SYSTEM, detail: text },
        { status: 'containing' },
      );
      if (!incident.escalated)
        await deps.incidents.update(
          incident.id,
          { escalated: { by: SYSTEM, at, reason: `containment is retrying: ${reason}` } },
          { at, type: 'escalated', actor: SYSTEM, detail: `escalated: containment is retrying: ${reason}` },
          { notEscalated: true },
        );
    }
    await deps.notifications.send([{ incidentId: incident.id }]);
  } catch (recordError) {
    // Recording is best effort: the original failure is what goes back to the queue.
    if (!(recordError instanceof TransitionRejected)) throw recordError;
  }
}
