/**
 * CloudWatch Logs stand-in (JSON 1.1, `Logs_20140328.*`): log groups, streams and events per account
 * and Region; DescribeLogGroups (prefix, ≤ 50 per page) and FilterLogEvents with term filter
 * patterns (`"quoted phrase"`, bare terms — all must match — `?term` alternatives, `-term`
 * exclusions; JSON, space-delimited and regex patterns are refused as unsupported here).
 *
 * Like the service, FilterLogEvents searches a bounded slice of the group per call: a page may hold
 * few or no events and still carry a `nextToken`; callers loop until no token comes back.
 *
 * Seed: `POST /sandbox/aws/logs/seed`
 * `{ "account"?, "region"?, "logGroupName", "logStreamName"?, "events": [{ "message", "timestamp"? }] }`.
 */
import { randomBytes } from 'node:crypto';
import {
  AwsServiceError,
  PageTokens,
  createStandIn,
  intInput,
  jsonInternal,
  jsonRpc,
  jsonThrottling,
  scoped,
  seedFail,
  seedScope,
  seedString,
  seedTime,
  type AwsCaller,
  type AwsStandIn,
  type AwsStandInOptions,
} from './aws-json.ts';

export interface LogsStandInOptions extends AwsStandInOptions {
  /** Events one FilterLogEvents call looks at before answering with a `nextToken`. @default 500 */
  readonly scanPerCall?: number;
}

interface LogEvent {
  readonly stream: string;
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly message: string;
  readonly eventId: string;
}

interface LogGroup {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly creationTime: number;
  readonly events: LogEvent[];
}

interface Term {
  readonly text: string;
  readonly mode: 'all' | 'any' | 'none';
}

const invalidParameter = (message: string) => new AwsServiceError(400, 'InvalidParameterException', message);

/** Parses a term filter pattern; throws InvalidParameterException on what the stand-in does not support. */
export function parseFilterPattern(pattern: string): Term[] {
  const text = pattern.trim();
  if (text === '') return [];
  if (/^[{[%]/.test(text))
    throw invalidParameter(
      'Invalid filter pattern: the sandbox supports term patterns only (no JSON, [..] or %regex%)',
    );
  const terms: Term[] = [];
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ') i++;
    if (i >= text.length) break;
    let mode: Term['mode'] = 'all';
    if (text[i] === '?' || text[i] === '-') {
      mode = text[i] === '?' ? 'any' : 'none';
      i++;
    }
    let term = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw invalidParameter('Invalid filter pattern: unterminated quoted term');
        const c = text[i]!;
        if (c === '\\' && i + 1 < text.length) {
          term += text[i + 1];
          i += 2;
          continue;
        }
        if (c === '"') {
          i++;
          break;
        }
        term += c;
        i++;
      }
    } else {
      while (i < text.length && text[i] !== ' ') term += text[i++];
    }
    if (term === '') throw invalidParameter('Invalid filter pattern: empty term');
    terms.push({ text: term, mode });
  }
  return terms;
}

/** Case-sensitive: every plain term, at least one `?` term (when any), no `-` term. */
export function matchesTerms(message: string, terms: readonly Term[]): boolean {
  const any = terms.filter((t) => t.mode === 'any');
  return (
    terms.every((t) => (t.mode === 'all' ? message.includes(t.text) : true)) &&
    terms.every((t) => (t.mode === 'none' ? !message.includes(t.text) : true)) &&
    (any.length === 0 || any.some((t) => message.includes(t.text)))
  );
}

