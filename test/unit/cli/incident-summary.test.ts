/**
 * The summary a security lead reads: counts by status, type and repository, and how long each phase
 * took from detection over the incidents that reached it (nearest-rank p50 / p90, max).
 */
import { describe, expect, it } from 'vitest';
import { humanDuration, renderSummary, summarize } from '../../../functions/cli/incident-summary.ts';

const incident = (
  n: number,
  status: string,
  type: string,
  repo: string,
  timings: Record<string, number | undefined>,
) => ({
  status,
  type,
  detectedAt: `2026-10-${String(n).padStart(2, '0')}T08:00:00.000Z`,
  exposures: [{ repo }],
  timings,
});

const QUARTER = [
  ...Array.from({ length: 9 }, (_, i) =>
    incident(i + 1, 'contained', 'aws_access_key', 'acme/api', {
      revoke: (i + 1) * 100,
      verify: (i + 1) * 200,
    }),
  ),
  {
    ...incident(20, 'contained', 'github_pat_classic', 'acme/web', {
      revoke: 60_000,
      verify: 90_000,
      acknowledge: 300_000,
    }),
    liveCheck: { identity: 'GitHub user octocat' },
  },
  incident(12, 'containment_unverified', 'slack_bot_token', 'acme/web', {}),
  incident(15, 'false_positive', 'github_pat_classic', 'acme/docs', {}),
];

describe('incident summary', () => {
  it('counts by status, type, repository and owner, most first', () => {
    const s = summarize(QUARTER);
    expect(s.count).toBe(12);
    expect([s.firstDetectedAt, s.lastDetectedAt]).toEqual([
      '2026-10-01T08:00:00.000Z',
      '2026-10-20T08:00:00.000Z',
    ]);
    expect(s.byStatus).toEqual({ contained: 10, containment_unverified: 1, false_positive: 1 });
    expect(Object.entries(s.byType)).toEqual([
      ['aws_access_key', 9],
      ['github_pat_classic', 2],
      ['slack_bot_token', 1],
    ]);
    expect(s.byIdentity).toEqual({ '(unknown)': 11, 'GitHub user octocat': 1 });
    expect(Object.entries(s.byRepo)).toEqual([
      ['acme/api', 9],
      ['acme/web', 2],
      ['acme/docs', 1],
    ]);
  });

  it('takes phase percentiles over the incidents that reached the phase only', () => {
    const s = summarize(QUARTER);
    // Ten revocations: 100…900 ms and one of 60 s. Nearest rank: p50 is the 5th, p90 the 9th.
    expect(s.phases.revoke).toEqual({ n: 10, p50: 500, p90: 900, max: 60_000 });
    expect(s.phases.verify).toEqual({ n: 10, p50: 1000, p90: 1800, max: 90_000 });
    expect(s.phases.acknowledge).toEqual({ n: 1, p50: 300_000, p90: 300_000, max: 300_000 });
    expect(s.phases.resolve).toBeUndefined();
  });

  it('renders durations people read, and says when there is nothing', () => {
    expect([850, 1_250, 270_000, 11_160_000, 172_800_000].map(humanDuration)).toEqual([
      '850 ms',
      '1.3 s',
      '4.5 min',
      '3.1 h',
      '2.0 d',
    ]);
    const text = renderSummary(summarize(QUARTER));
    expect(text).toContain('12 incidents, detected 2026-10-01T08:00:00.000Z … 2026-10-20T08:00:00.000Z');
    expect(text).toContain('owners        (unknown) 11 · GitHub user octocat 1');
    expect(text).toMatch(/^revoked +10 +500 ms +900 ms +1\.0 min$/m);
    expect(text).toMatch(/^acknowledged +1 +5\.0 min +5\.0 min +5\.0 min$/m);
    expect(renderSummary(summarize([]))).toBe('No incidents.\n');
  });
});
