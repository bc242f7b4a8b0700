import { describe, expect, it } from 'vitest';
import { INCIDENT_STATUSES } from '../../../functions/domain/incidents/incident.ts';
import {
  canTransition,
  containmentEnded,
  isTerminal,
  statusesLeadingTo,
} from '../../../functions/domain/incidents/lifecycle.ts';

describe('incident lifecycle', () => {
  it('lets containment start only from open (or a retry after a failed or unverified attempt)', () => {
    expect(statusesLeadingTo('containing').sort()).toEqual([
      'containment_failed',
      'containment_unverified',
      'open',
    ]);
  });

  it('never lets scope correction start before containment ended', () => {
    for (const from of statusesLeadingTo('scoping')) expect(containmentEnded(from)).toBe(true);
    expect(canTransition('open', 'scoping')).toBe(false);
    expect(canTransition('containing', 'scoping')).toBe(false);
  });

  it('only reaches contained from containment work, never from open directly', () => {
    expect(canTransition('open', 'contained')).toBe(false);
    expect(canTransition('containing', 'contained')).toBe(true);
  });

  it('never moves an incident backwards to open', () => {
    for (const from of INCIDENT_STATUSES) expect(canTransition(from, 'open')).toBe(false);
  });

  it('treats resolved and false_positive as terminal', () => {
    expect(isTerminal('resolved')).toBe(true);
    expect(isTerminal('false_positive')).toBe(true);
    expect(INCIDENT_STATUSES.filter(isTerminal).sort()).toEqual(['false_positive', 'resolved']);
  });
});
