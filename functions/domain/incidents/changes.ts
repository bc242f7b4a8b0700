/**
 * An incident with changes applied, exactly as the repository's write applies them (fields set,
 * phases merged, `updatedAt` moved): lets a caller that just wrote know the result without reading
 * it back.
 */
import type { IncidentChanges } from '../ports.ts';
import type { Incident, IncidentStatus } from './incident.ts';

export function withChanges(
  incident: Incident,
  changes: IncidentChanges,
  at: string,
  status: IncidentStatus = incident.status,
): Incident {
  const { phases, ...fields } = changes;
  const set = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  const phaseSet = Object.fromEntries(
    Object.entries(phases ?? {}).filter(([, value]) => value !== undefined),
  );
  return {
    ...incident,
    ...set,
    status,
    updatedAt: at,
    phases: { ...incident.phases, ...phaseSet },
  };
}
