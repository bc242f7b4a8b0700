/**
 * Runs every tracer that applies to an incident once its containment status is decided: each
 * result becomes a timeline event with its timing, usage summaries are merged onto the incident,
 * and each copy found becomes an exposure. A tracer that fails is recorded and changes nothing
 * else: tracing never undoes containment. The tracers' events (each with its own time and
 * duration) and the usage summary are written together once every tracer is done.
 */
import { SYSTEM, type Incident, type TimelineEvent, type UsageSummary } from '../incidents/incident.ts';
import type { Clock, IncidentRepository } from '../ports.ts';
import type { Mode } from './modes.ts';
import type { Tracer } from './tracing.ts';

export interface TracerRunDeps {
  readonly incidents: IncidentRepository;
  readonly clock: Clock;
  readonly tracers: readonly Tracer[];
}

export interface TracerRunSummary {
  readonly ran: number;
  readonly failed: number;
  readonly copies: number;
}

/** Several usage sources (e.g. CloudTrail in several regions) add up to one summary. */
export function mergeUsage(a: UsageSummary | undefined, b: UsageSummary): UsageSummary {
  if (!a) return b;
  const union = (x: readonly string[], y: readonly string[]) => [...new Set([...x, ...y])].sort();
  const earliest = [a.firstUsed, b.firstUsed].filter((t): t is string => !!t).sort()[0];
  const latest = [a.lastUsed, b.lastUsed]
    .filter((t): t is string => !!t)
    .sort()
    .at(-1);
  return {
    source: a.source === b.source ? a.source : `${a.source}+${b.source}`,
    events: a.events + b.events,
    ...(earliest ? { firstUsed: earliest } : {}),
    ...(latest ? { lastUsed: latest } : {}),
    services: union(a.services, b.services),
    actions: union(a.actions, b.actions),
    sourceIps: union(a.sourceIps, b.sourceIps),
    userAgents: union(a.userAgents, b.userAgents),
    regions: union(a.regions, b.regions),
    truncated: a.truncated || b.truncated,
  };
}

/** A tracer's detail, prefixed with its name unless the tracer already wrote it that way. */
const named = (name: string, detail: string): string =>
  detail.startsWith(`${name}: `) ? detail : `${name}: ${detail}`;
const unnamed = (name: string, detail: string): string =>
  detail.startsWith(`${name}: `) ? detail.slice(name.length + 2) : detail;

export async function runTracers(
  incident: Incident,
  secret: string,
  mode: Mode,
  deadline: number,
  deps: TracerRunDeps,
): Promise<TracerRunSummary> {
  const applicable = deps.tracers.filter((tracer) => {
    try {
      return tracer.appliesTo(incident);
    } catch {
      return false;
    }
  });
  let usage: UsageSummary | undefined;
  const events: TimelineEvent[] = [];
  let failed = 0;
  let copies = 0;
  // Tracers are independent lookups: run them side by side within the same deadline.
  await Promise.all(
    applicable.map(async (tracer) => {
      const started = deps.clock.now().getTime();
      try {
        const result = await tracer.trace({ incident, secret, mode, deadline });
        const at = deps.clock.now();
        if (result.usage) usage = mergeUsage(usage, result.usage);
        const found = result.copies ?? [];
        for (const copy of found) {
          const added = await deps.incidents.recordDetection(
            {
              fingerprint: incident.fingerprint,
              type: incident.type,
              provider: incident.provider,
              redacted: incident.redacted,
              confidence: incident.confidence,
              revocable: incident.revocable,
            },
            { ...copy, detectedAt: at.toISOString() },
            {
              at: at.toISOString(),
              type: 'exposure_added',
              actor: SYSTEM,
              detail: `copy found by ${tracer.name} at ${copy.repo}:${copy.path}${copy.line ? `:${copy.line}` : ''}`,
            },
          );
          if (added.exposureAdded) copies += 1;
        }
        const actions = result.actions?.length ? ` Actions: ${result.actions.join('; ')}` : '';
        events.push({
          at: at.toISOString(),
          type: tracer.kind === 'usage' ? 'usage_traced' : 'copies_searched',
          actor: SYSTEM,
          detail: `${named(tracer.name, result.detail)}${result.truncated ? ' (stopped early: counts are lower bounds)' : ''}${actions}`,
          durationMs: at.getTime() - started,
          data: {
            tracer: tracer.name,
            kind: tracer.kind,
            copies: found.length,
            truncated: result.truncated ?? false,
          },
        });
      } catch (error) {
        failed += 1;
        const at = deps.clock.now();
        events.push({
          at: at.toISOString(),
          type: 'trace_failed',
          actor: SYSTEM,
          detail: `${tracer.name} failed: ${unnamed(tracer.name, error instanceof Error ? error.message : 'unknown error')}`,
          durationMs: at.getTime() - started,
          data: { tracer: tracer.name, kind: tracer.kind },
        });
      }
    }),
  );
  if (usage) {
    const at = deps.clock.now().toISOString();
    events.push({
      at,
      type: 'usage_summarised',
      actor: SYSTEM,
      detail: `used ${usage.events} times${usage.firstUsed ? ` from ${usage.firstUsed}` : ''}${usage.lastUsed ? ` to ${usage.lastUsed}` : ''}; services: ${usage.services.join(', ') || 'none'}`,
    });
  }
  if (events.length > 0) await deps.incidents.write(incident.id, usage ? { usage } : {}, events);
  return { ran: applicable.length, failed, copies };
}
