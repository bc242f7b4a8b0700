/**
 * Keeps exactly one Slack card per incident, updated in place, with the timeline in its thread.
 * The card is rendered from the incident's current state, so any number of notification messages
 * converge on the same card; claims in the table make the first post and each thread entry happen once.
 *
 * The events new since the last sync go into the thread as one reply (one line each, split only
 * when a reply would grow past THREAD_REPLY_CHARS): Slack allows about one chat.postMessage per
 * second per channel, and a containment appends a dozen events within a second.
 */
import type { Incident } from '../incidents/incident.ts';
import type { Chat, Clock, IncidentRepository } from '../ports.ts';
import { renderCard, renderTimelineEntry } from './card.ts';

export interface NotifyDeps {
  readonly incidents: IncidentRepository;
  readonly chat: Chat;
  readonly channel: string;
  readonly clock: Clock;
  /** A claim to post the card that is older than this is taken over (the claimer crashed). */
  readonly claimStaleAfterMs: number;
}

export class CardBeingPosted extends Error {
  constructor(incidentId: string) {
    super(`the card for ${incidentId} is being posted by another worker; retrying later`);
    this.name = 'CardBeingPosted';
  }
}

/** Characters per thread reply: Slack truncates text past 40,000 and advises staying under 4,000. */
export const THREAD_REPLY_CHARS = 3500;

/** The thread replies for new timeline entries: one line each, as few replies as the size allows. */
export function threadReplies(lines: readonly string[], maxChars = THREAD_REPLY_CHARS): string[] {
  const replies: string[] = [];
  let current = '';
  for (const line of lines) {
    const entry = line.length > maxChars ? `${line.slice(0, maxChars - 1)}…` : line;
    if (current && current.length + 1 + entry.length > maxChars) {
      replies.push(current);
      current = '';
    }
    current = current ? `${current}\n${entry}` : entry;
  }
  if (current) replies.push(current);
  return replies;
}

async function waitForCard(incidentId: string, deps: NotifyDeps): Promise<Incident> {
  for (let attempt = 0; ; attempt += 1) {
    const incident = await deps.incidents.get(incidentId);
    if (!incident) throw new Error(`incident ${incidentId} does not exist`);
    if (incident.slack || attempt >= 10) return incident;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** `current`: the incident as just read by the caller (saves a read); read here when absent. */
export async function syncCard(incidentId: string, deps: NotifyDeps, current?: Incident): Promise<void> {
  let incident = current ?? (await deps.incidents.get(incidentId));
  if (!incident) throw new Error(`incident ${incidentId} does not exist`);
  const card = renderCard(incident);
  if (!incident.slack) {
    if (await deps.incidents.claimSlackCard(incidentId, deps.clock.now(), deps.claimStaleAfterMs)) {
      const posted = await deps.chat.post({ channel: deps.channel, text: card.text, blocks: card.blocks });
      await deps.incidents.saveSlackCard(incidentId, posted);
      incident = { ...incident, slack: { ...posted, threadCursor: 0 } };
    } else {
      // Another worker is posting the card: wait for it, then bring it up to date.
      incident = await waitForCard(incidentId, deps);
      if (!incident.slack) throw new CardBeingPosted(incidentId);
      const latest = renderCard(incident);
      await deps.chat.update({
        channel: incident.slack.channel,
        ts: incident.slack.ts,
        text: latest.text,
        blocks: latest.blocks,
      });
    }
  } else {
    await deps.chat.update({
      channel: incident.slack.channel,
      ts: incident.slack.ts,
      text: card.text,
      blocks: card.blocks,
    });
  }
  const slack = incident.slack;
  if (!slack) return;
  // In the order written: the cursor counts what was posted, so the list may only grow at its end.
  const timeline = await deps.incidents.timeline(incidentId, 'written');
  if (timeline.length <= slack.threadCursor) return;
  // Claim the entries first, so two workers never post the same ones.
  if (!(await deps.incidents.advanceSlackThread(incidentId, slack.threadCursor, timeline.length))) return;
  for (const text of threadReplies(timeline.slice(slack.threadCursor).map(renderTimelineEntry))) {
    await deps.chat.post({ channel: slack.channel, threadTs: slack.ts, text, blocks: [] });
  }
}
