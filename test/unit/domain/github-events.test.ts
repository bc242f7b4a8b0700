import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidPayload, planGitHubEvent } from '../../../functions/domain/intake/github-events.ts';

const sha = (n: number) => n.toString(16).padStart(40, '0');
const repository = { name: 'api', full_name: 'acme/api', owner: { login: 'acme' } };

function push(overrides: Record<string, unknown> = {}) {
  return {
    ref: 'refs/heads/main',
    before: sha(1),
    after: sha(99),
    deleted: false,
    commits: Array.from({ length: 23 }, (_, i) => ({ id: sha(i + 2), distinct: true })),
    repository,
    installation: { id: 42 },
    ...overrides,
  };
}

describe('planning scan work from GitHub events', () => {
  it('splits a push into jobs of at most ten commits, in push order', () => {
    const plan = planGitHubEvent('push', push(), 'delivery-1');
    expect(plan.outcome).toBe('scan');
    if (plan.outcome !== 'scan') return;
    expect(plan.jobs.map((j) => (j.kind === 'push' ? j.commits.length : 0))).toEqual([10, 10, 3]);
    expect(plan.jobs[0]).toMatchObject({
      kind: 'push',
      deliveryId: 'delivery-1',
      repo: { owner: 'acme', name: 'api', installationId: 42 },
    });
    const all = plan.jobs.flatMap((j) => (j.kind === 'push' ? j.commits : []));
    expect(all).toEqual(push().commits.map((c) => c.id));
  });

  it('skips commits already pushed elsewhere (distinct: false)', () => {
    const plan = planGitHubEvent(
      'push',
      push({
        commits: [
          { id: sha(2), distinct: false },
          { id: sha(3), distinct: true },
        ],
      }),
      'd',
    );
    expect(plan.outcome === 'scan' && plan.jobs.flatMap((j) => (j.kind === 'push' ? j.commits : []))).toEqual(
      [sha(3)],
    );
  });

  it('ignores branch deletions', () => {
    const plan = planGitHubEvent('push', push({ deleted: true, after: '0'.repeat(40), commits: [] }), 'd');
    expect(plan).toMatchObject({ outcome: 'ignored' });
  });

  it('turns a secret_scanning_alert created into one alert job', () => {
    const plan = planGitHubEvent(
      'secret_scanning_alert',
      { action: 'created', alert: { number: 5 }, repository },
      'd',
    );
    expect(plan).toMatchObject({
      outcome: 'scan',
      jobs: [{ kind: 'secret_scanning_alert', alertNumber: 5, action: 'created' }],
    });
  });

  it('ignores alert actions that need nothing (assigned)', () => {
    expect(
      planGitHubEvent('secret_scanning_alert', { action: 'assigned', alert: { number: 5 }, repository }, 'd')
        .outcome,
    ).toBe('ignored');
  });

  it('ignores events leakstop does not act on', () => {
    expect(planGitHubEvent('star', { action: 'created', repository }, 'd')).toMatchObject({
      outcome: 'ignored',
    });
  });

  it('rejects a push without commits array or repository as InvalidPayload', () => {
    expect(() => planGitHubEvent('push', { ref: 'refs/heads/main', repository }, 'd')).toThrow(
      InvalidPayload,
    );
    expect(() => planGitHubEvent('push', { ref: 'refs/heads/main', commits: [] }, 'd')).toThrow(
      InvalidPayload,
    );
    expect(() => planGitHubEvent('push', 'nope', 'd')).toThrow(InvalidPayload);
  });
});

