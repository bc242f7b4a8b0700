import { ErrorCode, WebClient, type WebAPIPlatformError } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSlackSandbox, type SlackSandbox } from '../../../functions/local/sandbox/slack.ts';
import { parse, request, serveHandler, type TestServer } from './helpers.ts';

const NOW = new Date('2024-11-22T08:00:00Z');
const BOT_TOKEN = 'xoxb-sandbox-bot';

let slack: SlackSandbox;
let server: TestServer;

function client(token = BOT_TOKEN): WebClient {
  return new WebClient(token, {
    slackApiUrl: `${server.url}/sandbox/slack/api/`,
    retryConfig: { retries: 0 },
  });
}

async function platformError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect((error as WebAPIPlatformError).code).toBe(ErrorCode.PlatformError);
    return (error as WebAPIPlatformError).data.error;
  }
  throw new Error('expected the call to fail');
}

const card = (state: string) => [
  { type: 'header', text: { type: 'plain_text', text: `Leaked AWS key — ${state}` } },
  {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: 'incident.acknowledge',
        value: 'inc_01',
        text: { type: 'plain_text', text: 'Acknowledge' },
      },
    ],
  },
];

beforeAll(async () => {
  server = await serveHandler((req) => slack.handle(req));
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  slack = createSlackSandbox({ now: () => NOW });
  server.received.length = 0;
});

describe('Slack sandbox through a real WebClient', () => {
  it('receives form-encoded calls with blocks as a JSON string and the token as a Bearer header', async () => {
    await client().chat.postMessage({ channel: 'C0ALERTS01', text: 'Leaked AWS key', blocks: card('open') });
    const sent = server.received[0]!;
    expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    expect(new URLSearchParams(sent.body).get('blocks')).toBe(JSON.stringify(card('open')));
  });

  it('posts a message and answers ok with channel, increasing ts and the message', async () => {
    const web = client();
    const first = await web.chat.postMessage({ channel: 'C0ALERTS01', text: 'one', blocks: card('open') });
    const second = await web.chat.postMessage({ channel: 'C0ALERTS01', text: 'two' });
    expect(first).toMatchObject({
      ok: true,
      channel: 'C0ALERTS01',
      ts: '1732262400.000100',
      message: { text: 'one', type: 'message', bot_id: 'B0LEAKSTOP1', blocks: card('open') },
    });
    expect(second.ts).toBe('1732262400.000200');
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
  });

  it('updates a message in place and keeps the previous version in its history', async () => {
    const web = client();
    const posted = await web.chat.postMessage({ channel: 'C0ALERTS01', text: 'open', blocks: card('open') });
    const updated = await web.chat.update({
      channel: 'C0ALERTS01',
      ts: posted.ts!,
      text: 'contained',
      blocks: card('contained'),
    });
    expect(updated).toMatchObject({ ok: true, channel: 'C0ALERTS01', ts: posted.ts, text: 'contained' });

    const { messages } = parse<{ messages: Record<string, unknown>[] }>(
      await slack.handle(request('GET', '/sandbox/slack/messages')),
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      channel: 'C0ALERTS01',
      ts: posted.ts,
      text: 'contained',
      blocks: card('contained'),
      updates: 1,
      history: [{ text: 'open', blocks: card('open') }],
    });
  });

  it('records thread replies with their parent ts', async () => {
    const web = client();
    const parent = await web.chat.postMessage({ channel: 'C0ALERTS01', text: 'card' });
    const reply = await web.chat.postMessage({
      channel: 'C0ALERTS01',
      text: 'revoked',
      thread_ts: parent.ts!,
    });
    expect(reply.message).toMatchObject({ thread_ts: parent.ts });
    const messages = slack.messages();
    expect(messages[1]).toMatchObject({ ts: reply.ts, thread_ts: parent.ts, text: 'revoked' });
    expect(messages[0]).toMatchObject({ reply_count: 1 });
    expect(messages[0]).not.toHaveProperty('thread_ts');
  });

  it('answers chat.update of an unknown ts with message_not_found', async () => {
    expect(
      await platformError(client().chat.update({ channel: 'C0ALERTS01', ts: '1.000001', text: 'x' })),
    ).toBe('message_not_found');
  });

  it('answers auth.test for the sandbox bot token and invalid_auth for other tokens', async () => {
    expect(await client().auth.test()).toMatchObject({
      ok: true,
      user_id: 'U0LEAKSTOP1',
      team_id: 'T0SANDBOX01',
      bot_id: 'B0LEAKSTOP1',
    });
    expect(await platformError(client('xoxb-1234-real-looking').auth.test())).toBe('invalid_auth');
  });

  it('answers not_authed when no token is sent', async () => {
    const res = await slack.handle(
      request('POST', '/sandbox/slack/api/chat.postMessage', 'channel=C0ALERTS01&text=hi', {
        'content-type': 'application/x-www-form-urlencoded',
      }),
    );
    expect(res?.status).toBe(200);
    expect(parse(res)).toEqual({ ok: false, error: 'not_authed' });
  });

  it('consults a token registry first, so a revoked token answers token_revoked', async () => {
    slack = createSlackSandbox({
      now: () => NOW,
      tokens: (token) => (token === 'xoxp-leaked' ? { status: 'revoked' } : undefined),
    });
    expect(await platformError(client('xoxp-leaked').auth.test())).toBe('token_revoked');
    expect((await client().auth.test()).ok).toBe(true);
  });

  it('answers channel_not_found for a channel outside a configured list', async () => {
    slack = createSlackSandbox({ now: () => NOW, channels: [{ id: 'C0ALERTS01', name: 'leakstop-alerts' }] });
    expect(await platformError(client().chat.postMessage({ channel: 'C0OTHER001', text: 'x' }))).toBe(
      'channel_not_found',
    );
    expect((await client().chat.postMessage({ channel: '#leakstop-alerts', text: 'x' })).channel).toBe(
      'C0ALERTS01',
    );
  });

  it('rejects a button Slack would reject with invalid_blocks', async () => {
    const blocks = [
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'x'.repeat(76) } }],
      },
    ];
    expect(await platformError(client().chat.postMessage({ channel: 'C0ALERTS01', text: 'x', blocks }))).toBe(
      'invalid_blocks',
    );
  });

  it('accepts JSON bodies too', async () => {
    const res = await slack.handle(
      request(
        'POST',
        '/sandbox/slack/api/chat.postMessage',
        { channel: 'C0ALERTS01', text: 'hi', blocks: card('open') },
        {
          'content-type': 'application/json; charset=utf-8',
          authorization: `Bearer ${BOT_TOKEN}`,
        },
      ),
    );
    expect(parse(res)).toMatchObject({ ok: true, message: { blocks: card('open') } });
  });

  it('returns undefined for paths outside /sandbox/slack/', async () => {
    expect(await slack.handle(request('POST', '/slack/interactions'))).toBeUndefined();
  });
});
