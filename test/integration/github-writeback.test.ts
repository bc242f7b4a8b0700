/**
 * GitHub write-back on real adapters (DynamoDB Local claims, the GitHub stand-in over HTTP as its
 * App). The containment engine that moves incidents to `contained` is built elsewhere: these tests
 * move them open → containing → contained through the IncidentRepository, as it will.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoClaimLedger } from '../../functions/adapters/dynamodb/delivery-ledger.ts';
import { incidentIdFor, SYSTEM } from '../../functions/domain/incidents/incident.ts';
import { recordDetection } from '../../functions/domain/intake/record-detection.ts';
import {
  WriteBackFailed,
  writeBackToGitHub,
  type WriteBackDeps,
} from '../../functions/domain/notifications/github-writeback.ts';
import type { RecordedWrite } from '../../functions/local/sandbox/github.ts';
import { githubToken } from '../helpers/credentials.ts';
import { serveGitHub, type ServedGitHub } from '../helpers/github.ts';
import { intakeHarness, type IntakeHarness } from '../helpers/intake.ts';

interface Answer {
  delivery: { id: string; event: string; body: string };
  push?: { after: string; commits: string[] };
  alert?: { number: number };
}

let served: ServedGitHub;
let n = 0;
const repoName = () => `wb-${++n}-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  served = await serveGitHub();
});
afterAll(async () => {
  await served?.close();
});

const writesFor = (repo: string): RecordedWrite[] =>
  served.github.writes().filter((w) => w.path.startsWith(`/sandbox/github/repos/acme/${repo}/`));

/** A credential pushed in two commits, the first location also reported by a GitHub alert. */
async function leaked(h: IntakeHarness) {
  const repo = repoName();
  const token = githubToken();
  const push = (files: Record<string, string>) =>
    served.control<Answer>('POST', `/repos/acme/${repo}/pushes`, {
      ref: 'refs/heads/main',
      commits: [{ message: 'change', files }],
    });
  const first = await push({ '.env': `GITHUB_TOKEN=${token}\n` });
  const second = await push({ 'deploy/run.sh': `#!/bin/sh\n\ngh auth login --with-token <<< ${token}\n` });
  for (const answer of [first, second]) await h.drain(h.plan('push', answer.delivery.body));
  const created = await served.control<Answer>('POST', `/repos/acme/${repo}/secret-scanning/alerts`, {
    secret_type: 'github_personal_access_token',
    secret: token,
    locations: [{ path: '.env', start_line: 1, commit_sha: first.push!.after }],
  });
  await h.drain(h.plan(created.delivery.event, created.delivery.body));
  const id = incidentIdFor(h.deps.classify(token, 'github_personal_access_token')!.fingerprint);
  return { repo, token, id, commits: [first.push!.after, second.push!.after], alert: created.alert!.number };
}

async function contain(h: IntakeHarness, id: string) {
  const at = () => new Date().toISOString();
  await h.deps.incidents.transition(id, 'containing', {
    at: at(),
    type: 'status_changed',
    actor: SYSTEM,
    detail: 'containment started',
  });
  const verifiedAt = at();
  await h.deps.incidents.transition(
    id,
    'contained',
    { at: verifiedAt, type: 'status_changed', actor: SYSTEM, detail: 'revoked; GET /user answered 401' },
    { phases: { revokedAt: verifiedAt, verifiedAt, containmentEndedAt: verifiedAt } },
  );
}

function writeBackDeps(h: IntakeHarness): WriteBackDeps {
  return {
    incidents: h.deps.incidents,
    github: served.client,
    claims: new DynamoClaimLedger(h.client, h.tableName, { namespace: 'WRITEBACK', staleAfterMs: 40_000 }),
    clock: h.deps.clock,
  };
}

