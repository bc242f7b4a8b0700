/**
 * Secret-scanning alert intake on real adapters (DynamoDB Local, the GitHub stand-in over HTTP):
 * alerts and pushes that see the same credential share one incident, each fact GitHub reports is
 * recorded once however often it is delivered, and nothing is recorded when GitHub is down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubUnavailable } from '../../functions/adapters/github/github-client.ts';
import { processAlert } from '../../functions/domain/intake/alert-scan.ts';
import { incidentIdFor } from '../../functions/domain/incidents/incident.ts';
import type { SourceHost } from '../../functions/domain/ports.ts';
import { awsKeyPair, githubToken, slackBotToken } from '../helpers/credentials.ts';
import { serveGitHub, type ServedGitHub } from '../helpers/github.ts';
import { intakeHarness, type IntakeHarness } from '../helpers/intake.ts';

interface Answer {
  delivery: { id: string; event: string; body: string };
  push?: { after: string; commits: string[] };
  alert?: { number: number; new: boolean };
}

let served: ServedGitHub;
let n = 0;
const repoName = () => `alerts-${++n}-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  served = await serveGitHub();
});
afterAll(async () => {
  await served?.close();
});

const push = (repo: string, files: Record<string, string>, message = 'change') =>
  served.control<Answer>('POST', `/repos/acme/${repo}/pushes`, {
    ref: 'refs/heads/main',
    commits: [{ message, files }],
  });
const alert = (repo: string, secretType: string, secret: string, locations: object[]) =>
  served.control<Answer>('POST', `/repos/acme/${repo}/secret-scanning/alerts`, {
    secret_type: secretType,
    secret,
    locations,
  });
const alertEvent = (repo: string, number: number, body: object) =>
  served.control<Answer>('POST', `/repos/acme/${repo}/secret-scanning/alerts/${number}/events`, body);

function incidentOf(h: IntakeHarness, value: string, type: string): string {
  const classified = h.deps.classify(value, type);
  if (!classified) throw new Error('not classified');
  return incidentIdFor(classified.fingerprint);
}

async function deliver(h: IntakeHarness, answer: Answer) {
  return h.drain(h.plan(answer.delivery.event, answer.delivery.body, answer.delivery.id));
}

describe('an alert and a push that see the same credential', () => {
  it('merge into the push’s incident: the same location stays one exposure, now naming the alert', async () => {
    const h = await intakeHarness(served);
    const repo = repoName();
    const token = githubToken();
    const pushed = await push(repo, { '.env': `REGION=eu\nGITHUB_TOKEN=${token}\n` });
    await deliver(h, pushed);
    const id = incidentOf(h, token, 'github_personal_access_token');
    expect(await h.deps.incidents.exposures(id)).toEqual([
      expect.objectContaining({ source: 'push', line: 2 }),
    ]);

    const created = await alert(repo, 'github_personal_access_token', token, [
      { path: '.env', start_line: 2, commit_sha: pushed.push!.after },
    ]);
    expect(created.delivery.event).toBe('secret_scanning_alert');
    await deliver(h, created);
    const incident = await h.deps.incidents.get(id);
    expect(incident?.exposureCount).toBe(1);
    expect(await h.deps.incidents.exposures(id)).toEqual([
      expect.objectContaining({ source: 'push', path: '.env', line: 2, alertNumber: created.alert!.number }),
    ]);
    // The exposures the incident itself carries (lists, the Slack card) name the alert too.
    expect(incident?.exposures).toEqual([
      expect.objectContaining({ source: 'push', path: '.env', line: 2, alertNumber: created.alert!.number }),
    ]);
  });

  it('adds an exposure for a new location (secret_scanning_alert_location.created)', async () => {
    const h = await intakeHarness(served);
    const repo = repoName();
    const token = githubToken();
    const first = await push(repo, { 'a.sh': `export T=${token}\n` });
    await deliver(
      h,
      await alert(repo, 'github_personal_access_token', token, [
        { path: 'a.sh', start_line: 1, commit_sha: first.push!.after },
      ]),
    );
    const second = await push(repo, { 'b/config.yml': `x: 1\ntoken: ${token}\n` });
    const located = await alert(repo, 'github_personal_access_token', token, [
      { path: 'b/config.yml', start_line: 2, commit_sha: second.push!.after },
    ]);
    expect(located.delivery.event).toBe('secret_scanning_alert_location');
    expect(located.alert).toEqual({ number: 1, new: false });
    await deliver(h, located);
    const id = incidentOf(h, token, 'github_personal_access_token');
    const exposures = await h.deps.incidents.exposures(id);
    expect(exposures.map((e) => [e.path, e.line, e.alertNumber, e.source]).sort()).toEqual([
      ['a.sh', 1, 1, 'secret_scanning_alert'],
      ['b/config.yml', 2, 1, 'secret_scanning_alert'],
    ]);
  });

  it('keeps the key pair a push vaulted when an alert reports the key id alone', async () => {
    const h = await intakeHarness(served);
    const repo = repoName();
    const aws = awsKeyPair();
    const pushed = await push(repo, {
      'settings.env': `AWS_ACCESS_KEY_ID=${aws.accessKeyId}\nAWS_SECRET_ACCESS_KEY=${aws.secretAccessKey}\n`,
    });
    await deliver(h, pushed);
    await deliver(
      h,
      await alert(repo, 'aws_access_key_id', aws.accessKeyId, [
        { path: 'settings.env', start_line: 1, commit_sha: pushed.push!.after },
      ]),
    );
    const incident = await h.deps.incidents.get(incidentOf(h, aws.accessKeyId, 'aws_access_key_id'));
    expect(JSON.parse((await h.deps.vault.get(incident!.fingerprint)) ?? '{}')).toEqual({
      accessKeyId: aws.accessKeyId,
      secretAccessKey: aws.secretAccessKey,
    });
  });

  it('one credential in five repositories is one incident with five exposures', async () => {
    const h = await intakeHarness(served);
    const token = githubToken();
    const repos = Array.from({ length: 5 }, () => repoName());
    for (const repo of repos)
      await deliver(h, await push(repo, { 'ci/env.sh': `export GH_TOKEN=${token}\n` }));
    // The same delivery for the last repository again changes nothing.
    const id = incidentOf(h, token, 'github_personal_access_token');
    const incident = await h.deps.incidents.get(id);
    expect(incident?.exposureCount).toBe(5);
    expect((await h.deps.incidents.exposures(id)).map((e) => e.repo).sort()).toEqual(
      repos.map((r) => `acme/${r}`).sort(),
    );
    expect((await h.deps.incidents.timeline(id)).filter((e) => e.type === 'detected')).toHaveLength(1);
  });
});

describe('what GitHub learns about an alert, recorded once', () => {
  async function alerted(h: IntakeHarness) {
    const repo = repoName();
    const token = slackBotToken();
    const pushed = await push(repo, { 'bot/.env': `SLACK_BOT_TOKEN=${token}\n` });
    const created = await alert(repo, 'slack_api_token', token, [
      { path: 'bot/.env', start_line: 1, commit_sha: pushed.push!.after },
    ]);
    await deliver(h, created);
    return { repo, token, number: created.alert!.number, id: incidentOf(h, token, 'slack_api_token') };
  }
  const events = async (h: IntakeHarness, id: string, type: string) =>
    (await h.deps.incidents.timeline(id)).filter((e) => e.type === type);

  it('publicly_leaked raises the severity to critical, once however often it is delivered', async () => {
    const h = await intakeHarness(served);
    const { repo, number, id } = await alerted(h);
    expect((await h.deps.incidents.get(id))?.severity).toBe('high');
    const leaked = await alertEvent(repo, number, { action: 'publicly_leaked' });
    await deliver(h, leaked);
    await deliver(h, leaked);
    expect((await h.deps.incidents.get(id))?.severity).toBe('critical');
    expect(await events(h, id, 'publicly_leaked')).toHaveLength(1);
  });

  it('validated records the validity GitHub reports, once per value', async () => {
    const h = await intakeHarness(served);
    const { repo, number, id } = await alerted(h);
    const active = await alertEvent(repo, number, { action: 'validated', validity: 'active' });
    await deliver(h, active);
    await deliver(h, active);
    await deliver(h, await alertEvent(repo, number, { action: 'validated', validity: 'inactive' }));
    expect((await events(h, id, 'github_alert_validated')).map((e) => e.detail)).toEqual([
      expect.stringContaining('active'),
      expect.stringContaining('inactive'),
    ]);
  });

  it('resolved (any resolution) is recorded with its resolution, once; reopened too', async () => {
    const h = await intakeHarness(served);
    const { repo, number, id } = await alerted(h);
    const token = await served.tokens.token({ owner: 'acme', name: repo });
    const patch = async (body: object) => {
      const response = await fetch(`${served.apiUrl}/repos/acme/${repo}/secret-scanning/alerts/${number}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
      await served.github.idle();
      const delivery = served.github.deliveries().at(-1)!;
      return { delivery } as Answer;
    };
    const resolved = await patch({ state: 'resolved', resolution: 'used_in_tests' });
    await deliver(h, resolved);
    await deliver(h, resolved);
    const reopened = await patch({ state: 'open' });
    await deliver(h, reopened);
    expect((await events(h, id, 'github_alert_resolved')).map((e) => e.detail)).toEqual([
      expect.stringMatching(/resolved as used_in_tests by leakstop\[bot\]/),
    ]);
    expect(await events(h, id, 'github_alert_reopened')).toHaveLength(1);
    // GitHub's resolution is a fact on the timeline; it does not move leakstop's incident.
    expect((await h.deps.incidents.get(id))?.status).toBe('open');
  });
});

describe('alerts without commit locations, and outages', () => {
  it('records an alert found in an issue comment as an exposure named by the comment', async () => {
    const h = await intakeHarness(served);
    const token = githubToken();
    const commentUrl = 'https://api.github.com/repos/acme/docs/issues/comments/1081119451';
    // The stand-in only plants secrets in commits; this port double answers as GitHub does for a comment.
    const source: SourceHost = {
      ...served.client,
      commitFiles: served.client.commitFiles.bind(served.client),
      compareCommits: served.client.compareCommits.bind(served.client),
      listCommits: served.client.listCommits.bind(served.client),
      blobContent: served.client.blobContent.bind(served.client),
      secretScanningAlert: async () => ({
        number: 7,
        secretType: 'github_personal_access_token',
        secret: token,
        state: 'open',
        publiclyLeaked: false,
      }),
      async *secretScanningLocations() {
        yield { kind: 'issue_comment', path: '', startLine: 0, commitSha: '', url: commentUrl };
      },
    };
    await processAlert(
      {
        kind: 'secret_scanning_alert',
        deliveryId: 'd',
        repo: { owner: 'acme', name: 'docs' },
        alertNumber: 7,
        action: 'created',
      },
      { ...h.deps, source },
    );
    const id = incidentOf(h, token, 'github_personal_access_token');
    expect(await h.deps.incidents.exposures(id)).toEqual([
      expect.objectContaining({
        repo: 'acme/docs',
        path: `issue_comment:${commentUrl}`,
        commit: '',
        alertNumber: 7,
      }),
    ]);
  });

  it('records nothing — no incident, no vault entry — when GitHub fails while listing locations', async () => {
    const h = await intakeHarness(served);
    const repo = repoName();
    const token = githubToken();
    const pushed = await push(repo, { 'k.txt': `${token}\n` });
    const created = await alert(repo, 'github_personal_access_token', token, [
      { path: 'k.txt', start_line: 1, commit_sha: pushed.push!.after },
    ]);
    served.outage(503, /\/locations$/);
    try {
      await expect(deliver(h, created)).rejects.toBeInstanceOf(GitHubUnavailable);
    } finally {
      served.outage(undefined);
    }
    const id = incidentOf(h, token, 'github_personal_access_token');
    expect(await h.deps.incidents.get(id)).toBeUndefined();
    expect(h.deps.vault.size).toBe(0);
    await deliver(h, created);
    expect((await h.deps.incidents.get(id))?.exposureCount).toBe(1);
  });
});
