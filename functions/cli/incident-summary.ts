/**
 * `leakstop incidents --summary`: what a security lead asks of a quarter — how many leaked, of
 * which kinds, where, whose (the identity the issuer named in the live check), and how fast each
 * phase was reached from detection (p50 / p90 / max).
 */
import { percentile } from '../shared/percentile.ts';
import { alignColumns } from './command-line.ts';

/** The fields of the history API's incident view a summary reads. */
export interface SummarizedIncident {
  readonly status: string;
  readonly type: string;
  readonly detectedAt: string;
  readonly exposures?: readonly { readonly repo?: string }[];
  readonly liveCheck?: { readonly identity?: string };
  readonly timings?: Readonly<Record<string, number | undefined>>;
}

/** The API's phase timings, in the order a lead reads them, with their labels. */
export const PHASES = [
  ['revoke', 'revoked'],
  ['verify', 'verified dead'],
  ['containmentEnd', 'containment ended'],
  ['acknowledge', 'acknowledged'],
  ['scopeCorrect', 'scope corrected'],
  ['resolve', 'resolved'],
] as const;

export interface PhaseStats {
  readonly n: number;
  readonly p50: number;
  readonly p90: number;
  readonly max: number;
}

export interface IncidentSummary {
  readonly count: number;
  readonly firstDetectedAt?: string;
  readonly lastDetectedAt?: string;
  readonly byStatus: Record<string, number>;
  readonly byType: Record<string, number>;
  /** Incidents per repository of their first exposure, most first. */
  readonly byRepo: Record<string, number>;
  /** Incidents per owning identity (the live check's answer), most first. */
  readonly byIdentity: Record<string, number>;
  /** Milliseconds from detection, over the incidents that reached each phase. */
  readonly phases: Record<string, PhaseStats>;
}

const countsOf = (keys: readonly string[]): Record<string, number> => {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
};

export function summarize(incidents: readonly SummarizedIncident[]): IncidentSummary {
  const detected = incidents.map((i) => i.detectedAt).sort();
  const phases: Record<string, PhaseStats> = {};
  for (const [phase] of PHASES) {
    const sorted = incidents
      .map((i) => i.timings?.[phase])
      .filter((ms): ms is number => typeof ms === 'number' && Number.isFinite(ms))
      .sort((a, b) => a - b);
    if (sorted.length > 0)
      phases[phase] = {
        n: sorted.length,
        p50: percentile(sorted, 50),
        p90: percentile(sorted, 90),
        max: sorted.at(-1)!,
      };
  }
  return {
    count: incidents.length,
    ...(detected.length > 0 ? { firstDetectedAt: detected[0], lastDetectedAt: detected.at(-1) } : {}),
    byStatus: countsOf(incidents.map((i) => i.status)),
    byType: countsOf(incidents.map((i) => i.type)),
    byRepo: countsOf(incidents.map((i) => i.exposures?.[0]?.repo ?? '(none)')),
    byIdentity: countsOf(incidents.map((i) => i.liveCheck?.identity ?? '(unknown)')),
    phases,
  };
}

/** A duration for people: 850 ms, 1.2 s, 4.5 min, 3.1 h, 2.0 d. */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

const listed = (counts: Record<string, number>, limit = 10): string => {
  const entries = Object.entries(counts);
  const shown = entries.slice(0, limit).map(([k, n]) => `${k} ${n}`);
  return `${shown.join(' · ')}${entries.length > limit ? ` · (${entries.length - limit} more)` : ''}`;
};

export function renderSummary(s: IncidentSummary): string {
  if (s.count === 0) return 'No incidents.\n';
  const rows = PHASES.flatMap(([phase, label]) => {
    const p = s.phases[phase];
    return p ? [[label, String(p.n), humanDuration(p.p50), humanDuration(p.p90), humanDuration(p.max)]] : [];
  });
  return [
    `${s.count} incident${s.count === 1 ? '' : 's'}, detected ${s.firstDetectedAt} … ${s.lastDetectedAt}`,
    `status        ${listed(s.byStatus)}`,
    `type          ${listed(s.byType)}`,
    `repositories  ${listed(s.byRepo)}`,
    `owners        ${listed(s.byIdentity)}`,
    '',
    ...(rows.length > 0
      ? alignColumns(['from detection to', 'n', 'p50', 'p90', 'max'], rows)
      : ['no phase reached yet']),
    '',
  ].join('\n');
}
