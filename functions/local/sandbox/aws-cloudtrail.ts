/**
 * CloudTrail stand-in (JSON 1.1, `CloudTrail_20131101.LookupEvents`): management events per account
 * and Region, looked up by one attribute, newest first, at most 50 per page with `NextToken`, and
 * LookupEvents' limit of 2 requests per second per account per Region (ThrottlingException beyond).
 *
 * Seed: `POST /sandbox/aws/cloudtrail/seed`
 * `{ "account"?, "region"?, "events": [{ "accessKeyId", "eventName", "eventSource", "eventTime"?,
 *    "sourceIPAddress"?, "userAgent"?, "username"?, "readOnly"? }] }`.
 */
import { randomUUID } from 'node:crypto';
import {
  AwsServiceError,
  BucketLimiter,
  PageTokens,
  createStandIn,
  epochSeconds,
  intInput,
  jsonInternal,
  jsonRpc,
  jsonThrottling,
  seedFail,
  seedScope,
  seedString,
  seedTime,
  type AwsStandIn,
  type AwsStandInOptions,
} from './aws-json.ts';

export interface CloudTrailStandInOptions extends AwsStandInOptions {
  /** LookupEvents calls per second per account and Region; 0 disables the limit. @default 2 */
  readonly lookupsPerSecond?: number;
}

interface TrailEvent {
  readonly account: string;
  readonly region: string;
  readonly id: string;
  readonly time: Date;
  readonly name: string;
  readonly source: string;
  readonly accessKeyId: string;
  readonly username: string;
  readonly readOnly: boolean;
  readonly sourceIp: string;
  readonly userAgent: string;
}

const ATTRIBUTES: Record<string, (e: TrailEvent) => string> = {
  EventId: (e) => e.id,
  EventName: (e) => e.name,
  ReadOnly: (e) => String(e.readOnly),
  Username: (e) => e.username,
  EventSource: (e) => e.source,
  AccessKeyId: (e) => e.accessKeyId,
};
const NINETY_DAYS_MS = 90 * 24 * 3600_000;

export interface CloudTrailStandIn extends AwsStandIn {
  /** How many LookupEvents calls were refused for exceeding the rate limit. */
  throttled(): number;
}

