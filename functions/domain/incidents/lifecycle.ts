/**
 * The incident lifecycle: which status may follow which. Every transition is written with a
 * condition on the current status, so concurrent workers can never move an incident backwards.
 */
import type { IncidentStatus } from './incident.ts';

const NEXT: Record<IncidentStatus, readonly IncidentStatus[]> = {
  open: ['containing', 'false_positive'],
  containing: ['contained', 'containment_unverified', 'containment_failed', 'false_positive'],
  contained: ['scoping', 'resolved', 'false_positive'],
  containment_unverified: ['containing', 'contained', 'resolved', 'false_positive'],
  containment_failed: ['containing', 'contained', 'resolved', 'false_positive'],
  scoping: ['scope_corrected', 'scope_review_needed'],
  scope_corrected: ['resolved'],
  scope_review_needed: ['scope_corrected', 'resolved'],
  resolved: [],
  false_positive: [],
};

export function canTransition(from: IncidentStatus, to: IncidentStatus): boolean {
  return NEXT[from].includes(to);
}

/** Statuses from which `to` may be reached: the condition of the conditional write. */
export function statusesLeadingTo(to: IncidentStatus): IncidentStatus[] {
  return (Object.keys(NEXT) as IncidentStatus[]).filter((from) => NEXT[from].includes(to));
}

/** Containment has ended (successfully or not): scope work may start, the vault entry may go. */
export function containmentEnded(status: IncidentStatus): boolean {
  return !['open', 'containing'].includes(status);
}

export function isTerminal(status: IncidentStatus): boolean {
  return NEXT[status].length === 0;
}

/** Raised when a conditional transition finds the incident in a status that does not allow it. */
export class TransitionRejected extends Error {
  constructor(
    readonly incidentId: string,
    readonly to: IncidentStatus,
    readonly actual: IncidentStatus | undefined,
  ) {
    super(`incident ${incidentId} cannot move to ${to} from ${actual ?? 'a missing incident'}`);
    this.name = 'TransitionRejected';
  }
}
