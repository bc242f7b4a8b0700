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
