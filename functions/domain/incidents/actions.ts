/** What a person can do to an incident from Slack or the API. Each is idempotent and conditional. */
import type { Actor, Incident } from './incident.ts';
import { isTerminal, TransitionRejected } from './lifecycle.ts';
import type { IncidentJob } from '../jobs.ts';
import type { Clock, IncidentRepository, Queue } from '../ports.ts';

export interface ActionDeps {
  readonly incidents: IncidentRepository;
  readonly notifications: Queue<IncidentJob>;
  /** Needed by approve (containment resumes) and by false positive (the worker empties the vault). */
  readonly containment?: Queue<IncidentJob>;
  readonly clock: Clock;
}

export type ActionResult =
  | { readonly outcome: 'done'; readonly incident: Incident }
  | { readonly outcome: 'unchanged'; readonly reason: string }
  | { readonly outcome: 'not_found' };

export async function acknowledge(deps: ActionDeps, id: string, by: Actor): Promise<ActionResult> {
  const at = deps.clock.now().toISOString();
  const incident = await deps.incidents.get(id);
  if (!incident) return { outcome: 'not_found' };
  if (incident.acknowledged)
    return {
      outcome: 'unchanged',
      reason: `already acknowledged by ${incident.acknowledged.by.name ?? incident.acknowledged.by.id}`,
    };
  const updated = await deps.incidents.update(
    id,
    { acknowledged: { by, at }, phases: { acknowledgedAt: at } },
    { at, type: 'acknowledged', actor: by, detail: `acknowledged by ${by.name ?? by.id}` },
    { notAcknowledged: true },
  );
  if (!updated) return { outcome: 'unchanged', reason: 'already acknowledged' };
  await deps.notifications.send([{ incidentId: id }]);
  return { outcome: 'done', incident: updated };
}

export async function escalate(
  deps: ActionDeps,
  id: string,
  by: Actor,
  reason: string,
): Promise<ActionResult> {
  const at = deps.clock.now().toISOString();
  const incident = await deps.incidents.get(id);
  if (!incident) return { outcome: 'not_found' };
  if (incident.escalated) return { outcome: 'unchanged', reason: 'already escalated' };
  const updated = await deps.incidents.update(
    id,
    { escalated: { by, at, reason } },
    { at, type: 'escalated', actor: by, detail: `escalated by ${by.name ?? by.id}: ${reason}` },
    { notEscalated: true },
  );
  if (!updated) return { outcome: 'unchanged', reason: 'already escalated' };
  await deps.notifications.send([{ incidentId: id }]);
  return { outcome: 'done', incident: updated };
}

export async function markFalsePositive(deps: ActionDeps, id: string, by: Actor): Promise<ActionResult> {
  const at = deps.clock.now().toISOString();
  const incident = await deps.incidents.get(id);
  if (!incident) return { outcome: 'not_found' };
  if (isTerminal(incident.status))
    return { outcome: 'unchanged', reason: `incident is already ${incident.status}` };
  try {
    const updated = await deps.incidents.transition(
      id,
      'false_positive',
      { at, type: 'status_changed', actor: by, detail: `marked false positive by ${by.name ?? by.id}` },
      { phases: { resolvedAt: at } },
    );
    // A value still in the vault (e.g. after a failed containment) is deleted by the containment worker.
    if (updated.vaulted && deps.containment) await deps.containment.send([{ incidentId: id }]);
    await deps.notifications.send([{ incidentId: id }]);
    return { outcome: 'done', incident: updated };
  } catch (error) {
    if (error instanceof TransitionRejected) return { outcome: 'unchanged', reason: error.message };
    throw error;
  }
}

/**
 * Approval mode: a person allows the revocation containment is waiting for. Only while the incident
 * is containing and an approval was requested and not yet given (a conditional write), so two
 * clicks approve once; containment resumes from the message this sends.
 */
export async function approveRevocation(deps: ActionDeps, id: string, by: Actor): Promise<ActionResult> {
  if (!deps.containment) throw new Error('approveRevocation needs the containment queue');
  const at = deps.clock.now().toISOString();
  const incident = await deps.incidents.get(id);
  if (!incident) return { outcome: 'not_found' };
  if (incident.approval?.approvedAt)
    return {
      outcome: 'unchanged',
      reason: `already approved by ${incident.approval.approvedBy?.name ?? incident.approval.approvedBy?.id ?? 'someone'}`,
    };
  if (incident.status !== 'containing' || !incident.approval?.requestedAt)
    return { outcome: 'unchanged', reason: `no revocation awaits approval (incident is ${incident.status})` };
  const updated = await deps.incidents.update(
    id,
    {
      approval: { requestedAt: incident.approval.requestedAt, approvedBy: by, approvedAt: at },
      containmentNotice: null,
    },
    { at, type: 'approved', actor: by, detail: `revocation approved by ${by.name ?? by.id}` },
    { status: 'containing', awaitingApproval: true },
  );
  if (!updated) return { outcome: 'unchanged', reason: 'already approved' };
  await deps.containment.send([{ incidentId: id }]);
  await deps.notifications.send([{ incidentId: id }]);
  return { outcome: 'done', incident: updated };
}
