/**
 * The Slack stand-in of the local sandbox: Web API methods under `/sandbox/slack/api/{method}` that
 * answer like Slack (HTTP 200, `{ ok: true, … }` or `{ ok: false, error }`), so `@slack/web-api`'s
 * `WebClient` with `slackApiUrl` pointed here runs unchanged; plus `GET /sandbox/slack/messages`
 * to inspect what was posted and updated.
 *
 * `WebClient` v8 POSTs `application/x-www-form-urlencoded` bodies with objects (`blocks`,
 * `attachments`, `metadata`) JSON-encoded as strings and the token in `Authorization: Bearer`;
 * JSON bodies and a `token` field are accepted too, as Slack does. Tokens are never recorded.
 */
import { createHash, randomBytes } from 'node:crypto';
import { json, type HttpRequest, type HttpResponse } from '../http.ts';
import { applyFault, type FaultInjector } from './faults.ts';

export interface SlackIdentity {
  readonly url: string;
  readonly team: string;
  readonly user: string;
  readonly team_id: string;
  readonly user_id: string;
  readonly bot_id?: string;
  readonly is_enterprise_install: boolean;
}

/** What a token registry knows about a token; `undefined` = unknown (→ `invalid_auth`). */
export type SlackTokenState =
  | { readonly status: 'active'; readonly identity: SlackIdentity; readonly scopes?: readonly string[] }
  | { readonly status: 'revoked' }
  | undefined;

export interface SlackChannel {
  readonly id: string;
  readonly name: string;
}

export interface SlackSandboxOptions {
  readonly now?: () => Date;
  /**
   * Consulted first for every token (e.g. a registry of planted, live-or-revoked tokens); when it
   * returns `undefined` the default applies: any `xoxb-sandbox…` token is the leakstop bot.
   */
  readonly tokens?: (token: string) => SlackTokenState;
  /** When given, only these channels exist. @default any well-formed channel id or name exists */
  readonly channels?: readonly SlackChannel[];
  /**
   * `auth.revoke` with a token the registry knows: counts the call and kills the token. Answers
   * whether it was live; `undefined` for a token the registry does not know.
   */
  readonly revokeToken?: (token: string) => 'revoked' | 'already_revoked' | undefined;
  /** Faults for service `slack`, applied to auth.test and auth.revoke (the calls made with leaked tokens). */
  readonly faults?: FaultInjector;
}

export interface SlackMessageVersion {
  readonly text: string;
  readonly blocks: unknown[] | undefined;
  readonly attachments: unknown[] | undefined;
  /** When this version was replaced. */
  readonly replaced_at: string;
}

export interface SlackMessage {
  readonly channel: string;
  readonly ts: string;
  readonly thread_ts?: string;
  text: string;
  blocks: unknown[] | undefined;
  attachments: unknown[] | undefined;
  metadata: unknown;
  readonly user: string;
  updates: number;
  reply_count: number;
  /** Previous versions, oldest first. */
  readonly history: SlackMessageVersion[];
}

export interface SlackApiCall {
  readonly method: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly at: string;
}

export interface SlackSandbox {
  handle(req: HttpRequest): Promise<HttpResponse | undefined>;
  /** Posted messages (thread replies included), in posting order. */
  messages(): readonly SlackMessage[];
  /** Every Web API call with its outcome, oldest first. */
  calls(): readonly SlackApiCall[];
}

const PREFIX = '/sandbox/slack';
export const SANDBOX_BOT: SlackIdentity = {
  url: 'https://leakstop-sandbox.slack.com/',
  team: 'leakstop sandbox',
  user: 'leakstop',
  team_id: 'T0SANDBOX01',
  user_id: 'U0LEAKSTOP1',
  bot_id: 'B0LEAKSTOP1',
  is_enterprise_install: false,
};
const APP_ID = 'A0LEAKSTOP1';
/** Methods may return response headers under this key (e.g. x-oauth-scopes). */
const RESPONSE_HEADERS = Symbol('headers');
const FAULTED_METHODS = new Set(['auth.test', 'auth.revoke']);
const MAX_TEXT = 40_000;

class SlackError extends Error {
  constructor(
    readonly code: string,
    readonly messages: string[] = [],
  ) {
    super(code);
  }
}

