/**
 * The Slack card for an incident (Block Kit as plain JSON) and its text rendering for consoles.
 * One source for both, so the console shows exactly what Slack would. No credential value can
 * appear: the incident holds only its fingerprint and redacted preview.
 */
import type { Incident, IncidentStatus, TimelineEvent } from '../incidents/incident.ts';
import { isTerminal } from '../incidents/lifecycle.ts';

const STATUS_LABEL: Record<IncidentStatus, string> = {
  open: '🔴 Open',
  containing: '🟠 Containing',
  contained: '🟢 Contained (verified)',
  containment_unverified: '🟠 Containment unverified',
  containment_failed: '🔴 Containment failed',
  scoping: '🔵 Scope correction',
  scope_corrected: '🟢 Scope corrected',
  scope_review_needed: '🟡 Scope review needed',
  resolved: '✅ Resolved',
  false_positive: '⚪ False positive',
};

export const ACTIONS = {
  approve: 'incident.approve',
  acknowledge: 'incident.acknowledge',
  escalate: 'incident.escalate',
  falsePositive: 'incident.false_positive',
} as const;

export interface CardView {
  readonly text: string;
  readonly blocks: Record<string, unknown>[];
  readonly lines: string[];
}

function exposureLine(incident: Incident): string {
  const first = incident.exposures[0];
  if (!first) return 'no exposure recorded';
  const where = `${first.repo} ${first.path}:${first.line}${first.commit ? ` @ ${first.commit.slice(0, 7)}` : ''}`;
  const more = incident.exposureCount > 1 ? ` (+${incident.exposureCount - 1} more)` : '';
  return `${where}${more}`;
}

export function renderCard(incident: Incident): CardView {
  const title = `Leaked ${incident.type} ${incident.redacted}`;
  const status = STATUS_LABEL[incident.status];
  const facts: [string, string][] = [
    ['Status', status],
    ['Severity', incident.severity],
    ['Incident', incident.id],
    ['Provider', incident.provider],
    ['Where', exposureLine(incident)],
    ['Detected', incident.detectedAt],
  ];
  if (incident.acknowledged)
    facts.push([
      'Acknowledged',
      `by ${incident.acknowledged.by.name ?? incident.acknowledged.by.id} at ${incident.acknowledged.at}`,
    ]);
  if (incident.escalated) facts.push(['Escalated', incident.escalated.reason]);
  const approval = incident.approval;
  if (approval?.approvedAt)
    facts.push([
      'Revocation approved',
      `by ${approval.approvedBy?.name ?? approval.approvedBy?.id ?? 'someone'} at ${approval.approvedAt}`,
    ]);
  // What containment waits for: an approval, a provider's budget, a retry after provider trouble.
  if (incident.containmentNotice && incident.status === 'containing')
    facts.push(['Containment', incident.containmentNotice.text]);

  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
    {
      type: 'section',
      fields: facts.map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${v}`.slice(0, 2000) })),
    },
  ];
  if (!isTerminal(incident.status)) {
    const buttons: Record<string, unknown>[] = [];
    const awaiting = awaitsApproval(incident);
    if (awaiting)
      buttons.push({
        ...button('Approve revocation', ACTIONS.approve, incident.id, 'primary'),
        confirm: {
          title: { type: 'plain_text', text: 'Revoke this credential now?' },
          text: {
            type: 'mrkdwn',
            text: `leakstop revokes the ${incident.provider} credential ${incident.redacted} and proves it dead. Whatever still uses it stops working.`,
          },
          confirm: { type: 'plain_text', text: 'Revoke' },
          deny: { type: 'plain_text', text: 'Cancel' },
        },
      });
    if (!incident.acknowledged)
      buttons.push(button('Acknowledge', ACTIONS.acknowledge, incident.id, awaiting ? undefined : 'primary'));
    if (!incident.escalated) buttons.push(button('Escalate', ACTIONS.escalate, incident.id));
    buttons.push({
      ...button('False positive', ACTIONS.falsePositive, incident.id, 'danger'),
      confirm: {
        title: { type: 'plain_text', text: 'Mark as false positive?' },
        text: { type: 'mrkdwn', text: 'The incident closes and leakstop stops acting on this credential.' },
        confirm: { type: 'plain_text', text: 'False positive' },
        deny: { type: 'plain_text', text: 'Cancel' },
      },
    });
    blocks.push({ type: 'actions', block_id: `incident:${incident.id}`, elements: buttons });
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `fingerprint \`${incident.fingerprint.slice(0, 16)}…\`` }],
  });

  const lines = [`┌ ${title}`, ...facts.map(([k, v]) => `│ ${k.padEnd(12)} ${v}`), '└'];
  return { text: `${status}: ${title} (${incident.id})`, blocks, lines };
}

/** Containment in approval mode, checked and waiting for a person to approve the revocation. */
const awaitsApproval = (incident: Incident): boolean =>
  incident.status === 'containing' &&
  incident.approval?.requestedAt !== undefined &&
  incident.approval.approvedAt === undefined;

function button(
  label: string,
  actionId: string,
  value: string,
  style?: 'primary' | 'danger',
): Record<string, unknown> {
  return {
    type: 'button',
    text: { type: 'plain_text', text: label },
    action_id: actionId,
    value,
    ...(style ? { style } : {}),
  };
}

export function renderTimelineEntry(event: TimelineEvent): string {
  const who = event.actor.kind === 'system' ? 'leakstop' : (event.actor.name ?? event.actor.id);
  const took = event.durationMs === undefined ? '' : ` (${event.durationMs} ms)`;
  return `${event.at} · ${who} · ${event.type}: ${event.detail}${took}`;
}
