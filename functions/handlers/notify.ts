/** Notifications consumer: keeps each incident's Slack card (or, locally, console card) current. */
import type { SQSRecord } from 'aws-lambda';
import { parseIncidentJob } from '../domain/jobs.ts';
import { syncCard } from '../domain/notifications/sync-card.ts';
import type { Chat } from '../domain/ports.ts';
import { getSecret, hasSecret } from '../adapters/secrets/secret-source.ts';
import { ConsoleChat } from '../adapters/slack/console-chat.ts';
import { SlackChat, slackWebClient } from '../adapters/slack/slack-chat.ts';
import { ENV } from '../shared/resources.ts';
import { requireEnv } from './common/env.ts';
import { sqsHandler } from './common/sqs.ts';
import { clock, incidentStore } from './common/wiring.ts';

const incidents = incidentStore();
const channel = requireEnv([ENV.slackChannel])[ENV.slackChannel];
let chat: Chat | undefined;

async function chatPort(): Promise<Chat> {
  if (!chat) {
    chat = hasSecret('slackBotToken')
      ? new SlackChat(slackWebClient(await getSecret('slackBotToken'), process.env[ENV.slackApiUrl]))
      : new ConsoleChat();
  }
  return chat;
}

export const handler = sqsHandler(async (record: SQSRecord) => {
  const { incidentId } = parseIncidentJob(record.body);
  await syncCard(incidentId, {
    incidents,
    chat: await chatPort(),
    channel,
    clock,
    claimStaleAfterMs: 60_000,
  });
});