type Params = Record<string, unknown>;

function parseParams(req: HttpRequest): Params {
  const params: Params = Object.fromEntries(req.query.entries());
  if (req.body.length === 0) return params;
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) {
    let body: unknown;
    try {
      body = JSON.parse(req.body);
    } catch {
      throw new SlackError('invalid_json');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new SlackError('invalid_json');
    return { ...params, ...(body as Params) };
  }
  if (type.includes('multipart/form-data')) throw new SlackError('invalid_form_data');
  return { ...params, ...Object.fromEntries(new URLSearchParams(req.body).entries()) };
}

/** Form posts carry objects as JSON strings; JSON posts carry them as-is. */
function structured(params: Params, name: string, error: string): unknown[] | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new SlackError(error, [`[ERROR] ${name} must be a JSON-encoded array`]);
    }
  }
  if (!Array.isArray(parsed)) throw new SlackError(error, [`[ERROR] ${name} must be an array`]);
  return parsed;
}

/** A light version of Slack's Block Kit checks, enough to catch cards Slack would reject. */
function validateBlocks(blocks: unknown[]): void {
  const problems: string[] = [];
  const limit = (value: unknown, max: number, pointer: string) => {
    if (typeof value === 'string' && value.length > max) {
      problems.push(`[ERROR] must be less than ${max + 1} characters [json-pointer:${pointer}]`);
    }
  };
  if (blocks.length > 50) problems.push('[ERROR] no more than 50 items allowed [json-pointer:/blocks]');
  blocks.forEach((raw, i) => {
    const block = raw as {
      type?: unknown;
      block_id?: unknown;
      text?: { text?: unknown };
      elements?: unknown;
    } | null;
    const at = `/blocks/${i}`;
    if (typeof block !== 'object' || block === null || typeof block.type !== 'string') {
      problems.push(`[ERROR] missing required field: type [json-pointer:${at}]`);
      return;
    }
    limit(block.block_id, 255, `${at}/block_id`);
    if (block.type === 'section') limit(block.text?.text, 3000, `${at}/text/text`);
    if (block.type === 'header') limit(block.text?.text, 150, `${at}/text/text`);
    if (block.type === 'actions') {
      if (!Array.isArray(block.elements) || block.elements.length === 0) {
        problems.push(`[ERROR] missing required field: elements [json-pointer:${at}/elements]`);
        return;
      }
      if (block.elements.length > 25)
        problems.push(`[ERROR] no more than 25 items allowed [json-pointer:${at}/elements]`);
      block.elements.forEach((element: unknown, j: number) => {
        const el = element as {
          type?: unknown;
          text?: { text?: unknown };
          action_id?: unknown;
          value?: unknown;
          url?: unknown;
        };
        const ep = `${at}/elements/${j}`;
        if (el?.type !== 'button') return;
        limit(el.text?.text, 75, `${ep}/text/text`);
        limit(el.action_id, 255, `${ep}/action_id`);
        limit(el.value, 2000, `${ep}/value`);
        limit(el.url, 3000, `${ep}/url`);
      });
    }
  });
  if (problems.length > 0) throw new SlackError('invalid_blocks', problems);
}

