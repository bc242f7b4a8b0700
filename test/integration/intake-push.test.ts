/**
 * Push intake on real adapters: the detect worker's domain with DynamoDB Local (incidents, scan
 * ledger, fan-out claims) and the GitHub stand-in over HTTP, authenticated as its App. Each test
 * pushes through the stand-in, plans the delivery as ingest would, and drains the scan-jobs work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubUnavailable } from '../../functions/adapters/github/github-client.ts';
import { incidentIdFor } from '../../functions/domain/incidents/incident.ts';
import { processScanJob } from '../../functions/domain/intake/scan-job.ts';
import {
  parseScanJob,
  type PushFanoutJob,
  type PushScanJob,
  type ScanJob,
} from '../../functions/domain/jobs.ts';
import { awsKeyPair, githubToken } from '../helpers/credentials.ts';
import { serveGitHub, type ServedGitHub } from '../helpers/github.ts';
import { intakeHarness, type IntakeHarness } from '../helpers/intake.ts';

interface PushAnswer {
  delivery: { id: string; event: string; body: string };
  push: { before: string; after: string; forced: boolean; commits: string[] };
}

let served: ServedGitHub;
let n = 0;
const repoName = () => `repo-${++n}-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  served = await serveGitHub({ maxPatchBytes: 64 * 1024 });
});
afterAll(async () => {
  await served?.close();
});

async function push(
  repo: string,
  commits: { message: string; files: Record<string, string | null> }[],
  extra: Record<string, unknown> = {},
): Promise<PushAnswer> {
  return served.control<PushAnswer>('POST', `/repos/acme/${repo}/pushes`, {
    ref: 'refs/heads/main',
    commits,
    ...extra,
  });
}

const commitsOf = (messages: readonly ScanJob[]) =>
  messages.flatMap((m) => (m.kind === 'push' && !m.filePage ? m.commits : []));
const commitReads = (repo: string, sha: string) =>
  served.github.requests().filter((r) => r.path === `/sandbox/github/repos/acme/${repo}/commits/${sha}`)
    .length;

async function exposuresOf(h: IntakeHarness, fingerprintOf: string) {
  const finding = h.deps.scanner.scanText(fingerprintOf, 'x')[0];
  if (!finding) throw new Error('the planted value is not detected');
  const id = incidentIdFor(finding.fingerprint);
  return { id, exposures: await h.deps.incidents.exposures(id) };
}

describe('push intake at scale', () => {
  it('scans every commit of a 110-commit push and finds the credential planted in every 11th', async () => {
    const h = await intakeHarness(served);
    const repo = repoName();
    const planted = new Map<number, string>();
    const commits = Array.from({ length: 110 }, (_, i) => {
      if (i % 11 !== 10) return { message: `c${i}`, files: { [`src/f${i}.txt`]: `line ${i}\n` } };
      const token = githubToken();
      planted.set(i, token);
      return {
        message: `c${i}`,
        files: { [`ops/deploy-${i}.sh`]: `#!/bin/sh\nexport GITHUB_TOKEN=${token}\n` },
      };
    });
    const answer = await push(repo, commits);
    const jobs = h.plan('push', answer.delivery.body);
    // Ingest sends a bounded batch whatever the size: ten push jobs and one fan-out list.
    expect(jobs.map((j) => j.kind)).toEqual([...Array(10).fill('push'), 'push_fanout']);

    const { outcomes, messages } = await h.drain(jobs);
    const scheduled = [...commitsOf(jobs), ...commitsOf(messages)];
    expect(new Set(scheduled)).toEqual(new Set(answer.push.commits));
    for (const outcome of outcomes.filter((o) => o.kind === 'push_fanout'))
      expect(outcome.outcome === 'scheduled' && outcome.scheduled).toBeLessThanOrEqual(100);
    for (const [i, token] of planted) {
      const { exposures } = await exposuresOf(h, `GITHUB_TOKEN=${token}`);
      expect(exposures).toEqual([
        expect.objectContaining({
          repo: `acme/${repo}`,
          commit: answer.push.commits[i],
          line: 2,
          source: 'push',
        }),
      ]);
    }
  });

  it('finds a credential in the last file of a commit touching 650 files, by splitting its pages into jobs', async () => {
    const h = await intakeHarness(served);
    const repo = repoName();
    const aws = awsKeyPair();
    const files: Record<string, string> = {};
    for (let i = 0; i < 649; i += 1) files[`pkg/m${String(i).padStart(3, '0')}.py`] = `VALUE = ${i}\n`;
    // Sorted last of 650 paths: on page 3 of the commit's files.
    files['zz/settings.env'] =
      `AWS_ACCESS_KEY_ID=${aws.accessKeyId}\nAWS_SECRET_ACCESS_KEY=${aws.secretAccessKey}\n`;
    const answer = await push(repo, [{ message: 'vendor everything', files }]);
    const { outcomes, messages } = await h.drain(h.plan('push', answer.delivery.body));

    expect(messages.map((m) => (m.kind === 'push' ? m.filePage : undefined))).toEqual([2, 3]);
    expect(
      outcomes.filter((o) => o.kind === 'push').map((o) => (o.kind === 'push' ? o.filesScanned : 0)),
    ).toEqual([300, 300, 50]);
    const { id, exposures } = await exposuresOf(h, `AWS_ACCESS_KEY_ID=${aws.accessKeyId}`);
    expect(exposures).toEqual([
      expect.objectContaining({ path: 'zz/settings.env', line: 1, commit: answer.push.after }),
    ]);
    // The vault holds the whole pair, so containment can revoke and verify.
    const incident = await h.deps.incidents.get(id);
    expect(JSON.parse((await h.deps.vault.get(incident!.fingerprint)) ?? '{}')).toEqual({
      accessKeyId: aws.accessKeyId,
      secretAccessKey: aws.secretAccessKey,
    });
  });

  it('hands the rest of its commits on once a job has read a page of files', async () => {
    const h = await intakeHarness(served);
    const repo = repoName();
    const commits = Array.from({ length: 10 }, (_, c) => ({
      message: `batch ${c}`,
      files: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`d${c}/f${i}.txt`, `${c}-${i}\n`])),
    }));
    const answer = await push(repo, commits);
    const { outcomes } = await h.drain(h.plan('push', answer.delivery.body));
    const pushes = outcomes.flatMap((o) => (o.kind === 'push' ? [o] : []));
    expect(pushes.map((o) => [o.commitsScanned, o.commitsHandedOn])).toEqual([
      [3, 7],
      [3, 4],
      [3, 1],
      [1, 0],
    ]);
    for (const sha of answer.push.commits) expect(commitReads(repo, sha)).toBe(1);
  });
});

describe('files without a patch', () => {
  it('fetches the blob of a file too large to diff, and skips binary files without guessing', async () => {
    const h = await intakeHarness(served);
    const repo = repoName();
    const token = githubToken();
    const filler = Array.from({ length: 3000 }, (_, i) => `row ${i} ${'x'.repeat(30)}`).join('\n');
    const answer = await push(repo, [
      {
        message: 'data',
        files: {
          'data/export.csv': `${filler}\ntoken,${token}\n`,
          'assets/logo.png': `\u0000PNG ${githubToken()}`,
          'bin/tool': `\u0000\u0001ELF ${githubToken()}`,
        },
      },
    ]);
    const { outcomes } = await h.drain(h.plan('push', answer.delivery.body));
    const [outcome] = outcomes;
    expect(outcome).toMatchObject({
      kind: 'push',
      findings: 1,
      filesScanned: 1,
      filesSkipped: { binary: 2 },
    });
    const { exposures } = await exposuresOf(h, `token,${token}`);
    expect(exposures).toEqual([expect.objectContaining({ path: 'data/export.csv', line: 3001 })]);
    const blobReads = served.github
      .requests()
      .filter((r) => r.path.startsWith(`/sandbox/github/repos/acme/${repo}/git/blobs/`));
    // The CSV and the extension-less binary are fetched; the .png is skipped by its extension.
    expect(blobReads).toHaveLength(2);
  });
});

describe('commits pushed before', () => {
  it('reads each commit once: a redelivered job and a second branch with the same commits skip it', async () => {
    const h = await intakeHarness(served);
    const repo = repoName();
    const token = githubToken();
    const main = await push(repo, [
      { message: 'a', files: { 'a.txt': 'a\n' } },
      { message: 'b', files: { '.env': `GITHUB_TOKEN=${token}\n` } },
    ]);
    const jobs = h.plan('push', main.delivery.body, main.delivery.id);
    await h.drain(jobs);
    // The same delivery's jobs again (an SQS redelivery): nothing is read twice.
    const again = await h.drain(jobs);
    expect(again.outcomes).toMatchObject([{ kind: 'push', commitsScanned: 0, commitsSeenBefore: 2 }]);
    // A new branch on top of main, with one new commit: compared with main, only that commit is new.
    const feature = await push(repo, [{ message: 'c', files: { 'c.txt': 'c\n' } }], {
      ref: 'refs/heads/feature',
    });
    const featureJobs = h.plan('push', feature.delivery.body);
    expect(featureJobs.map((j) => j.kind)).toEqual(['push', 'push_fanout']);
    await h.drain(featureJobs);
    for (const sha of [...main.push.commits, ...feature.push.commits]) expect(commitReads(repo, sha)).toBe(1);
    const { id } = await exposuresOf(h, `GITHUB_TOKEN=${token}`);
    expect((await h.deps.incidents.timeline(id)).filter((e) => e.type === 'detected')).toHaveLength(1);
  });

  it('skips commits the payload marks distinct: false (already on another branch)', async () => {
    const h = await intakeHarness(served);
    const repo = repoName();
    const first = await push(repo, [{ message: 'x', files: { 'x.txt': 'x\n' } }]);
    await push(repo, [{ message: 'y', files: { 'y.txt': 'y\n' } }], { ref: 'refs/heads/topic' });
    // main fast-forwards to topic's head: its commit was pushed before, so it is not distinct.
    const ff = await push(repo, [], { from: 'topic' });
    const payload = JSON.parse(ff.delivery.body) as { commits: { distinct: boolean }[] };
    expect(payload.commits.map((c) => c.distinct)).toEqual([false]);
    expect(h.plan('push', ff.delivery.body)).toEqual([]);
    expect(first.push.commits).toHaveLength(1);
  });
});

describe('refs whose payload does not list what they introduced', () => {
  it('compares a new tag with the default branch and scans the commit only the tag points at', async () => {
    const repo = repoName();
    const token = githubToken();
    await push(repo, [{ message: 'base', files: { 'README.md': 'hi\n' } }]);
    // A commit on a throwaway branch that is then deleted: only the tag will reach it.
    const tmp = await push(repo, [{ message: 'release prep', files: { 'release.env': `GH=${token}\n` } }], {
      ref: 'refs/heads/tmp',
    });
    await served.control('POST', `/repos/acme/${repo}/pushes`, { ref: 'refs/heads/tmp', delete: true });
    const tag = await push(repo, [], { ref: 'refs/tags/v1.0.0', from: tmp.push.after });
    const payload = JSON.parse(tag.delivery.body) as { commits: unknown[]; head_commit: { id: string } };
    expect(payload.commits).toEqual([]);
    expect(payload.head_commit.id).toBe(tmp.push.after);

    const h = await intakeHarness(served); // a fresh ledger: the tag push alone must find it
    const jobs = h.plan('push', tag.delivery.body);
    expect(jobs).toMatchObject([
      {
        kind: 'push_fanout',
        source: { type: 'compare', base: 'main', head: tmp.push.after, orHistory: true },
      },
    ]);
    await h.drain(jobs);
    const { exposures } = await exposuresOf(h, `GH=${token}`);
    expect(exposures).toEqual([expect.objectContaining({ commit: tmp.push.after, ref: 'refs/tags/v1.0.0' })]);
  });

  it('ignores branch and tag deletions', async () => {
    const h = await intakeHarness(served);
    const repo = repoName();
    await push(repo, [{ message: 'base', files: { 'a.txt': 'a\n' } }]);
    await push(repo, [{ message: 'b', files: { 'b.txt': 'b\n' } }], { ref: 'refs/heads/gone' });
    const deleted = await served.control<PushAnswer>('POST', `/repos/acme/${repo}/pushes`, {
      ref: 'refs/heads/gone',
      delete: true,
    });
    expect(JSON.parse(deleted.delivery.body)).toMatchObject({
      deleted: true,
      after: '0'.repeat(40),
      commits: [],
    });
    expect(h.plan('push', deleted.delivery.body)).toEqual([]);
  });

  it('compares a forced push with its old head and scans the rewritten history', async () => {
    const h = await intakeHarness(served);
    const repo = repoName();
    const token = githubToken();
    const original = await push(repo, [
      { message: 'a', files: { 'a.txt': 'a\n' } },
      { message: 'b', files: { 'b.txt': 'b\n' } },
    ]);
    await h.drain(h.plan('push', original.delivery.body));
    const forced = await push(repo, [{ message: 'b, amended', files: { 'b.txt': `b ${token}\n` } }], {
      from: original.push.commits[0],
    });
    expect(forced.push.forced).toBe(true);
    const jobs = h.plan('push', forced.delivery.body);
    expect(jobs.map((j) => (j.kind === 'push_fanout' ? j.source : j.kind))).toEqual([
      'push',
      { type: 'compare', base: original.push.after, head: forced.push.after, page: 1 },
    ]);
    const { outcomes } = await h.drain(jobs);
    expect(outcomes[1]).toMatchObject({
      kind: 'push_fanout',
      outcome: 'scheduled',
      seenBefore: 1,
      scheduled: 0,
    });
    const { exposures } = await exposuresOf(h, `b ${token}`);
    expect(exposures).toEqual([expect.objectContaining({ commit: forced.push.after, path: 'b.txt' })]);
  });
});

describe('pushes beyond what a payload lists', () => {
  it('compares a push at the 2048-commit cap before...after and schedules every one of its 2060 commits', async () => {
    const h = await intakeHarness(served);
    const repo = repoName();
    await push(repo, [{ message: 'base', files: { 'a.txt': 'a\n' } }]);
    const big = await push(
      repo,
      Array.from({ length: 2060 }, (_, i) => ({ message: `m${i}`, files: { 'counter.txt': `${i}\n` } })),
    );
    const payload = JSON.parse(big.delivery.body) as { commits: unknown[] };
    expect(payload.commits).toHaveLength(2048);
    const jobs = h.plan('push', big.delivery.body);
    expect(jobs.filter((j) => j.kind === 'push')).toHaveLength(10);
    expect(jobs.filter((j) => j.kind === 'push_fanout').map((j) => (j as PushFanoutJob).source.type)).toEqual(
      ['list', 'compare'],
    );
    const scheduled = await fanOutOnly(h, jobs);
    expect(scheduled.size).toBe(2060);
    expect([...scheduled].sort()).toEqual([...big.push.commits].sort());
  });

  it('walks the history of a first push beyond the cap', async () => {
    const h = await intakeHarness(served);
    const repo = repoName();
    const first = await push(
      repo,
      Array.from({ length: 2060 }, (_, i) => ({ message: `m${i}`, files: { 'counter.txt': `${i}\n` } })),
    );
    const jobs = h.plan('push', first.delivery.body);
    expect(jobs.at(-1)).toMatchObject({ kind: 'push_fanout', source: { type: 'history', page: 1 } });
    expect(await fanOutOnly(h, jobs)).toEqual(new Set(first.push.commits));
  });
});

/** Runs only the fan-out steps (and their continuations), collecting every commit scheduled. */
async function fanOutOnly(h: IntakeHarness, jobs: readonly ScanJob[]): Promise<Set<string>> {
  const scheduled = new Set(commitsOf(jobs));
  const queue = jobs.filter((j) => j.kind === 'push_fanout');
  while (queue.length > 0) {
    const before = h.deps.scanJobs.sent.length;
    const { outcomes } = await drainOne(h, queue.shift()!);
    const sent = h.deps.scanJobs.sent.slice(before);
    expect(outcomes).toMatchObject({ kind: 'push_fanout', outcome: 'scheduled' });
    // A step never puts more than ten push jobs and its continuation ahead of other work.
    expect(sent.length).toBeLessThanOrEqual(11);
    for (const commit of commitsOf(sent)) scheduled.add(commit);
    queue.push(...sent.filter((m) => m.kind === 'push_fanout'));
  }
  return scheduled;
}