describe('planning pushes GitHub describes only in part', () => {
  const ZERO = '0'.repeat(40);
  const repoWithDefault = { ...repository, default_branch: 'main' };
  const listed = (count: number) =>
    Array.from({ length: count }, (_, i) => ({ id: sha(i + 2), distinct: true }));
  const jobsOf = (plan: ReturnType<typeof planGitHubEvent>) => (plan.outcome === 'scan' ? plan.jobs : []);
  const sources = (plan: ReturnType<typeof planGitHubEvent>) =>
    jobsOf(plan).flatMap((j) => (j.kind === 'push_fanout' ? [j.source] : []));

  it('compares a new branch with the default branch, besides scanning the commits it lists', () => {
    const plan = planGitHubEvent(
      'push',
      push({
        ref: 'refs/heads/feature',
        before: ZERO,
        created: true,
        commits: listed(2),
        repository: repoWithDefault,
      }),
      'd',
    );
    expect(jobsOf(plan).map((j) => j.kind)).toEqual(['push', 'push_fanout']);
    expect(sources(plan)).toEqual([
      { type: 'compare', base: 'main', head: sha(99), page: 1, orHistory: true },
    ]);
  });

  it('compares a new tag’s commit (head_commit, not the tag object) with the default branch', () => {
    const plan = planGitHubEvent(
      'push',
      push({
        ref: 'refs/tags/v2.0.0',
        before: ZERO,
        after: sha(77),
        created: true,
        commits: [],
        head_commit: { id: sha(55) },
        repository: repoWithDefault,
      }),
      'd',
    );
    expect(jobsOf(plan).map((j) => j.kind)).toEqual(['push_fanout']);
    expect(sources(plan)).toEqual([
      { type: 'compare', base: 'main', head: sha(55), page: 1, orHistory: true },
    ]);
  });

  it('compares a forced push before...after', () => {
    const plan = planGitHubEvent(
      'push',
      push({ forced: true, commits: listed(1), repository: repoWithDefault }),
      'd',
    );
    expect(sources(plan)).toEqual([{ type: 'compare', base: sha(1), head: sha(99), page: 1 }]);
  });

  it('does not compare an ordinary push or a first push of the default branch that the payload lists whole', () => {
    expect(sources(planGitHubEvent('push', push({ repository: repoWithDefault }), 'd'))).toEqual([]);
    const first = planGitHubEvent(
      'push',
      push({ before: ZERO, created: true, commits: listed(3), repository: repoWithDefault }),
      'd',
    );
    expect(jobsOf(first).map((j) => j.kind)).toEqual(['push']);
  });

  it('at the 2048-commit cap: ten push jobs now, the rest as a fan-out list, and a before...after comparison', () => {
    const plan = planGitHubEvent('push', push({ commits: listed(2048), repository: repoWithDefault }), 'd');
    const jobs = jobsOf(plan);
    expect(jobs.map((j) => j.kind)).toEqual([...Array(10).fill('push'), 'push_fanout', 'push_fanout']);
    const [list, range] = sources(plan);
    expect(list).toMatchObject({ type: 'list' });
    expect(list?.type === 'list' && list.commits).toHaveLength(2048 - 100);
    expect(range).toEqual({ type: 'compare', base: sha(1), head: sha(99), page: 1 });
    // Every message stays far below SQS's size limit (256 KiB, 1 MiB since 2025).
    for (const job of jobs) expect(Buffer.byteLength(JSON.stringify(job))).toBeLessThan(100 * 1024);
  });

  it('walks the history of a first push at the cap', () => {
    const plan = planGitHubEvent(
      'push',
      push({ before: ZERO, created: true, commits: listed(2048), repository: repoWithDefault }),
      'd',
    );
    expect(sources(plan).at(-1)).toEqual({ type: 'history', head: sha(99), page: 1 });
  });

  it('ignores a tag deletion and a push whose every commit was pushed before', () => {
    expect(
      planGitHubEvent('push', push({ ref: 'refs/tags/v1', deleted: true, after: ZERO, commits: [] }), 'd'),
    ).toMatchObject({ outcome: 'ignored' });
    expect(
      planGitHubEvent(
        'push',
        push({ commits: [{ id: sha(2), distinct: false }], repository: repoWithDefault }),
        'd',
      ),
    ).toMatchObject({ outcome: 'ignored' });
  });

  it('plans the sample events as GitHub sends them', () => {
    const sample = (name: string) =>
      JSON.parse(readFileSync(new URL(`../../../events/github/${name}.json`, import.meta.url), 'utf8'));
    expect(jobsOf(planGitHubEvent('push', sample('push'), 'd')).map((j) => j.kind)).toEqual(['push']);
    expect(sources(planGitHubEvent('push', sample('push.new-branch'), 'd'))).toMatchObject([
      { type: 'compare', base: 'main', orHistory: true },
    ]);
    expect(sources(planGitHubEvent('push', sample('push.tag'), 'd'))).toMatchObject([
      { type: 'compare', base: 'main', head: sample('push.tag').head_commit.id },
    ]);
    expect(jobsOf(planGitHubEvent('push', sample('push.forced'), 'd')).map((j) => j.kind)).toEqual([
      'push',
      'push_fanout',
    ]);
    expect(planGitHubEvent('push', sample('push.branch-deleted'), 'd')).toMatchObject({ outcome: 'ignored' });
    for (const name of [
      'secret_scanning_alert.created',
      'secret_scanning_alert.reopened',
      'secret_scanning_alert.validated',
      'secret_scanning_alert.publicly_leaked',
      'secret_scanning_alert.resolved',
    ]) {
      const body = sample(name);
      expect(planGitHubEvent('secret_scanning_alert', body, 'd'), name).toMatchObject({
        outcome: 'scan',
        jobs: [{ kind: 'secret_scanning_alert', action: body.action, alertNumber: body.alert.number }],
      });
    }
    expect(
      planGitHubEvent(
        'secret_scanning_alert_location',
        sample('secret_scanning_alert_location.created'),
        'd',
      ),
    ).toMatchObject({ outcome: 'scan', jobs: [{ action: 'location_created' }] });
  });
});
