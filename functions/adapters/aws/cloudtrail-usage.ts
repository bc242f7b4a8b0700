/**
 * Usage lookup for AWS access keys: CloudTrail LookupEvents by AccessKeyId in the key's owning
 * account, across the configured Regions (LookupEvents is per Region and covers the last 90 days of
 * management events), paginated with NextToken at 50 events per page, within LookupEvents' limit of
 * 2 requests per second per account per Region, the deadline and a page budget per Region.
 */
import { CloudTrailClient, LookupEventsCommand, type Event } from '@aws-sdk/client-cloudtrail';
import { credentialParts, scrubberFor } from '../../domain/containment/copies.ts';
import type { TraceInput, TraceResult, Tracer } from '../../domain/containment/tracing.ts';
import { describeUsage, summariseUsage, type UsageEvent } from '../../domain/containment/usage.ts';
import type { Incident } from '../../domain/incidents/incident.ts';
import { awsRetry, awsScopes, isAwsKeyIncident, type AwsClients, type AwsScope } from './trace-calls.ts';
import {
  DEFAULT_PAGE_BUDGET,
  RateLimiter,
  eachPage,
  overScopes,
  realTiming,
  settle,
  type Timing,
} from '../tracing/calls.ts';

/** LookupEvents: 2 requests per second per account per Region (CloudTrail API reference). */
export const LOOKUP_EVENTS_PER_SECOND = 2;
const LOOKBACK_MS = 90 * 24 * 3600_000;

export interface CloudTrailUsageOptions {
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  readonly clients: AwsClients;
  /** The account that owns an access key (STS GetAccessKeyInfo); without it every configured account is searched. */
  readonly accountOf?: (accessKeyId: string) => Promise<string>;
  /** Pages per Region before the lookup stops and reports `truncated`. @default 40 (2,000 events) */
  readonly pageBudget?: number;
  /** Shared by every lookup this process makes, so concurrent incidents queue for the same slots. */
  readonly limiter?: RateLimiter;
  readonly timing?: Timing;
  /** Scopes searched at once. @default 6 */
  readonly concurrency?: number;
}

export class CloudTrailUsageTracer implements Tracer {
  readonly name = 'cloudtrail';
  readonly kind = 'usage';
  private readonly limiter: RateLimiter;
  private readonly timing: Timing;

  constructor(private readonly options: CloudTrailUsageOptions) {
    this.timing = options.timing ?? realTiming;
    this.limiter = options.limiter ?? new RateLimiter(LOOKUP_EVENTS_PER_SECOND, this.timing);
  }

  appliesTo(incident: Incident): boolean {
    return isAwsKeyIncident(incident);
  }

  async trace(input: TraceInput): Promise<TraceResult> {
    const parts = credentialParts(input.secret);
    const keyId =
      parts.accessKeyId ?? (/^(?:AKIA|ASIA)[A-Z2-7]{16}$/.test(parts.value) ? parts.value : undefined);
    if (!keyId) throw new Error('cloudtrail: the vaulted value holds no AWS access key id');
    const scrubber = scrubberFor(input.secret);

    const accounts = await this.accountsFor(keyId);
    if ('skip' in accounts) return { detail: accounts.skip };

    const now = this.timing.now();
    const window = { start: new Date(now - LOOKBACK_MS), end: new Date(now) };
    const budget = this.options.pageBudget ?? DEFAULT_PAGE_BUDGET;
    const scopes = awsScopes(accounts.list, this.options.regions);
    const outcomes = await overScopes<AwsScope, UsageEvent[]>(
      scopes,
      (s) => `${s.account}/${s.region}`,
      async (scope, partial) => {
        const client = this.options.clients.get(
          'cloudtrail',
          scope,
          (config) => new CloudTrailClient(config),
        );
        const events: UsageEvent[] = [];
        partial(events);
        const complete = await eachPage(
          budget,
          (token) =>
            // Retries take a slot too: a throttled call retried outside the limiter would breach it.
            awsRetry(
              async (abortSignal) => {
                await this.limiter.acquire(`${scope.account}:${scope.region}`, input.deadline);
                return client.send(
                  new LookupEventsCommand({
                    LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: keyId }],
                    StartTime: window.start,
                    EndTime: window.end,
                    MaxResults: 50,
                    ...(token ? { NextToken: token } : {}),
                  }),
                  { abortSignal },
                );
              },
              input.deadline,
              this.timing,
            ),
          (answer) => answer.NextToken,
          (answer) => {
            for (const event of answer.Events ?? []) events.push(usageEvent(event, scope.region));
          },
        );
        return { value: events, truncated: !complete };
      },
      { scrubber, ...(this.options.concurrency ? { concurrency: this.options.concurrency } : {}) },
    );
    const settled = settle(this.name, outcomes);
    const usage = summariseUsage(
      outcomes.flatMap((o) => o.value ?? []),
      { source: 'cloudtrail', truncated: settled.truncated },
    );
    const searched = `${accounts.list.length} account${accounts.list.length === 1 ? '' : 's'} × ${this.options.regions.length} region${this.options.regions.length === 1 ? '' : 's'} (${accounts.how})`;
    return scrubber.cleanDeep({
      detail: [describeUsage(usage), `searched ${searched}`, settled.note].filter(Boolean).join('; '),
      usage,
      ...(settled.truncated ? { truncated: true } : {}),
    });
  }

  private async accountsFor(
    keyId: string,
  ): Promise<{ list: readonly string[]; how: string } | { skip: string }> {
    const configured = this.options.accounts;
    if (!this.options.accountOf) return { list: configured, how: 'every configured account' };
    let owner: string;
    try {
      owner = await this.options.accountOf(keyId);
    } catch {
      // Without the owner, searching every account we may read still finds the key's use.
      return {
        list: configured,
        how: 'every configured account: the owning account could not be determined',
      };
    }
    if (!configured.includes(owner))
      return {
        skip: `cloudtrail: the key belongs to account ${owner}, which is not a configured trace account; its usage was not looked up`,
      };
    return { list: [owner], how: 'the owning account' };
  }
}

/** A CloudTrail event as a usage event: service and action from the event, IP, agent and Region from its record. */
export function usageEvent(event: Event, queriedRegion: string): UsageEvent {
  let record: { sourceIPAddress?: unknown; userAgent?: unknown; awsRegion?: unknown } = {};
  try {
    record = event.CloudTrailEvent ? (JSON.parse(event.CloudTrailEvent) as typeof record) : {};
  } catch {
    // a record that does not parse still counts as a use
  }
  const source = event.EventSource ?? 'unknown';
  const service = source.replace(/\.amazonaws\.com$/, '');
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);
  const sourceIp = text(record.sourceIPAddress);
  const userAgent = text(record.userAgent);
  return {
    id: event.EventId ?? `${queriedRegion}:${event.EventTime?.toISOString()}:${event.EventName}`,
    time: (event.EventTime ?? new Date(0)).toISOString(),
    service,
    action: `${service}:${event.EventName ?? 'unknown'}`,
    region: text(record.awsRegion) ?? queriedRegion,
    ...(sourceIp ? { sourceIp } : {}),
    ...(userAgent ? { userAgent } : {}),
  };
}
