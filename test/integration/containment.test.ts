/**
 * Containment on the real DynamoDB store with the real revokers against the sandbox's provider
 * stand-ins: every provider path, already-dead credentials, approval, provider faults and their
 * retries, crashes between revocation and verification, the GitHub batch and its hourly budget,
 * and tracers. The invariants: contained only after a failed authentication with the old value;
 * no credential revoked twice; the vault emptied once containment ends (kept while it failed).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoIncidentStore } from '../../functions/adapters/dynamodb/incident-store.ts';
import { DynamoRevocationBatches } from '../../functions/adapters/dynamodb/revocation-batches.ts';
import { GitHubCredentialsApi } from '../../functions/adapters/revokers/github.ts';
import { MemoryVault } from '../../functions/adapters/vault/file-vault.ts';
import {
  CoalescingRevocations,
  type RevocationBatchStore,
} from '../../functions/domain/containment/batching.ts';
import { containIncident, type ContainmentDeps } from '../../functions/domain/containment/contain.ts';
import { parseModeConfig } from '../../functions/domain/containment/modes.ts';
import type { Tracer } from '../../functions/domain/containment/tracing.ts';
import { approveRevocation } from '../../functions/domain/incidents/actions.ts';
import type { Incident } from '../../functions/domain/incidents/incident.ts';
import { recordDetection } from '../../functions/domain/intake/record-detection.ts';
import type { IncidentJob } from '../../functions/domain/jobs.ts';
import { renderCard } from '../../functions/domain/notifications/card.ts';
import { systemClock, type Queue } from '../../functions/domain/ports.ts';
import { awsKeyPair, githubToken, gitlabToken, npmToken, slackToken } from '../helpers/credentials.ts';
import { freshTable } from '../helpers/dynamo.ts';
import { RecordingQueue } from '../helpers/fakes.ts';
import {
  sandboxRevokers,
  startProviderSandbox,
  useSandboxAws,
  type ProviderSandbox,
} from '../helpers/providers.ts';

class DelayRecordingQueue implements Queue<IncidentJob> {
  readonly sent: { job: IncidentJob; delaySeconds?: number }[] = [];
  async send(messages: readonly IncidentJob[], options: { delaySeconds?: number } = {}) {
    for (const job of messages) this.sent.push({ job, ...options });
  }
}

let incidents: DynamoIncidentStore;
let batches: DynamoRevocationBatches;
let providers: ProviderSandbox;

beforeAll(async () => {
  const { client, tableName } = await freshTable();
  incidents = new DynamoIncidentStore(client, tableName);
  batches = new DynamoRevocationBatches(client, tableName);
  providers = await startProviderSandbox();
  useSandboxAws(providers.url);
});
afterAll(async () => providers.close());
beforeEach(() => providers.sandbox.faults.clear());

interface Setup {
  mode?: string;
  tracers?: Tracer[];
  githubCallsPerHour?: number;
  windowMs?: number;
}

function deps(setup: Setup = {}) {
  const vault = new MemoryVault();
  const containment = new DelayRecordingQueue();
  const notifications = new RecordingQueue<IncidentJob>();
  const revokers = sandboxRevokers(providers.url, {
    vault,
    clock: systemClock,
    batches,
    windowMs: setup.windowMs ?? 100,
    ...(setup.githubCallsPerHour ? { githubCallsPerHour: setup.githubCallsPerHour } : {}),
  });
  const containmentDeps: ContainmentDeps = {
    incidents,
    vault,
    notifications,
    containment,
    clock: systemClock,
    modes: parseModeConfig(setup.mode ?? 'enforce', undefined),
    leaseMs: 60_000,
    revokers: revokers.all,
    tracers: setup.tracers ?? [],
    // Fast backoff: the sandbox answers at once.
    random: () => 0.1,
  };
  return { vault, containment, notifications, containmentDeps, revokers };
}

type Kind = 'aws' | 'github' | 'slack' | 'gitlab' | 'npm';
const TYPES: Record<Kind, string> = {
  aws: 'aws_access_key',
  github: 'github_pat_classic',
  slack: 'slack_bot_token',
  gitlab: 'gitlab_personal_access_token',
  npm: 'npm_access_token',
};

/** A detected credential of `kind`, registered live in the sandbox unless `registered: false`. */
async function plant(
  d: ReturnType<typeof deps>,
  kind: Kind,
  options: { registered?: boolean; register?: object } = {},
) {
  let value: string;
  let secret: string;
  if (kind === 'aws') {
    const pair = awsKeyPair();
    value = pair.accessKeyId;
    secret = JSON.stringify(pair);
    if (options.registered !== false)
      providers.sandbox.credentials.register({ value, secret: pair.secretAccessKey, ...options.register });
  } else {
    value = { github: githubToken, slack: slackToken, gitlab: gitlabToken, npm: npmToken }[kind]();
    secret = value;
    if (options.registered !== false) providers.sandbox.credentials.register({ value, ...options.register });
  }
  const { incident } = await recordDetection(
    {
      incidents,
      vault: d.vault,
      containment: new RecordingQueue(),
      notifications: d.notifications,
      clock: systemClock,
    },
    {
      fingerprint: createHash('sha256').update(value).digest('hex'),
      type: TYPES[kind],
      provider: kind,
      redacted: `${value.slice(0, 4)}…${value.slice(-4)}`,
      confidence: 'high',
      revocable: true,
      secret,
    },
    { repo: 'acme/api', commit: 'a'.repeat(40), path: '.env', line: 1, source: 'push' },
  );
  return { incident, value };
}