describe('writing containment back to GitHub', () => {
  it('writes nothing while the incident is not contained', async () => {
    const h = await intakeHarness(served);
    const { repo, id } = await leaked(h);
    expect(await writeBackToGitHub(id, writeBackDeps(h))).toEqual({
      alertsResolved: 0,
      checkRuns: 0,
      gone: 0,
    });
    await h.deps.incidents.transition(id, 'containing', {
      at: new Date().toISOString(),
      type: 'status_changed',
      actor: SYSTEM,
      detail: 'x',
    });
    await h.deps.incidents.transition(id, 'containment_unverified', {
      at: new Date().toISOString(),
      type: 'status_changed',
      actor: SYSTEM,
      detail: 'dry-run',
    });
    await writeBackToGitHub(id, writeBackDeps(h));
    expect(writesFor(repo)).toEqual([]);
  });

  it('resolves the alert as revoked and creates a check run per offending commit — once, however often notified', async () => {
    const h = await intakeHarness(served);
    const { repo, token, id, commits, alert } = await leaked(h);
    await contain(h, id);
    const deps = writeBackDeps(h);
    expect(await writeBackToGitHub(id, deps)).toEqual({ alertsResolved: 1, checkRuns: 2, gone: 0 });
    await writeBackToGitHub(id, deps);
    await Promise.all([writeBackToGitHub(id, deps), writeBackToGitHub(id, deps)]);

    const writes = writesFor(repo);
    expect(
      writes.map((w) => `${w.method} ${w.path.replace(`/sandbox/github/repos/acme/${repo}`, '')}`).sort(),
    ).toEqual(['PATCH /secret-scanning/alerts/' + alert, 'POST /check-runs', 'POST /check-runs'].sort());
    const patch = writes.find((w) => w.method === 'PATCH')!.body as Record<string, string>;
    expect(patch).toMatchObject({ state: 'resolved', resolution: 'revoked' });
    expect(patch.resolution_comment).toContain(id);
    const runs = writes.filter((w) => w.method === 'POST').map((w) => w.body as Record<string, unknown>);
    expect(runs.map((r) => r.head_sha).sort()).toEqual([...commits].sort());
    for (const run of runs) {
      expect(run).toMatchObject({ status: 'completed', conclusion: 'failure', external_id: id });
      expect(JSON.stringify(run)).toContain(h.deps.classify(token, 'github_personal_access_token')!.redacted);
    }
    expect(runs.find((r) => r.head_sha === commits[1])).toMatchObject({
      output: { annotations: [expect.objectContaining({ path: 'deploy/run.sh', start_line: 3 })] },
    });
    // Never the value: not in the comment, not in a check run.
    expect(JSON.stringify(writes)).not.toContain(token);
    const timeline = await h.deps.incidents.timeline(id);
    expect(timeline.filter((e) => e.type === 'github_written_back')).toHaveLength(3);
  });

  it('releases the claim when GitHub is down and writes each target once when the retry succeeds', async () => {
    const h = await intakeHarness(served);
    const { repo, id } = await leaked(h);
    await contain(h, id);
    const deps = writeBackDeps(h);
    served.outage(503, /\/check-runs$/);
    try {
      await expect(writeBackToGitHub(id, deps)).rejects.toBeInstanceOf(WriteBackFailed);
    } finally {
      served.outage(undefined);
    }
    expect(writesFor(repo).map((w) => w.method)).toEqual(['PATCH']);
    expect(await writeBackToGitHub(id, deps)).toEqual({ alertsResolved: 0, checkRuns: 2, gone: 0 });
    expect(
      writesFor(repo)
        .map((w) => w.method)
        .sort(),
    ).toEqual(['PATCH', 'POST', 'POST']);
  });

  it('records the resolved webhook GitHub sends after the write, and writes nothing more', async () => {
    const h = await intakeHarness(served);
    const { repo, id } = await leaked(h);
    await contain(h, id);
    await writeBackToGitHub(id, writeBackDeps(h));
    await served.github.idle();
    const echo = served.github
      .deliveries()
      .filter((d) => d.event === 'secret_scanning_alert')
      .at(-1)!;
    expect(JSON.parse(echo.body)).toMatchObject({ action: 'resolved', alert: { resolution: 'revoked' } });
    await h.drain(h.plan(echo.event, echo.body, echo.id));
    const resolved = (await h.deps.incidents.timeline(id)).filter((e) => e.type === 'github_alert_resolved');
    expect(resolved.map((e) => e.detail)).toEqual([
      expect.stringMatching(/resolved as revoked by leakstop\[bot\]/),
    ]);
    await writeBackToGitHub(id, writeBackDeps(h));
    expect(writesFor(repo)).toHaveLength(3);
  });

  it('resolves an alert GitHub raises after the incident was contained and written back', async () => {
    const h = await intakeHarness(served);
    const repo = repoName();
    const token = githubToken();
    const pushed = await served.control<Answer>('POST', `/repos/acme/${repo}/pushes`, {
      ref: 'refs/heads/main',
      commits: [{ message: 'oops', files: { 'cfg/.env': `GITHUB_TOKEN=${token}\n` } }],
    });
    await h.drain(h.plan('push', pushed.delivery.body));
    const id = incidentIdFor(h.deps.classify(token, 'github_personal_access_token')!.fingerprint);
    await contain(h, id);
    const deps = writeBackDeps(h);
    expect(await writeBackToGitHub(id, deps)).toEqual({ alertsResolved: 0, checkRuns: 1, gone: 0 });

    // GitHub's own scan reports the same location later: no new exposure, but the alert must be resolved.
    const created = await served.control<Answer>('POST', `/repos/acme/${repo}/secret-scanning/alerts`, {
      secret_type: 'github_personal_access_token',
      secret: token,
      locations: [{ path: 'cfg/.env', start_line: 1, commit_sha: pushed.push!.after }],
    });
    const before = h.deps.notifications.sent.length;
    await h.drain(h.plan(created.delivery.event, created.delivery.body));
    expect(h.deps.notifications.sent.slice(before)).toEqual([{ incidentId: id }]);
    expect(await writeBackToGitHub(id, deps)).toEqual({ alertsResolved: 1, checkRuns: 0, gone: 0 });
    expect(
      writesFor(repo)
        .map((w) => w.method)
        .sort(),
    ).toEqual(['PATCH', 'POST']);
  });

  it('skips a commit GitHub no longer has (force-pushed away) without failing', async () => {
    const h = await intakeHarness(served);
    const repo = repoName();
    await served.control('POST', `/repos/acme/${repo}/pushes`, {
      ref: 'refs/heads/main',
      commits: [{ message: 'x', files: { 'x.txt': 'x\n' } }],
    });
    const token = githubToken();
    const credential = h.deps.classify(token, 'github_personal_access_token')!;
    const { incident } = await recordDetection(h.deps, credential, {
      repo: `acme/${repo}`,
      commit: 'f'.repeat(40),
      path: 'gone.txt',
      line: 1,
      source: 'push',
    });
    await contain(h, incident.id);
    expect(await writeBackToGitHub(incident.id, writeBackDeps(h))).toEqual({
      alertsResolved: 0,
      checkRuns: 0,
      gone: 1,
    });
    expect((await h.deps.incidents.timeline(incident.id)).map((e) => e.type)).toContain(
      'github_write_back_skipped',
    );
  });
});
