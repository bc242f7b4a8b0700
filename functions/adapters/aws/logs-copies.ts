/**
 * Copies search in CloudWatch Logs: FilterLogEvents over the configured log groups (names, or
 * prefixes ending in `*` resolved with DescribeLogGroups) in every configured account and Region,
 * within a time window, for the credential's search terms (the value; for AWS the key id and the
 * secret key) as quoted alternatives. FilterLogEvents searches a slice of the group per call: a page
 * may be empty and still carry a nextToken, so the loop runs until no token comes back, the page
 * budget is spent or the deadline arrives. Each event returned is confirmed with the matcher before
 * it counts as a copy. The value goes only into the request to CloudWatch Logs.
 */
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { awsCopyLocation } from '../../domain/containment/copies.ts';
import type { TraceInput, TraceResult } from '../../domain/containment/tracing.ts';
import { AwsCopiesTracer, copiesResult, recordCopy, type ScopeContext } from './copies-search.ts';
import { type AwsTraceSettings } from './trace-calls.ts';
import { eachPage, mapLimit } from '../tracing/calls.ts';

export interface LogsCopiesSettings extends AwsTraceSettings {
  /** Log group names, or prefixes ending in `*` (`*` alone: every group). */
  readonly logGroups: readonly string[];
  /** How far back the search looks. */
  readonly windowMs: number;
}

/** Quoted alternatives: `"a"`, or `?"a" ?"b"` for several. */
export function filterPatternFor(terms: readonly string[]): string {
  const quoted = terms.map((t) => `"${t}"`);
  return quoted.length === 1 ? quoted[0]! : quoted.map((q) => `?${q}`).join(' ');
}

export class CloudWatchLogsCopiesTracer extends AwsCopiesTracer<LogsCopiesSettings> {
  readonly name = 'cloudwatch-logs';
  protected readonly examines = ['log group', 'log groups'] as const;

  override appliesTo(): boolean {
    return this.settings.logGroups.length > 0;
  }

  override async trace(input: TraceInput): Promise<TraceResult> {
    const search = await this.search(input);
    if (search.matcher.searchTerms.length === 0)
      return copiesResult(search, {
        detail: 'the value cannot be expressed as a log filter term; logs were not searched',
      });
    return copiesResult(search);
  }

  private client(context: ScopeContext): CloudWatchLogsClient {
    return this.settings.clients.get('logs', context.scope, (config) => new CloudWatchLogsClient(config));
  }

  protected async searchScope(context: ScopeContext): Promise<{ truncated: boolean }> {
    const terms = context.matcher.searchTerms;
    if (terms.length === 0) return { truncated: false };
    const { groups, complete } = await this.groups(context);
    const end = context.timing.now();
    const window = { startTime: end - this.settings.windowMs, endTime: end };
    const pattern = filterPatternFor(terms);
    const searched = await mapLimit(groups, 3, (group) => this.searchGroup(context, group, pattern, window));
    return { truncated: !complete || searched.includes(false) };
  }

  /** The scope's log groups: exact names as given, prefixes resolved with DescribeLogGroups. */
  private async groups(context: ScopeContext): Promise<{ groups: string[]; complete: boolean }> {
    const names = new Set<string>();
    let complete = true;
    for (const entry of this.settings.logGroups) {
      if (!entry.endsWith('*')) {
        names.add(entry);
        continue;
      }
      const prefix = entry.slice(0, -1);
      const done = await eachPage(
        context.pageBudget,
        (token) =>
          context.call((abortSignal) =>
            this.client(context).send(
              new DescribeLogGroupsCommand({
                limit: 50,
                ...(prefix ? { logGroupNamePrefix: prefix } : {}),
                ...(token ? { nextToken: token } : {}),
              }),
              { abortSignal },
            ),
          ),
        (page) => page.nextToken,
        (page) => {
          for (const group of page.logGroups ?? []) if (group.logGroupName) names.add(group.logGroupName);
        },
      );
      complete &&= done;
    }
    return { groups: [...names], complete };
  }

  /** True when the group was searched to the end of the window. */
  private async searchGroup(
    context: ScopeContext,
    group: string,
    filterPattern: string,
    window: { startTime: number; endTime: number },
  ): Promise<boolean> {
    const { findings } = context;
    try {
      const complete = await eachPage(
        context.pageBudget,
        (token) =>
          context.call((abortSignal) =>
            this.client(context).send(
              new FilterLogEventsCommand({
                logGroupName: group,
                filterPattern,
                ...window,
                ...(token ? { nextToken: token } : {}),
              }),
              { abortSignal },
            ),
          ),
        (page) => page.nextToken,
        (page) => {
          for (const event of page.events ?? []) this.inspect(event, group, context);
        },
      );
      findings.examined++;
      return complete;
    } catch (error) {
      // A configured name that does not exist in this account and Region: nothing to search here.
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return true;
      throw error;
    }
  }

  private inspect(event: FilteredLogEvent, group: string, { scope, matcher, findings }: ScopeContext): void {
    const message = event.message ?? '';
    const match = matcher.locate(message, group);
    if (!match) return;
    recordCopy(
      findings,
      awsCopyLocation({
        ...scope,
        service: 'logs',
        resource: [group, event.logStreamName ?? 'unknown'],
        version: new Date(event.timestamp ?? 0).toISOString(),
        line: match.line,
      }),
    );
  }
}