async function drainOne(h: IntakeHarness, job: ScanJob) {
  return { outcomes: await processScanJob(parseScanJob(JSON.stringify(job)), h.deps) };
}

describe('outages', () => {
  it('fails a job when GitHub answers 503, keeps what it finished, and the retry scans the rest once', async () => {
    const h = await intakeHarness(served);
    const repo = repoName();
    const tokens = [githubToken(), githubToken(), githubToken()];
    const answer = await push(
      repo,
      tokens.map((token, i) => ({ message: `m${i}`, files: { [`f${i}.env`]: `T=${token}\n` } })),
    );
    const [job] = h.plan('push', answer.delivery.body) as PushScanJob[];
    served.outage(503, new RegExp(`/commits/${answer.push.commits[2]}$`));
    await expect(h.drain([job!])).rejects.toBeInstanceOf(GitHubUnavailable);
    served.outage(undefined);
    expect(await h.deps.ledger.scanned(`acme/${repo}`, answer.push.commits, new Date())).toEqual(
      new Set(answer.push.commits.slice(0, 2)),
    );
    const retry = await h.drain([job!]);
    expect(retry.outcomes).toMatchObject([
      { kind: 'push', commitsScanned: 1, commitsSeenBefore: 2, findings: 1 },
    ]);
    for (const token of tokens) {
      const { id } = await exposuresOf(h, `T=${token}`);
      expect((await h.deps.incidents.timeline(id)).filter((e) => e.type === 'detected')).toHaveLength(1);
    }
  });
});