const view = (value: string) => {
  const credential = providers.sandbox.credentials.find(value);
  return credential && providers.sandbox.credentials.view(credential);
};
/** What a worker that crashed right after calling the provider leaves behind: the mark only. */
const markRevocationStarted = (id: string) =>
  incidents.update(
    id,
    { phases: { revocationStartedAt: new Date().toISOString() } },
    {
      at: new Date().toISOString(),
      type: 'revocation_started',
      actor: { kind: 'system', id: 'leakstop' },
      detail: 'revoking',
    },
  );
const types = async (id: string) => (await incidents.timeline(id)).map((e) => e.type);
const get = async (id: string) => (await incidents.get(id)) as Incident;

describe('enforce mode, each provider', () => {
  it.each(['aws', 'github', 'slack', 'gitlab', 'npm'] as const)(
    '%s: live check, one revocation, verified dead, contained, vault emptied',
    async (kind) => {
      const d = deps();
      const { incident, value } = await plant(d, kind);
      const outcome = await containIncident(incident.id, d.containmentDeps);
      expect(outcome).toEqual({ outcome: 'ended', status: 'contained' });
      const after = await get(incident.id);
      expect(after.liveCheck?.details?.state).toBe('live');
      expect(after.phases).toEqual(
        expect.objectContaining({
          revocationStartedAt: expect.any(String),
          revokedAt: expect.any(String),
          verifiedAt: expect.any(String),
          containmentEndedAt: expect.any(String),
        }),
      );
      const timeline = await incidents.timeline(incident.id);
      const verified = timeline.find((e) => e.type === 'verified_dead');
      expect(verified?.data?.alreadyDead).toBe(false);
      expect(verified?.durationMs).toBeGreaterThanOrEqual(0);
      for (const step of ['live_check', 'revoked', 'verified_dead'])
        expect(timeline.find((e) => e.type === step)?.durationMs, step).toBeGreaterThanOrEqual(0);
      expect(timeline.map((e) => e.type).indexOf('vault_cleared')).toBeGreaterThan(
        timeline.map((e) => e.type).indexOf('verified_dead'),
      );
      expect(view(value)).toMatchObject({ live: false, revocations: 1 });
      expect(after.vaulted).toBe(false);
      expect(await d.vault.get(incident.fingerprint)).toBeUndefined();
      expect(JSON.stringify(timeline)).not.toContain(value);
    },
  );

  it('reaches contained in three incident writes: the claim with the revocation mark, the verdict with the revocation, the vault', async () => {
    const d = deps();
    const { incident } = await plant(d, 'github');
    const writes: string[] = [];
    const counting = new Proxy(incidents, {
      get(target, name, receiver) {
        const member = Reflect.get(target, name, receiver) as unknown;
        if (typeof member !== 'function') return member;
        return (...args: unknown[]) => {
          if (['transition', 'write', 'update', 'appendEvent'].includes(String(name)))
            writes.push(String(name));
          return (member as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    await containIncident(incident.id, { ...d.containmentDeps, incidents: counting });
    expect(writes).toEqual(['transition', 'transition', 'write']);
    // One write each, and the timeline still reads in the order things happened.
    expect((await types(incident.id)).slice(1)).toEqual([
      'status_changed',
      'live_check',
      'revocation_started',
      'revoked',
      'verified_dead',
      'status_changed',
      'vault_cleared',
    ]);
  });

  it('AWS: the key user is quarantined with AWSDenyAll', async () => {
    const d = deps();
    const { incident, value } = await plant(d, 'aws');
    await containIncident(incident.id, d.containmentDeps);
    expect(view(value)?.attachedPolicies).toEqual(['arn:aws:iam::aws:policy/AWSDenyAll']);
  });

  it('an unregistered credential is contained as already dead, and nothing is revoked', async () => {
    const d = deps();
    const { incident } = await plant(d, 'github', { registered: false });
    const callsBefore = providers.githubRevokeCalls();
    expect(await containIncident(incident.id, d.containmentDeps)).toEqual({
      outcome: 'ended',
      status: 'contained',
    });
    const verified = (await incidents.timeline(incident.id)).find((e) => e.type === 'verified_dead');
    expect(verified?.detail).toMatch(/already dead before leakstop acted/);
    expect(verified?.data?.alreadyDead).toBe(true);
    expect(await types(incident.id)).not.toContain('revocation_started');
    expect(providers.githubRevokeCalls()).toBe(callsBefore);
  });

  it('two workers on the same incident revoke it once', async () => {
    const d = deps();
    const { incident, value } = await plant(d, 'slack');
    const outcomes = await Promise.all([
      containIncident(incident.id, d.containmentDeps),
      containIncident(incident.id, d.containmentDeps),
    ]);
    expect(outcomes.filter((o) => o.outcome === 'ended')).toHaveLength(1);
    expect(view(value)?.revocations).toBe(1);
  });
});

describe('provider faults', () => {
  it.each([
    ['github', 'github'],
    ['slack', 'slack'],
    ['aws', 'iam'],
    ['aws', 'sts'],
    ['gitlab', 'gitlab'],
  ] as const)('%s with three injected 500s from %s is still revoked exactly once', async (kind, service) => {
    const d = deps();
    const { incident, value } = await plant(d, kind);
    providers.sandbox.faults.inject({ service, status: 500, count: 3 });
    expect(await containIncident(incident.id, d.containmentDeps)).toEqual({
      outcome: 'ended',
      status: 'contained',
    });
    expect(view(value)).toMatchObject({ live: false, revocations: 1 });
    expect(providers.sandbox.faults.list()).toEqual([]);
  });

  it('an outage longer than the invocation: retrying notice, escalated, back to the queue; the last delivery fails it and keeps the vault for a redrive', async () => {
    const d = deps();
    const { incident, value } = await plant(d, 'slack');
    providers.sandbox.faults.inject({ service: 'slack', status: 503, count: 100_000 });
    const deadline = () => Date.now() + 400;
    await expect(
      containIncident(incident.id, d.containmentDeps, {
        deadline: deadline(),
        receiveCount: 1,
        maxReceives: 5,
      }),
    ).rejects.toMatchObject({ transient: true });
    let after = await get(incident.id);
    expect(after.status).toBe('containing');
    expect(after.containmentNotice).toMatchObject({ kind: 'retrying' });
    expect(renderCard(after).text).toContain('Containing');
    expect(JSON.stringify(renderCard(after).blocks)).toMatch(/retrying \(delivery 1 of 5\)/);
    expect(after.escalated?.reason).toMatch(/retrying/);
    expect(await types(incident.id)).toContain('containment_retrying');

    await expect(
      containIncident(incident.id, d.containmentDeps, {
        deadline: deadline(),
        receiveCount: 5,
        maxReceives: 5,
      }),
    ).rejects.toMatchObject({ transient: true });
    after = await get(incident.id);
    expect(after.status).toBe('containment_failed');
    expect(after.vaulted).toBe(true);
    expect(await d.vault.get(incident.fingerprint)).toBe(value);
    expect(view(value)).toMatchObject({ live: true, revocations: 0 });

    // The provider recovers; the operator redrives the dead-letter queue.
    providers.sandbox.faults.clear();
    expect(
      await containIncident(incident.id, d.containmentDeps, { receiveCount: 1, maxReceives: 5 }),
    ).toEqual({
      outcome: 'ended',
      status: 'contained',
    });
    expect(view(value)).toMatchObject({ live: false, revocations: 1 });
    expect(await d.vault.get(incident.fingerprint)).toBeUndefined();
  });

  it('a crash after the revocation call: the next delivery probes, finds it dead, and does not revoke again', async () => {
    const d = deps();
    const { incident, value } = await plant(d, 'gitlab');
    // The earlier worker marked the revocation and called GitLab, then died before recording anything.
    await markRevocationStarted(incident.id);
    await d.revokers.gitlab.revoke(value);
    expect(view(value)?.revocations).toBe(1);
    expect(await containIncident(incident.id, d.containmentDeps)).toEqual({
      outcome: 'ended',
      status: 'contained',
    });
    expect((await incidents.timeline(incident.id)).find((e) => e.type === 'verified_dead')?.detail).toMatch(
      /took effect/,
    );
    expect(view(value)?.revocations).toBe(1);
  });

  it('an AWS crash after deactivation: the idempotent revoker finishes the quarantine without deactivating twice', async () => {
    const d = deps();
    const { incident, value } = await plant(d, 'aws');
    await markRevocationStarted(incident.id);
    // Deactivated by the crashed run, but not quarantined yet.
    const key = providers.sandbox.credentials.find(value)!;
    providers.sandbox.credentials.revoke(key);
    expect(await containIncident(incident.id, d.containmentDeps)).toEqual({
      outcome: 'ended',
      status: 'contained',
    });
    expect(view(value)).toMatchObject({
      revocations: 1,
      attachedPolicies: ['arn:aws:iam::aws:policy/AWSDenyAll'],
    });
  });

  it('a refused revocation (no role in the owning account) fails containment, escalated with the manual steps', async () => {
    const d = deps();
    const { incident, value } = await plant(d, 'aws', {
      register: { account: '345678901234', onboarded: false },
    });
    expect(await containIncident(incident.id, d.containmentDeps)).toEqual({
      outcome: 'ended',
      status: 'containment_failed',
    });
    const after = await get(incident.id);
    expect(after.escalated?.reason).toMatch(/automatic revocation impossible/);
    const refused = (await incidents.timeline(incident.id)).find((e) => e.type === 'revocation_refused');
    expect(refused?.detail).toMatch(/Revoke it by hand: .*UpdateAccessKey/);
    expect(view(value)).toMatchObject({ live: true, revocations: 0 });
  });
});

/** The shared batch store with some of its methods replaced. */
const batchesWith = (overrides: Partial<RevocationBatchStore>): RevocationBatchStore => ({
  join: (...args) => batches.join(...args),
  seal: (...args) => batches.seal(...args),
  settle: (...args) => batches.settle(...args),
  takeCall: (...args) => batches.takeCall(...args),
  exhaust: (...args) => batches.exhaust(...args),
  status: (...args) => batches.status(...args),
  ...overrides,
});

describe('GitHub batching and budget', () => {
  it('coalesces tokens found at the same time into one revocation call', async () => {
    // A window wide enough for DynamoDB Local's first calls: this checks coalescing, not latency.
    const d = deps({ windowMs: 2000 });
    const planted = await Promise.all(Array.from({ length: 6 }, () => plant(d, 'github')));
    const before = providers.githubRevokeCalls();
    const outcomes = await Promise.all(
      planted.map(({ incident }) => containIncident(incident.id, d.containmentDeps)),
    );
    expect(outcomes.every((o) => o.outcome === 'ended' && o.status === 'contained')).toBe(true);
    expect(providers.githubRevokeCalls() - before).toBe(1);
    for (const { value } of planted) expect(view(value)).toMatchObject({ live: false, revocations: 1 });
  });

  it('members whose leader runs in the same environment hear its settlement at once, not at their next poll', async () => {
    const vault = new MemoryVault();
    const api = new GitHubCredentialsApi(`${providers.url}/sandbox/github`, 60, 2000);
    // A poll so slow that a member waiting for it would outlive the test.
    const coalescing = new CoalescingRevocations({
      api,
      store: batches,
      vault,
      clock: systemClock,
      windowMs: 300,
      pollMs: 60_000,
    });
    const tokens = Array.from({ length: 3 }, () => githubToken());
    for (const token of tokens) {
      providers.sandbox.credentials.register({ value: token });
      await vault.put(createHash('sha256').update(token).digest('hex'), token);
    }
    const before = providers.githubRevokeCalls();
    const outcomes = await Promise.all(
      tokens.map((token) =>
        coalescing.submit(createHash('sha256').update(token).digest('hex'), Date.now() + 120_000),
      ),
    );
    expect(outcomes.map((o) => o.outcome)).toEqual(['sent', 'sent', 'sent']);
    expect(outcomes.filter((o) => o.outcome === 'sent' && o.leader)).toHaveLength(1);
    expect(providers.githubRevokeCalls() - before).toBe(1);
    for (const token of tokens) expect(view(token)).toMatchObject({ live: false, revocations: 1 });
  }, 15_000);

  it('members whose leader runs here take its settlement from it: the store is not read for it', async () => {
    const vault = new MemoryVault();
    const api = new GitHubCredentialsApi(`${providers.url}/sandbox/github`, 60, 2000);
    let statusReads = 0;
    const store = batchesWith({
      status: (...args) => {
        statusReads += 1;
        return batches.status(...args);
      },
    });
    const coalescing = new CoalescingRevocations({ api, store, vault, clock: systemClock, windowMs: 300 });
    const tokens = Array.from({ length: 4 }, () => githubToken());
    for (const token of tokens) {
      providers.sandbox.credentials.register({ value: token });
      await vault.put(createHash('sha256').update(token).digest('hex'), token);
    }
    const outcomes = await Promise.all(
      tokens.map((token) =>
        coalescing.submit(createHash('sha256').update(token).digest('hex'), Date.now() + 120_000),
      ),
    );
    expect(outcomes).toEqual(tokens.map(() => expect.objectContaining({ outcome: 'sent', batchSize: 4 })));
    expect(statusReads).toBe(0);
    for (const token of tokens) expect(view(token)).toMatchObject({ live: false, revocations: 1 });
  }, 15_000);

  it('a leader that fails before settling frees its members here at once, as a transient failure', async () => {
    const vault = new MemoryVault();
    const api = new GitHubCredentialsApi(`${providers.url}/sandbox/github`, 60, 2000);
    const store = batchesWith({
      seal: async () => {
        throw new Error('the table is unreachable');
      },
    });
    // Members would otherwise wait until the batch is presumed abandoned (here: past the test).
    const coalescing = new CoalescingRevocations({
      api,
      store,
      vault,
      clock: systemClock,
      windowMs: 200,
      abandonedAfterMs: 60_000,
    });
    const tokens = Array.from({ length: 3 }, () => githubToken());
    for (const token of tokens) providers.sandbox.credentials.register({ value: token });
    const started = Date.now();
    const results = await Promise.allSettled(
      tokens.map((token) =>
        coalescing.submit(createHash('sha256').update(token).digest('hex'), Date.now() + 120_000),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const reasons = (results as PromiseRejectedResult[]).map((r) => r.reason as Error);
    // The leader fails with the store's error; its members with a transient provider failure.
    const leader = reasons.filter((e) => e.message === 'the table is unreachable');
    expect(leader).toHaveLength(1);
    for (const e of reasons.filter((r) => !leader.includes(r)))
      expect(e).toMatchObject({ transient: true, message: expect.stringMatching(/unreachable/) });
    expect(Date.now() - started).toBeLessThan(10_000);
    for (const token of tokens) expect(view(token)).toMatchObject({ live: true, revocations: 0 });
  }, 15_000);

  it('joining the batch this environment last saw open costs no read; a stale view still lands in the open batch', async () => {
    const { client, tableName } = await freshTable();
    const sent: string[] = [];
    const counting = {
      send: (command: { constructor: { name: string } }) => {
        sent.push(command.constructor.name);
        return client.send(command as never);
      },
    } as unknown as typeof client;
    const here = new DynamoRevocationBatches(counting, tableName);
    const elsewhere = new DynamoRevocationBatches(client, tableName);
    const now = () => new Date();

    const first = await here.join('github', 'fp-1', now(), 60_000, 1000);
    expect(first.leader).toBe(true);
    sent.length = 0;
    const second = await here.join('github', 'fp-2', now(), 60_000, 1000);
    expect(second).toMatchObject({ batchId: first.batchId, leader: false });
    expect(sent).toEqual(['UpdateCommand']);

    // Another environment seals that batch and opens the next one: our view is stale.
    await elsewhere.seal('github', first.batchId);
    const next = await elsewhere.join('github', 'fp-3', now(), 60_000, 1000);
    expect(next.leader).toBe(true);
    const third = await here.join('github', 'fp-4', now(), 60_000, 1000);
    expect(third).toMatchObject({ batchId: next.batchId, leader: false });
    expect(await elsewhere.seal('github', next.batchId)).toEqual(['fp-3', 'fp-4']);
  });

  it('queues visibly once the hourly budget is spent, and schedules the retry for the reset', async () => {
    const tight = await startProviderSandbox();
    try {
      const { client, tableName } = await freshTable();
      const d = deps();
      const revokers = sandboxRevokers(providers.url, {
        vault: d.vault,
        clock: systemClock,
        batches: new DynamoRevocationBatches(client, tableName),
        windowMs: 50,
        githubCallsPerHour: 1,
      });
      const containmentDeps = { ...d.containmentDeps, revokers: revokers.all };
      const first = await plant(d, 'github');
      await containIncident(first.incident.id, containmentDeps);
      const second = await plant(d, 'github');
      expect(await containIncident(second.incident.id, containmentDeps)).toMatchObject({
        outcome: 'waiting',
      });
      const waiting = await get(second.incident.id);
      expect(waiting.status).toBe('containing');
      expect(waiting.containmentNotice?.kind).toBe('queued');
      expect(waiting.containmentNotice?.text).toMatch(/^queued for revocation, budget resets at \d{4}-/);
      expect(JSON.stringify(renderCard(waiting).blocks)).toContain('queued for revocation, budget resets at');
      expect(await types(second.incident.id)).toContain('revocation_queued');
      const scheduled = d.containment.sent.find((s) => s.job.incidentId === second.incident.id);
      expect(scheduled?.delaySeconds).toBeGreaterThan(0);
      expect(scheduled?.delaySeconds).toBeLessThanOrEqual(900);
      expect(view(second.value)).toMatchObject({ live: true, revocations: 0 });
      // A duplicate delivery before the reset only reschedules: nothing is revoked, nothing recorded.
      const eventsBefore = (await incidents.timeline(second.incident.id)).length;
      expect(await containIncident(second.incident.id, containmentDeps)).toMatchObject({
        outcome: 'waiting',
      });
      expect((await incidents.timeline(second.incident.id)).length).toBe(eventsBefore);
    } finally {
      await tight.close();
    }
  });
});

describe('approval mode', () => {
  it('waits for a person: nothing revoked until approveRevocation, then contained', async () => {
    const d = deps({ mode: 'approval' });
    const { incident, value } = await plant(d, 'github');
    expect(await containIncident(incident.id, d.containmentDeps)).toEqual({
      outcome: 'waiting',
      reason: 'waiting for approval',
    });
    const waiting = await get(incident.id);
    expect(waiting.approval?.requestedAt).toBeDefined();
    expect(waiting.containmentNotice?.text).toContain(`POST /incidents/${incident.id}/approve`);
    expect(view(value)).toMatchObject({ live: true, revocations: 0 });
    // A second delivery while waiting changes nothing.
    expect(await containIncident(incident.id, d.containmentDeps)).toMatchObject({ outcome: 'waiting' });

    const actionDeps = {
      incidents,
      notifications: d.notifications,
      containment: d.containment,
      clock: systemClock,
    };
    const approver = { kind: 'api' as const, id: 'arn:aws:iam::111122223333:user/secops' };
    expect(await approveRevocation(actionDeps, incident.id, approver)).toMatchObject({ outcome: 'done' });
    expect(await approveRevocation(actionDeps, incident.id, approver)).toMatchObject({
      outcome: 'unchanged',
    });
    expect(d.containment.sent.filter((s) => s.job.incidentId === incident.id)).toHaveLength(1);

    expect(await containIncident(incident.id, d.containmentDeps)).toEqual({
      outcome: 'ended',
      status: 'contained',
    });
    expect((await get(incident.id)).approval?.approvedBy).toEqual(approver);
    expect(view(value)).toMatchObject({ live: false, revocations: 1 });
  });

  it('does not ask for approval to contain a credential that is already dead', async () => {
    const d = deps({ mode: 'approval' });
    const { incident } = await plant(d, 'slack', { registered: false });
    expect(await containIncident(incident.id, d.containmentDeps)).toEqual({
      outcome: 'ended',
      status: 'contained',
    });
    expect(await types(incident.id)).not.toContain('approval_requested');
  });

  it('refuses an approval nobody asked for', async () => {
    const d = deps();
    const { incident } = await plant(d, 'slack');
    const actionDeps = {
      incidents,
      notifications: d.notifications,
      containment: d.containment,
      clock: systemClock,
    };
    expect(await approveRevocation(actionDeps, incident.id, { kind: 'api', id: 'x' })).toMatchObject({
      outcome: 'unchanged',
    });
  });
});

describe('tracing after verification', () => {
  const usageTracer: Tracer = {
    name: 'test-usage',
    kind: 'usage',
    appliesTo: (incident) => incident.provider === 'aws',
    trace: async ({ secret, mode }) => {
      expect(secret).toContain('accessKeyId');
      expect(mode).toBe('enforce');
      return {
        detail: '3 events in us-east-1',
        usage: {
          source: 'cloudtrail',
          events: 3,
          firstUsed: '2026-01-01T00:00:00Z',
          lastUsed: '2026-01-02T00:00:00Z',
          services: ['s3.amazonaws.com'],
          actions: ['ListBuckets'],
          sourceIps: ['203.0.113.9'],
          userAgents: ['aws-cli/2'],
          regions: ['us-east-1'],
          truncated: false,
        },
      };
    },
  };
  const copiesTracer: Tracer = {
    name: 'test-copies',
    kind: 'copies',
    appliesTo: () => true,
    trace: async () => ({
      // Tracers may name themselves (the real ones do): the timeline names each once.
      detail: 'test-copies: one copy in an SSM parameter',
      copies: [{ repo: 'aws:ssm', commit: '', path: '/prod/deploy/key', line: 0, source: 'copies_search' }],
    }),
  };
  const failingTracer: Tracer = {
    name: 'test-broken',
    kind: 'copies',
    appliesTo: () => true,
    trace: async () => {
      throw new Error('test-broken: logs unavailable');
    },
  };

  it('records each tracer with its timing, stores usage and copies, survives a failing tracer, then empties the vault', async () => {
    const d = deps({ tracers: [usageTracer, copiesTracer, failingTracer] });
    const { incident } = await plant(d, 'aws');
    expect(await containIncident(incident.id, d.containmentDeps)).toEqual({
      outcome: 'ended',
      status: 'contained',
    });
    const after = await get(incident.id);
    expect(after.usage).toMatchObject({ events: 3, services: ['s3.amazonaws.com'] });
    expect(after.status).toBe('contained');
    const exposures = await incidents.exposures(incident.id);
    expect(exposures.find((e) => e.source === 'copies_search')).toMatchObject({
      repo: 'aws:ssm',
      path: '/prod/deploy/key',
    });
    const timeline = await incidents.timeline(incident.id);
    for (const type of ['usage_traced', 'copies_searched', 'trace_failed'])
      expect(timeline.find((e) => e.type === type)?.durationMs, type).toBeGreaterThanOrEqual(0);
    expect(timeline.find((e) => e.type === 'trace_failed')?.detail).toBe(
      'test-broken failed: logs unavailable',
    );
    expect(timeline.find((e) => e.type === 'copies_searched')?.detail).toBe(
      'test-copies: one copy in an SSM parameter',
    );
    const order = timeline.map((e) => e.type);
    expect(order.indexOf('vault_cleared')).toBeGreaterThan(order.indexOf('usage_traced'));
    expect(order.indexOf('copies_searched')).toBeGreaterThan(order.indexOf('verified_dead'));
    expect(after.vaulted).toBe(false);
  });

  it('with a tracing queue, the verdict is recorded and the worker freed before tracing; the finish job traces and empties the vault', async () => {
    const d = deps({ tracers: [usageTracer] });
    const tracing = new RecordingQueue<IncidentJob>();
    const handing = { ...d.containmentDeps, tracing };
    const { incident, value } = await plant(d, 'aws');
    expect(await containIncident(incident.id, handing)).toEqual({ outcome: 'ended', status: 'contained' });
    const decided = await get(incident.id);
    // Verified and contained, the credential dead — tracing not yet run, the value still vaulted.
    expect(decided.phases.verifiedAt).toBeDefined();
    expect(view(value)).toMatchObject({ live: false, revocations: 1 });
    expect(decided.vaulted).toBe(true);
    expect(decided.usage).toBeUndefined();
    expect(Date.parse(decided.leaseUntil ?? '')).toBeLessThanOrEqual(Date.now());
    expect(tracing.sent).toEqual([{ incidentId: incident.id, step: 'finish' }]);
    // Slack: the delayed "containing" notice counts only while containing; the verdict's does not wait.
    expect(d.notifications.sent.slice(1)).toEqual([
      { incidentId: incident.id, ifStatus: 'containing' },
      { incidentId: incident.id },
    ]);

    // A redelivered containment message hands off again and revokes nothing.
    expect(await containIncident(incident.id, handing)).toEqual({ outcome: 'ended', status: 'contained' });
    expect(tracing.sent).toHaveLength(2);

    // Two finish jobs: one traces and empties the vault, the other finds nothing left to do.
    await Promise.all(
      tracing.sent.map((job) => containIncident(job.incidentId, handing, { step: job.step })),
    );
    const finished = await get(incident.id);
    expect(finished.usage).toMatchObject({ events: 3 });
    expect(finished.vaulted).toBe(false);
    expect(finished.phases.containmentEndedAt).toBeDefined();
    expect(await d.vault.get(incident.fingerprint)).toBeUndefined();
    const timeline = await types(incident.id);
    expect(timeline.filter((t) => t === 'usage_traced')).toHaveLength(1);
    expect(timeline.filter((t) => t === 'revocation_started')).toHaveLength(1);
    expect(view(value)?.revocations).toBe(1);
  });

  it('a finish job for an incident whose containment is not decided does nothing', async () => {
    const d = deps({ tracers: [usageTracer] });
    const tracing = new RecordingQueue<IncidentJob>();
    const { incident, value } = await plant(d, 'aws');
    expect(await containIncident(incident.id, { ...d.containmentDeps, tracing }, { step: 'finish' })).toEqual(
      { outcome: 'skipped', reason: 'nothing to finish while open' },
    );
    expect((await get(incident.id)).status).toBe('open');
    expect(view(value)).toMatchObject({ live: true, revocations: 0 });
  });

  it('a crash between verification and the vault: the next delivery finishes tracing and the vault, without touching the credential', async () => {
    const d = deps({ tracers: [usageTracer] });
    const { incident, value } = await plant(d, 'aws');
    let traced = 0;
    const counting: Tracer = {
      ...usageTracer,
      trace: async (input) => ((traced += 1), usageTracer.trace(input)),
    };
    // The first worker dies while deleting the vault entry (after the tracers ran).
    let crash = true;
    const vault = Object.assign(Object.create(d.vault) as MemoryVault, {
      delete: async (fingerprint: string) => {
        if (crash) throw new Error('Lambda timed out');
        return d.vault.delete(fingerprint);
      },
    });
    const crashing = { ...d.containmentDeps, vault, tracers: [counting], leaseMs: 50 };
    await expect(containIncident(incident.id, crashing)).rejects.toThrow('Lambda timed out');
    const stopped = await get(incident.id);
    expect(stopped.status).toBe('contained');
    expect(stopped.vaulted).toBe(true);
    expect(stopped.phases.containmentEndedAt).toBeUndefined();

    crash = false;
    await new Promise((r) => setTimeout(r, 60)); // the crashed worker's lease runs out
    expect(await containIncident(incident.id, crashing)).toEqual({ outcome: 'ended', status: 'contained' });
    const finished = await get(incident.id);
    expect(finished.vaulted).toBe(false);
    expect(finished.phases.containmentEndedAt).toBeDefined();
    expect(traced).toBe(2);
    expect((await types(incident.id)).filter((t) => t === 'revocation_started')).toHaveLength(1);
    expect(view(value)?.revocations).toBe(1);
  });
});