export function createCloudTrailStandIn(options: CloudTrailStandInOptions = {}): CloudTrailStandIn {
  const now = options.now ?? (() => new Date());
  const events: TrailEvent[] = [];
  const rate = options.lookupsPerSecond ?? 2;
  const limiter = rate > 0 ? new BucketLimiter(rate, rate) : undefined;
  const invalid = (type: string, message: string) => new AwsServiceError(400, type, message);
  const tokens = new PageTokens(() => invalid('InvalidNextTokenException', 'Invalid next token.'));
  let throttled = 0;

  const lookupEvents = (input: Record<string, unknown>, caller: { account: string; region: string }) => {
    if (limiter && !limiter.take(`${caller.account}:${caller.region}`, now().getTime())) {
      throttled++;
      throw jsonThrottling();
    }
    const attributes = input.LookupAttributes;
    if (attributes !== undefined && !Array.isArray(attributes))
      throw invalid('InvalidLookupAttributesException', 'LookupAttributes must be a list');
    const list = (attributes ?? []) as { AttributeKey?: unknown; AttributeValue?: unknown }[];
    if (list.length > 1)
      throw invalid('InvalidLookupAttributesException', 'You cannot specify more than one lookup attribute.');
    const attribute = list[0];
    const pick = attribute ? ATTRIBUTES[String(attribute.AttributeKey)] : undefined;
    if (attribute && (!pick || typeof attribute.AttributeValue !== 'string' || !attribute.AttributeValue))
      throw invalid('InvalidLookupAttributesException', 'The lookup attribute key or value is not valid.');
    const max = intInput(input.MaxResults, 'MaxResults', { min: 1, max: 50, fallback: 50 }, (m) =>
      invalid('InvalidMaxResultsException', m),
    );
    const end = typeof input.EndTime === 'number' ? input.EndTime * 1000 : now().getTime();
    const start =
      typeof input.StartTime === 'number' ? input.StartTime * 1000 : now().getTime() - NINETY_DAYS_MS;
    if (start > end) throw invalid('InvalidTimeRangeException', 'Start time must be before end time.');
    const query = { a: attribute ?? null, s: input.StartTime ?? null, e: input.EndTime ?? null, c: caller };
    const offset = tokens.decode(input.NextToken, query);
    const matching = events
      .filter(
        (e) =>
          e.account === caller.account &&
          e.region === caller.region &&
          e.time.getTime() >= start &&
          e.time.getTime() <= end &&
          (!attribute || pick!(e) === attribute.AttributeValue),
      )
      .sort((a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? -1 : 1));
    const page = matching.slice(offset, offset + max);
    return {
      Events: page.map((e) => ({
        EventId: e.id,
        EventName: e.name,
        ReadOnly: String(e.readOnly),
        AccessKeyId: e.accessKeyId,
        EventTime: epochSeconds(e.time),
        EventSource: e.source,
        Username: e.username,
        Resources: [],
        CloudTrailEvent: JSON.stringify(record(e)),
      })),
      ...(offset + max < matching.length ? { NextToken: tokens.encode(offset + max, query) } : {}),
    };
  };

  function record(e: TrailEvent) {
    return {
      eventVersion: '1.09',
      userIdentity: {
        type: 'IAMUser',
        principalId: `AIDA${e.accessKeyId.slice(4, 20)}`,
        arn: `arn:aws:iam::${e.account}:user/${e.username}`,
        accountId: e.account,
        accessKeyId: e.accessKeyId,
        userName: e.username,
      },
      eventTime: e.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      eventSource: e.source,
      eventName: e.name,
      awsRegion: e.region,
      sourceIPAddress: e.sourceIp,
      userAgent: e.userAgent,
      requestParameters: null,
      responseElements: null,
      requestID: randomUUID(),
      eventID: e.id,
      readOnly: e.readOnly,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: e.account,
      eventCategory: 'Management',
    };
  }

  function seed(body: Record<string, unknown>, at: Date) {
    const scope = seedScope(body);
    if (!Array.isArray(body.events) || body.events.length === 0)
      seedFail('"events" must be a non-empty array');
    const added = (body.events as unknown[]).map((raw, i) => {
      if (typeof raw !== 'object' || raw === null) seedFail(`events[${i}] must be an object`);
      const e = raw as Record<string, unknown>;
      const source = seedString(e, 'eventSource')!;
      if (!/^[a-z0-9-]+\.amazonaws\.com$/.test(source))
        seedFail(`events[${i}].eventSource must look like s3.amazonaws.com`);
      const event: TrailEvent = {
        ...scope,
        id: randomUUID(),
        time: seedTime(e.eventTime, `events[${i}].eventTime`, at),
        name: seedString(e, 'eventName')!,
        source,
        accessKeyId: seedString(e, 'accessKeyId')!,
        username: seedString(e, 'username', false) ?? 'sandbox-user',
        readOnly: e.readOnly === true,
        sourceIp: seedString(e, 'sourceIPAddress', false) ?? '198.51.100.7',
        userAgent: seedString(e, 'userAgent', false) ?? 'aws-cli/2.17.0',
      };
      return event;
    });
    events.push(...added);
    return { seeded: added.length, eventIds: added.map((e) => e.id) };
  }

  const standIn = createStandIn(
    {
      service: 'cloudtrail',
      prefix: '/sandbox/aws/cloudtrail',
      faults: { throttling: jsonThrottling, internal: jsonInternal },
      ...jsonRpc('CloudTrail_20131101', { LookupEvents: lookupEvents }),
      seed,
    },
    options,
  );
  return { ...standIn, throttled: () => throttled };
}