export function createSlackSandbox(options: SlackSandboxOptions = {}): SlackSandbox {
  const now = options.now ?? (() => new Date());
  const store: SlackMessage[] = [];
  const callLog: SlackApiCall[] = [];
  const channels = new Map<string, SlackChannel>((options.channels ?? []).map((c) => [c.id, c]));
  let lastMicros = 0;

  /** Unique, increasing `seconds.micros` timestamps derived from the clock. */
  function nextTs(): string {
    lastMicros = Math.max(now().getTime() * 1000, lastMicros) + 100;
    const seconds = Math.floor(lastMicros / 1_000_000);
    return `${seconds}.${String(lastMicros % 1_000_000).padStart(6, '0')}`;
  }

  function tokenOf(req: HttpRequest, params: Params): string {
    const header = req.headers.authorization ?? '';
    const token = header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : params.token;
    if (typeof token !== 'string' || token.length === 0) throw new SlackError('not_authed');
    return token;
  }

  function tokenState(token: string): SlackTokenState {
    return (
      options.tokens?.(token) ??
      (token.startsWith('xoxb-sandbox') ? { status: 'active', identity: SANDBOX_BOT } : undefined)
    );
  }

  function authenticate(req: HttpRequest, params: Params): SlackIdentity {
    const state = tokenState(tokenOf(req, params));
    if (state === undefined) throw new SlackError('invalid_auth');
    if (state.status === 'revoked') throw new SlackError('token_revoked');
    return state.identity;
  }

  function channelOf(params: Params): SlackChannel {
    const value = params.channel;
    if (typeof value !== 'string' || value.length === 0) throw new SlackError('channel_not_found');
    const name = value.startsWith('#') ? value.slice(1) : value;
    const known = channels.get(value) ?? [...channels.values()].find((c) => c.name === name);
    if (known) return known;
    if (options.channels) throw new SlackError('channel_not_found');
    let channel: SlackChannel | undefined;
    if (/^[CGD][A-Z0-9]{6,}$/.test(value)) channel = { id: value, name: `channel-${value.toLowerCase()}` };
    else if (/^[a-z0-9][a-z0-9._-]{0,79}$/.test(name)) {
      const id = `C${createHash('sha1').update(name).digest('hex').slice(0, 10).toUpperCase()}`;
      channel = { id, name };
    }
    if (!channel) throw new SlackError('channel_not_found');
    channels.set(channel.id, channel);
    return channel;
  }

  function content(params: Params) {
    const text = typeof params.text === 'string' ? params.text : '';
    const blocks = structured(params, 'blocks', 'invalid_blocks_format');
    const attachments = structured(params, 'attachments', 'invalid_attachments');
    if (text === '' && !blocks?.length && !attachments?.length) throw new SlackError('no_text');
    if (text.length > MAX_TEXT) throw new SlackError('msg_too_long');
    if (blocks) validateBlocks(blocks);
    let metadata: unknown;
    if (typeof params.metadata === 'string' && params.metadata !== '') {
      try {
        metadata = JSON.parse(params.metadata);
      } catch {
        throw new SlackError('invalid_metadata_format');
      }
    } else metadata = params.metadata;
    return { text, blocks, attachments, metadata };
  }

  function messageObject(message: SlackMessage, identity: SlackIdentity) {
    return {
      user: message.user,
      type: 'message',
      ts: message.ts,
      ...(identity.bot_id ? { bot_id: identity.bot_id, app_id: APP_ID } : {}),
      text: message.text,
      team: identity.team_id,
      ...(identity.bot_id
        ? {
            bot_profile: {
              id: identity.bot_id,
              app_id: APP_ID,
              name: identity.user,
              deleted: false,
              team_id: identity.team_id,
            },
          }
        : {}),
      ...(message.blocks ? { blocks: message.blocks } : {}),
      ...(message.attachments ? { attachments: message.attachments } : {}),
      ...(message.thread_ts ? { thread_ts: message.thread_ts, parent_user_id: message.user } : {}),
      ...(message.updates > 0 ? { edited: { user: message.user, ts: editedTs(message) } } : {}),
    };
  }

  const editTs = new Map<SlackMessage, string>();
  const editedTs = (message: SlackMessage): string => editTs.get(message) ?? message.ts;

  const methods: Record<string, (req: HttpRequest, params: Params) => Record<string, unknown>> = {
    'auth.test': (req, params) => {
      const identity = authenticate(req, params);
      const state = tokenState(tokenOf(req, params));
      const scopes = state?.status === 'active' ? state.scopes : undefined;
      return {
        ...identity,
        ...(scopes ? { [RESPONSE_HEADERS]: { 'x-oauth-scopes': scopes.join(',') } } : {}),
      };
    },

    'auth.revoke': (req, params) => {
      const token = tokenOf(req, params);
      authenticate(req, params);
      if (params.test === 'true' || params.test === '1') return { revoked: false };
      const outcome = options.revokeToken?.(token);
      if (outcome === 'already_revoked') throw new SlackError('token_revoked');
      return { revoked: outcome === 'revoked' };
    },

    'chat.postMessage': (req, params) => {
      const identity = authenticate(req, params);
      const channel = channelOf(params);
      const body = content(params);
      const threadTs =
        typeof params.thread_ts === 'string' && params.thread_ts !== '' ? params.thread_ts : undefined;
      if (threadTs !== undefined) {
        const parent = store.find((m) => m.channel === channel.id && m.ts === threadTs);
        if (parent) parent.reply_count++;
      }
      const message: SlackMessage = {
        channel: channel.id,
        ts: nextTs(),
        ...(threadTs !== undefined ? { thread_ts: threadTs } : {}),
        ...body,
        user: identity.user_id,
        updates: 0,
        reply_count: 0,
        history: [],
      };
      store.push(message);
      return { channel: channel.id, ts: message.ts, message: messageObject(message, identity) };
    },

    'chat.update': (req, params) => {
      const identity = authenticate(req, params);
      const channel = channelOf(params);
      if (typeof params.ts !== 'string' || params.ts === '')
        throw new SlackError('invalid_arguments', ['[ERROR] missing required field: ts']);
      const message = store.find((m) => m.channel === channel.id && m.ts === params.ts);
      if (!message) throw new SlackError('message_not_found');
      if (message.user !== identity.user_id) throw new SlackError('cant_update_message');
      const body = content(params);
      message.history.push({
        text: message.text,
        blocks: message.blocks,
        attachments: message.attachments,
        replaced_at: now().toISOString(),
      });
      message.text = body.text;
      // As on Slack, omitting blocks/attachments in an update keeps the old ones.
      if (body.blocks !== undefined) message.blocks = body.blocks;
      if (body.attachments !== undefined) message.attachments = body.attachments;
      if (body.metadata !== undefined) message.metadata = body.metadata;
      message.updates++;
      editTs.set(message, nextTs());
      return {
        channel: channel.id,
        ts: message.ts,
        text: message.text,
        message: messageObject(message, identity),
      };
    },

    'conversations.info': (req, params) => {
      authenticate(req, params);
      const channel = channelOf(params);
      return {
        channel: {
          id: channel.id,
          name: channel.name,
          is_channel: channel.id.startsWith('C'),
          is_group: channel.id.startsWith('G'),
          is_im: channel.id.startsWith('D'),
          is_private: !channel.id.startsWith('C'),
          is_archived: false,
          is_member: true,
          created: 1_700_000_000,
        },
      };
    },
  };

  async function handle(req: HttpRequest): Promise<HttpResponse | undefined> {
    if (req.path !== PREFIX && !req.path.startsWith(`${PREFIX}/`)) return undefined;
    const rest = req.path.slice(PREFIX.length);
    const method = req.method.toUpperCase();

    if (rest === '/messages' && method === 'GET') {
      const channel = req.query.get('channel');
      return json(200, { messages: store.filter((m) => !channel || m.channel === channel) });
    }
    const match = /^\/api\/([A-Za-z0-9_.]+)$/.exec(rest);
    if (!match || (method !== 'POST' && method !== 'GET')) {
      return json(404, { ok: false, error: 'unknown_method' });
    }
    const apiMethod = match[1]!;
    const headers: Record<string, string> = { 'x-slack-req-id': randomBytes(16).toString('hex') };
    if (FAULTED_METHODS.has(apiMethod)) {
      const faulted = await applyFault(options.faults, 'slack', (status) =>
        json(status, { ok: false, error: status === 429 ? 'ratelimited' : 'internal_error' }, headers),
      );
      if (faulted) return faulted;
    }
    let result: Record<string, unknown>;
    try {
      const implementation = methods[apiMethod];
      if (!implementation) throw new SlackError('unknown_method');
      const answer = implementation(req, parseParams(req)) as Record<string | symbol, unknown>;
      Object.assign(headers, answer[RESPONSE_HEADERS] ?? {});
      delete answer[RESPONSE_HEADERS];
      result = { ok: true, ...answer };
    } catch (error) {
      if (!(error instanceof SlackError)) throw error;
      result = {
        ok: false,
        error: error.code,
        ...(error.messages.length > 0 ? { response_metadata: { messages: error.messages } } : {}),
      };
    }
    callLog.push({
      method: apiMethod,
      ok: result.ok === true,
      ...(typeof result.error === 'string' ? { error: result.error } : {}),
      at: now().toISOString(),
    });
    return json(200, result, headers);
  }

  return { handle, messages: () => [...store], calls: () => [...callLog] };
}
