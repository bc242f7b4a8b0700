/**
 * Chat on Slack's Web API through @slack/web-api. The SDK's default retry policy runs for about
 * thirty minutes, far beyond a Lambda invocation: a short policy is set here, and a message that
 * still fails goes back to SQS to be retried there.
 */
import { WebClient, type Block, type KnownBlock } from '@slack/web-api';
import type { Chat, ChatMessage } from '../../domain/ports.ts';

export function slackWebClient(token: string, apiUrl?: string): WebClient {
  return new WebClient(token, {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2000 },
    timeout: 5000,
    rejectRateLimitedCalls: true,
  });
}

export class SlackChat implements Chat {
  constructor(private readonly client: WebClient) {}

  async post(message: ChatMessage): Promise<{ channel: string; ts: string }> {
    const result = await this.client.chat.postMessage({
      channel: message.channel,
      text: message.text,
      ...(message.blocks.length ? { blocks: message.blocks as unknown as (Block | KnownBlock)[] } : {}),
      ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
      unfurl_links: false,
      unfurl_media: false,
    });
    if (!result.ts || !result.channel)
      throw new Error('Slack accepted the message but returned no ts/channel');
    return { channel: result.channel, ts: result.ts };
  }

  async update(message: ChatMessage & { ts: string }): Promise<void> {
    await this.client.chat.update({
      channel: message.channel,
      ts: message.ts,
      text: message.text,
      blocks: message.blocks as unknown as (Block | KnownBlock)[],
    });
  }
}
