/**
 * Notifications consumer: keeps each incident's Slack card (or, locally, console card) current and,
 * once the incident is contained, writes that back to GitHub (alerts resolved, check runs).
 *
 * Every message only says "this incident changed": the card is rendered from the state read when
 * the message is handled. Messages of one batch that name the same incident therefore share one
 * read and one sync (a containment sends several within a second), and share its outcome.
 */
import type { Context, SQSRecord } from 'aws-lambda';
import { parseIncidentJob, type IncidentJob } from '../domain/jobs.ts';
import { writeBackToGitHub } from '../domain/notifications/github-writeback.ts';
import { syncCard } from '../domain/notifications/sync-card.ts';
import type { Incident } from '../domain/incidents/incident.ts';
import type { Chat } from '../domain/ports.ts';
import { getSecret, hasSecret } from '../adapters/secrets/secret-source.ts';
import { ConsoleChat } from '../adapters/slack/console-chat.ts';
import { SlackChat, slackWebClient } from '../adapters/slack/slack-chat.ts';
import { ENV } from '../shared/resources.ts';
import { requireEnv } from './common/env.ts';
import { githubClient } from './common/github.ts';
import { writeBackClaims } from './common/intake-wiring.ts';
import { logger } from './common/logger.ts';
import { sqsHandler } from './common/sqs.ts';
import { clock, incidentStore } from './common/wiring.ts';

const incidents = incidentStore();
const channel = requireEnv([ENV.slackChannel])[ENV.slackChannel];
const claims = writeBackClaims();
let chat: Chat | undefined;

async function chatPort(): Promise<Chat> {
  if (!chat) {
    chat = hasSecret('slackBotToken')
      ? new SlackChat(slackWebClient(await getSecret('slackBotToken'), process.env[ENV.slackApiUrl]))
      : new ConsoleChat();
  }
  return chat;
}

async function writeBack(incidentId: string, incident: Incident): Promise<void> {
  const github = await githubClient();
  // Without the App there is no identity to write as: the card still says what happened.
  if (!github.app) return;
  const outcome = await writeBackToGitHub(
    incidentId,
    { incidents, github: github.client, claims, clock },
    incident,
  );
  if (outcome.alertsResolved + outcome.checkRuns + outcome.gone > 0)
    logger.info('written back to GitHub', { incidentId, ...outcome });
}

async function notify(incidentId: string, ifStatus?: IncidentJob['ifStatus']): Promise<void> {
  const incident = await incidents.get(incidentId);
  if (!incident) throw new Error(`incident ${incidentId} does not exist`);
  // The delayed "containing" notice of a containment that has ended since: its end notified already.
  if (ifStatus && incident.status !== ifStatus) return;
  // Slack and GitHub are independent: one failing must not hold the other back; either fails the record.
  const results = await Promise.allSettled([
    syncCard(
      incidentId,
      { incidents, chat: await chatPort(), channel, clock, claimStaleAfterMs: 60_000 },
      incident,
    ),
    writeBack(incidentId, incident),
  ]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** One sync per incident per invocation (its batch), shared by the batch's records for it. */
const syncs = new WeakMap<object, Map<string, Promise<void>>>();

export const handler = sqsHandler(async (record: SQSRecord, context?: Context) => {
  const { incidentId, ifStatus } = parseIncidentJob(record.body);
  if (!context) return notify(incidentId, ifStatus);
  let batch = syncs.get(context);
  if (!batch) syncs.set(context, (batch = new Map()));
  // A conditional notice may skip its sync: it never stands in for an unconditional one.
  const key = `${incidentId}${ifStatus ? `?${ifStatus}` : ''}`;
  let sync = batch.get(key);
  if (!sync) batch.set(key, (sync = notify(incidentId, ifStatus)));
  await sync;
});
