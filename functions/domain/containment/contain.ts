/**
 * Containment: the first thing leakstop does with an incident. Revoke, prove the old value dead,
 * and only then call the incident contained. The worker that wins the conditional
 * open → containing transition owns the work; a duplicate message drops out, and a crashed
 * owner's message, redelivered after the lease, takes over.
 */
import { SYSTEM, type Incident, type IncidentStatus } from '../incidents/incident.ts';
import { containmentEnded, TransitionRejected } from '../incidents/lifecycle.ts';
import type { IncidentJob } from '../jobs.ts';
import type { Clock, IncidentRepository, Queue, Vault } from '../ports.ts';
import { modeFor, type ModeConfig } from './modes.ts';
import { describePlan, revocationPlanFor } from './revocation-plan.ts';

export interface ContainmentDeps {
  readonly incidents: IncidentRepository;
  readonly vault: Vault;
  readonly notifications: Queue<IncidentJob>;
  readonly clock: Clock;
  readonly modes: ModeConfig;
  /** How long an owner may hold `containing` before another worker takes over; ≥ the function timeout. */
  readonly leaseMs: number;
}

export type ContainmentOutcome =
  | { readonly outcome: 'ended'; readonly status: IncidentStatus }
  | { readonly outcome: 'skipped'; readonly reason: string };

export async function containIncident(
  incidentId: string,
  deps: ContainmentDeps,
): Promise<ContainmentOutcome> {
  const incident = await deps.incidents.get(incidentId);
  if (!incident) throw new Error(`incident ${incidentId} does not exist`);
  const owned = await takeOwnership(incident, deps);
  if (owned.outcome === 'skipped') return owned;
  const current = owned.incident;
  if (containmentEnded(current.status)) {
    await releaseVault(current, deps);
    return { outcome: 'ended', status: current.status };
  }

  const startedAt = deps.clock.now();
  const mode = modeFor(deps.modes, current.provider);
  const plan = revocationPlanFor(current.provider, current.type);
  // Automatic revokers per provider join here (enforce / approval); until one exists for a provider,
  // containment is a manual task for a person, and the incident says so.
  const dryRun = mode === 'dry-run';
  await deps.incidents.appendEvent(incidentId, {
    at: startedAt.toISOString(),
    type: dryRun ? 'revocation_planned' : 'manual_containment_required',
    actor: SYSTEM,
    detail: dryRun
      ? `dry-run, nothing revoked. Would: ${describePlan(plan)}`
      : `No automatic revoker for ${current.provider}. Steps: ${describePlan(plan)}`,
    data: { mode, provider: current.provider },
  });
  const endedAt = deps.clock.now().toISOString();
  const reason = dryRun
    ? 'dry-run: the credential was not revoked and may still be live — revoke it by hand or run leakstop in enforce mode'
    : `no automatic revoker for ${current.provider}: revoke it by hand and record it here`;
  const ended = await deps.incidents.transition(
    incidentId,
    'containment_unverified',
    {
      at: endedAt,
      type: 'status_changed',
      actor: SYSTEM,
      detail: `containment unverified: ${reason}`,
      durationMs: Date.parse(endedAt) - startedAt.getTime(),
    },
    { phases: { containmentEndedAt: endedAt }, escalated: { by: SYSTEM, at: endedAt, reason } },
  );
  await releaseVault(ended, deps);
  await deps.notifications.send([{ incidentId }]);
  return { outcome: 'ended', status: ended.status };
}

async function takeOwnership(
  incident: Incident,
  deps: ContainmentDeps,
): Promise<{ outcome: 'owned'; incident: Incident } | { outcome: 'skipped'; reason: string }> {
  if (incident.status === 'open') {
    const at = deps.clock.now().toISOString();
    try {
      const started = await deps.incidents.transition(
        incident.id,
        'containing',
        { at, type: 'status_changed', actor: SYSTEM, detail: 'containment started' },
        { phases: { containmentStartedAt: at } },
      );
      await deps.notifications.send([{ incidentId: incident.id }]);
      return { outcome: 'owned', incident: started };
    } catch (error) {
      if (!(error instanceof TransitionRejected)) throw error;
      return { outcome: 'skipped', reason: 'another worker started containment' };
    }
  }
  if (incident.status === 'containing') {
    const started = Date.parse(incident.phases.containmentStartedAt ?? incident.updatedAt);
    if (deps.clock.now().getTime() - started < deps.leaseMs)
      return { outcome: 'skipped', reason: 'containment in progress elsewhere' };
    return { outcome: 'owned', incident };
  }
  return { outcome: 'owned', incident };
}

/** The plaintext leaves the vault as soon as containment has ended, whatever the outcome. */
async function releaseVault(incident: Incident, deps: ContainmentDeps): Promise<void> {
  if (!incident.vaulted) return;
  await deps.vault.delete(incident.fingerprint);
  await deps.incidents.update(
    incident.id,
    { vaulted: false },
    {
      at: deps.clock.now().toISOString(),
      type: 'vault_cleared',
      actor: SYSTEM,
      detail: 'the leaked value was deleted from the vault',
    },
  );
}
