/**
 * Usage lookup, the provider-free part: events where a leaked credential was used (for AWS keys,
 * CloudTrail records), summarised into the incident's UsageSummary — first and last use, services
 * and actions, source IPs, user agents, regions, how many events.
 */
import type { UsageSummary } from '../incidents/incident.ts';

export interface UsageEvent {
  /** Provider's event id: the same event seen twice (two regions, a retried page) counts once. */
  readonly id: string;
  /** ISO-8601. */
  readonly time: string;
  /** e.g. `s3`, `sts`. */
  readonly service: string;
  /** e.g. `s3:GetObject`. */
  readonly action: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly region?: string;
}

/** Each list keeps its most frequent entries, so the summary stays small on the incident item. */
export const USAGE_LIST_LIMIT = 25;
const MAX_ENTRY_LENGTH = 200;

/** Folds events into a summary; lists are ordered by how often each entry occurs, then by name. */
export function summariseUsage(
  events: Iterable<UsageEvent>,
  options: { readonly source: string; readonly truncated: boolean },
): UsageSummary {
  const seen = new Set<string>();
  const counts = {
    services: new Map<string, number>(),
    actions: new Map<string, number>(),
    sourceIps: new Map<string, number>(),
    userAgents: new Map<string, number>(),
    regions: new Map<string, number>(),
  };
  let first: string | undefined;
  let last: string | undefined;
  for (const event of events) {
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    const at = Date.parse(event.time);
    if (!Number.isNaN(at)) {
      const iso = new Date(at).toISOString();
      if (!first || iso < first) first = iso;
      if (!last || iso > last) last = iso;
    }
    bump(counts.services, event.service);
    bump(counts.actions, event.action);
    bump(counts.sourceIps, event.sourceIp);
    bump(counts.userAgents, event.userAgent);
    bump(counts.regions, event.region);
  }
  return {
    source: options.source,
    events: seen.size,
    ...(first ? { firstUsed: first } : {}),
    ...(last ? { lastUsed: last } : {}),
    services: top(counts.services),
    actions: top(counts.actions),
    sourceIps: top(counts.sourceIps),
    userAgents: top(counts.userAgents),
    regions: top(counts.regions),
    truncated: options.truncated,
  };
}

function bump(map: Map<string, number>, value: string | undefined): void {
  if (!value) return;
  const key = value.length > MAX_ENTRY_LENGTH ? `${value.slice(0, MAX_ENTRY_LENGTH)}…` : value;
  map.set(key, (map.get(key) ?? 0) + 1);
}

function top(map: Map<string, number>): string[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, USAGE_LIST_LIMIT)
    .map(([key]) => key);
}

/** One timeline line for a summary; it names no credential. */
export function describeUsage(summary: UsageSummary): string {
  const lowerBound = summary.truncated ? 'at least ' : '';
  if (summary.events === 0)
    return `${summary.source}: ${summary.truncated ? 'no events found before the search stopped' : 'no events'}`;
  const span =
    summary.firstUsed === summary.lastUsed
      ? `at ${summary.firstUsed}`
      : `from ${summary.firstUsed} to ${summary.lastUsed}`;
  const list = (items: readonly string[], limit = 5) =>
    items.length > limit
      ? `${items.slice(0, limit).join(', ')} and ${items.length - limit} more`
      : items.join(', ');
  return [
    `${summary.source}: ${lowerBound}${summary.events} event${summary.events === 1 ? '' : 's'} ${span}`,
    summary.actions.length ? `actions ${list(summary.actions)}` : '',
    summary.sourceIps.length ? `from ${list(summary.sourceIps, 3)}` : '',
    summary.regions.length ? `in ${list(summary.regions)}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}