export function createLogsStandIn(options: LogsStandInOptions = {}): AwsStandIn {
  const groups = new Map<string, LogGroup>();
  const scan = options.scanPerCall ?? 500;
  const tokens = new PageTokens(() => invalidParameter('The specified nextToken is not valid.'));
  let sequence = 0;

  const arnOf = (g: LogGroup) => `arn:aws:logs:${g.region}:${g.account}:log-group:${g.name}`;

  function groupFor(input: Record<string, unknown>, caller: AwsCaller): LogGroup {
    const { logGroupName: name, logGroupIdentifier: identifier } = input;
    if (name !== undefined && identifier !== undefined)
      throw invalidParameter('LogGroupName and LogGroupIdentifier are mutually exclusive.');
    const given = name ?? identifier;
    if (typeof given !== 'string' || given === '')
      throw invalidParameter('Either LogGroupName or LogGroupIdentifier must be specified.');
    let groupName = given;
    const arn = /^arn:aws:logs:([^:]+):(\d{12}):log-group:(.+?)(?::\*)?$/.exec(groupName);
    if (arn) {
      if (arn[1] !== caller.region || arn[2] !== caller.account)
        throw new AwsServiceError(
          400,
          'ResourceNotFoundException',
          'The specified log group does not exist.',
        );
      groupName = arn[3]!;
    }
    const group = groups.get(scoped(caller, groupName));
    if (!group)
      throw new AwsServiceError(400, 'ResourceNotFoundException', 'The specified log group does not exist.');
    return group;
  }

  const describeLogGroups = (input: Record<string, unknown>, caller: AwsCaller) => {
    const limit = intInput(input.limit, 'limit', { min: 1, max: 50, fallback: 50 }, invalidParameter);
    const prefix = typeof input.logGroupNamePrefix === 'string' ? input.logGroupNamePrefix : '';
    const query = { prefix, caller };
    const offset = tokens.decode(input.nextToken, query);
    const all = [...groups.values()]
      .filter((g) => g.account === caller.account && g.region === caller.region && g.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    return {
      logGroups: all.slice(offset, offset + limit).map((g) => ({
        logGroupName: g.name,
        creationTime: g.creationTime,
        metricFilterCount: 0,
        arn: `${arnOf(g)}:*`,
        logGroupArn: arnOf(g),
        storedBytes: g.events.reduce((n, e) => n + Buffer.byteLength(e.message), 0),
        logGroupClass: 'STANDARD',
      })),
      ...(offset + limit < all.length ? { nextToken: tokens.encode(offset + limit, query) } : {}),
    };
  };

  const filterLogEvents = (input: Record<string, unknown>, caller: AwsCaller) => {
    const group = groupFor(input, caller);
    const limit = intInput(input.limit, 'limit', { min: 1, max: 10_000, fallback: 10_000 }, invalidParameter);
    const pattern = typeof input.filterPattern === 'string' ? input.filterPattern : '';
    if (pattern.length > 1024) throw invalidParameter('filterPattern is longer than 1024 characters');
    const terms = parseFilterPattern(pattern);
    const streams = Array.isArray(input.logStreamNames)
      ? (input.logStreamNames as unknown[]).map(String)
      : undefined;
    const start = typeof input.startTime === 'number' ? input.startTime : 0;
    const end = typeof input.endTime === 'number' ? input.endTime : Number.MAX_SAFE_INTEGER;
    if (start > end) throw invalidParameter('startTime must be before endTime');
    const query = { group: group.name, pattern, streams: streams ?? null, start, end, caller };
    const offset = tokens.decode(input.nextToken, query);
    const inRange = group.events.filter(
      (e) => e.timestamp >= start && e.timestamp <= end && (!streams || streams.includes(e.stream)),
    );
    const found: LogEvent[] = [];
    let at = offset;
    while (at < inRange.length && at - offset < scan && found.length < limit) {
      const event = inRange[at++]!;
      if (matchesTerms(event.message, terms)) found.push(event);
    }
    return {
      events: found.map((e) => ({
        logStreamName: e.stream,
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.ingestionTime,
        eventId: e.eventId,
      })),
      searchedLogStreams: [],
      ...(at < inRange.length ? { nextToken: tokens.encode(at, query) } : {}),
    };
  };

  function seed(body: Record<string, unknown>, at: Date) {
    const scope = seedScope(body);
    const name = seedString(body, 'logGroupName')!;
    if (!/^[.\-_/#A-Za-z0-9]{1,512}$/.test(name)) seedFail('"logGroupName" is not a valid log group name');
    const stream = seedString(body, 'logStreamName', false) ?? 'sandbox-stream';
    if (!Array.isArray(body.events)) seedFail('"events" must be an array');
    const key = scoped(scope, name);
    const group = groups.get(key) ?? { ...scope, name, creationTime: at.getTime(), events: [] };
    groups.set(key, group);
    const added = (body.events as unknown[]).map((raw, i) => {
      if (typeof raw !== 'object' || raw === null) seedFail(`events[${i}] must be an object`);
      const e = raw as Record<string, unknown>;
      if (typeof e.message !== 'string' || e.message === '')
        seedFail(`events[${i}].message must be a non-empty string`);
      return {
        stream,
        timestamp: seedTime(e.timestamp, `events[${i}].timestamp`, at).getTime(),
        ingestionTime: at.getTime(),
        message: e.message,
        eventId: `${String(sequence++).padStart(20, '0')}${randomBytes(8).toString('hex')}`,
      };
    });
    group.events.push(...added);
    group.events.sort((a, b) => a.timestamp - b.timestamp || (a.eventId < b.eventId ? -1 : 1));
    return { logGroupName: name, logStreamName: stream, seeded: added.length };
  }

  return createStandIn(
    {
      service: 'logs',
      prefix: '/sandbox/aws/logs',
      faults: {
        throttling: jsonThrottling,
        internal: (status) =>
          status === 503
            ? new AwsServiceError(
                503,
                'ServiceUnavailableException',
                'The service cannot complete the request.',
              )
            : jsonInternal(status),
      },
      ...jsonRpc('Logs_20140328', { DescribeLogGroups: describeLogGroups, FilterLogEvents: filterLogEvents }),
      seed,
    },
    options,
  );
}
