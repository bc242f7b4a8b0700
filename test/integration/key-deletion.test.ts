/**
 * Grace-period deletion of contained AWS keys, on the real DynamoDB store, against the sandbox's
 * STS and IAM stand-ins: keys are contained by the real containment flow first, then swept with a
 * clock moved past the grace period. The sweep finds each key among its user's keys by
 * fingerprint, deletes it only while it is inactive, and records each deletion once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STSClient } from '@aws-sdk/client-sts';
import { IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { assumeRoleCredentials } from '../../functions/adapters/aws/account-access.ts';
import { AwsKeyDeleter } from '../../functions/adapters/aws/delete-aws-key.ts';
import { DynamoIncidentStore } from '../../functions/adapters/dynamodb/incident-store.ts';
import { DynamoRevocationBatches } from '../../functions/adapters/dynamodb/revocation-batches.ts';
import { MemoryVault } from '../../functions/adapters/vault/file-vault.ts';
import { containIncident } from '../../functions/domain/containment/contain.ts';
import {
  parseGracePeriod,
  sweepKeyDeletions,
  type KeyDeletionDeps,
} from '../../functions/domain/containment/key-deletion.ts';
import { parseModeConfig } from '../../functions/domain/containment/modes.ts';
import { fingerprint } from '../../functions/domain/detection/redact.ts';
import type { Incident } from '../../functions/domain/incidents/incident.ts';
import { recordDetection } from '../../functions/domain/intake/record-detection.ts';
import type { IncidentJob } from '../../functions/domain/jobs.ts';
import { systemClock } from '../../functions/domain/ports.ts';
import { awsKeyPair } from '../helpers/credentials.ts';
import { freshTable } from '../helpers/dynamo.ts';
import { RecordingQueue } from '../helpers/fakes.ts';
import {
  ROLE_NAME,
  sandboxRevokers,
  startProviderSandbox,
  useSandboxAws,
  type ProviderSandbox,
} from '../helpers/providers.ts';

const KEY = 'key-deletion-test-fingerprint-key';
const WEEK = parseGracePeriod('7d') as number;

let incidents: DynamoIncidentStore;
let batches: DynamoRevocationBatches;
let providers: ProviderSandbox;

beforeAll(async () => {
  providers = await startProviderSandbox();
  useSandboxAws(providers.url);
});
afterAll(async () => providers.close());
// A table per test: each sweep's report counts exactly the keys its test contained.
beforeEach(async () => {
  providers.sandbox.faults.clear();
  const { client, tableName } = await freshTable();
  incidents = new DynamoIncidentStore(client, tableName);
  batches = new DynamoRevocationBatches(client, tableName);
});

/** A pushed AWS key pair, registered live, contained by the real flow in enforce mode. */
async function containedKey(): Promise<{ incident: Incident; accessKeyId: string }> {
  const pair = awsKeyPair();
  providers.sandbox.credentials.register({ value: pair.accessKeyId, secret: pair.secretAccessKey });
  const vault = new MemoryVault();
  const notifications = new RecordingQueue<IncidentJob>();
  const { incident } = await recordDetection(
    { incidents, vault, containment: new RecordingQueue(), notifications, clock: systemClock },
    {
      fingerprint: fingerprint(KEY, pair.accessKeyId),
      type: 'aws_access_key',
      provider: 'aws',
      redacted: `${pair.accessKeyId.slice(0, 4)}…${pair.accessKeyId.slice(-4)}`,
      confidence: 'high',
      revocable: true,
      secret: JSON.stringify(pair),
    },
    { repo: 'acme/api', commit: 'b'.repeat(40), path: 'config/settings.py', line: 8, source: 'push' },
  );
  const outcome = await containIncident(incident.id, {
    incidents,
    vault,
    notifications,
    containment: new RecordingQueue(),
    clock: systemClock,
    modes: parseModeConfig('enforce', undefined),
    leaseMs: 60_000,
    revokers: sandboxRevokers(providers.url, { vault, clock: systemClock, batches }).all,
    tracers: [],
    random: () => 0.1,
  });
  expect(outcome).toEqual({ outcome: 'ended', status: 'contained' });
  return { incident: (await incidents.get(incident.id)) as Incident, accessKeyId: pair.accessKeyId };
}

function sweepDeps(overrides: Partial<KeyDeletionDeps> & { at?: Date; budgetMs?: number } = {}) {
  const notifications = new RecordingQueue<IncidentJob>();
  const sts = new STSClient({ maxAttempts: 1 });
  const at = overrides.at ?? new Date(Date.now() + WEEK + 60_000);
  const deps: KeyDeletionDeps = {
    incidents,
    deleter: new AwsKeyDeleter({
      credentialsFor: assumeRoleCredentials({ roleName: ROLE_NAME, sts }),
      fingerprintOf: (id) => fingerprint(KEY, id),
      ...(overrides.budgetMs !== undefined ? { budgetMs: overrides.budgetMs } : {}),
    }),
    notifications,
    clock: { now: () => at },
    afterMs: WEEK,
    ...overrides,
  };
  return { deps, notifications };
}

const view = (accessKeyId: string) => {
  const credential = providers.sandbox.credentials.find(accessKeyId);
  return credential && providers.sandbox.credentials.view(credential);
};
const timelineTypes = async (id: string) => (await incidents.timeline(id)).map((e) => e.type);

describe('grace-period deletion of contained AWS keys', () => {
  it('deletes the inactive key once the grace period is over, records it once, and a second sweep does nothing', async () => {
    const { incident, accessKeyId } = await containedKey();
    expect(view(accessKeyId)).toMatchObject({ live: false, revocations: 1 });
    expect(view(accessKeyId)).not.toHaveProperty('deleted');

    const { deps, notifications } = sweepDeps();
    const first = await sweepKeyDeletions(deps);
    expect(first).toMatchObject({ deleted: 1, failed: 0, incomplete: false });
    // Deleting a key that containment already deactivated is not another revocation.
    expect(view(accessKeyId)).toMatchObject({ deleted: true, live: false, revocations: 1 });
    const after = (await incidents.get(incident.id)) as Incident;
    expect(after.keyDeletion).toMatchObject({ outcome: 'deleted' });
    expect(after.keyDeletion?.detail).toContain('iam:DeleteAccessKey');
    expect(notifications.sent).toEqual([{ incidentId: incident.id }]);

    const second = await sweepKeyDeletions(sweepDeps().deps);
    expect(second).toMatchObject({ considered: 0, deleted: 0 });
    expect((await timelineTypes(incident.id)).filter((t) => t === 'key_deleted')).toHaveLength(1);
    expect(JSON.stringify(await incidents.timeline(incident.id))).not.toContain(accessKeyId);
  });

  it('leaves a key alone while its grace period runs', async () => {
    const { incident, accessKeyId } = await containedKey();
    const verifiedAt = Date.parse(incident.phases.verifiedAt as string);
    await sweepKeyDeletions(sweepDeps({ at: new Date(verifiedAt + WEEK - 60_000) }).deps);
    expect(view(accessKeyId)).not.toHaveProperty('deleted');
    expect((await incidents.get(incident.id))?.keyDeletion).toBeUndefined();
  });

  it('deletes nothing when no grace period is configured (the default)', async () => {
    const { accessKeyId } = await containedKey();
    const report = await sweepKeyDeletions(sweepDeps({ afterMs: parseGracePeriod(undefined) }).deps);
    expect(report).toMatchObject({ considered: 0, deleted: 0 });
    expect(view(accessKeyId)).not.toHaveProperty('deleted');
  });

  it('leaves a key someone re-activated for a person, and says why', async () => {
    const { incident, accessKeyId } = await containedKey();
    const account = view(accessKeyId)?.account as string;
    const owner = view(accessKeyId)?.owner as string;
    const credentials = await assumeRoleCredentials({ roleName: ROLE_NAME })(account);
    const iam = new IAMClient({ region: 'us-east-1', credentials });
    await iam.send(
      new UpdateAccessKeyCommand({ AccessKeyId: accessKeyId, UserName: owner, Status: 'Active' }),
    );
    iam.destroy();

    const report = await sweepKeyDeletions(sweepDeps().deps);
    expect(report).toMatchObject({ skipped: 1, deleted: 0 });
    expect(view(accessKeyId)).toMatchObject({ live: true });
    expect(view(accessKeyId)).not.toHaveProperty('deleted');
    const after = (await incidents.get(incident.id)) as Incident;
    expect(after.keyDeletion).toMatchObject({ outcome: 'skipped' });
    expect(after.keyDeletion?.detail).toMatch(/re-activated/);
    expect(await timelineTypes(incident.id)).toContain('key_deletion_skipped');
  });

  it('records a key its owner already deleted as gone', async () => {
    const { incident, accessKeyId } = await containedKey();
    const credential = providers.sandbox.credentials.find(accessKeyId);
    if (credential) credential.deleted = true;
    expect(await sweepKeyDeletions(sweepDeps().deps)).toMatchObject({ gone: 1, deleted: 0 });
    expect((await incidents.get(incident.id))?.keyDeletion?.outcome).toBe('gone');
  });

  it('an IAM outage records nothing and the next sweep deletes the key', async () => {
    const { incident, accessKeyId } = await containedKey();
    providers.sandbox.faults.inject({ service: 'iam', status: 500, count: 1000 });
    const failed = await sweepKeyDeletions(sweepDeps({ budgetMs: 300 }).deps);
    expect(failed).toMatchObject({ failed: 1, deleted: 0 });
    expect((await incidents.get(incident.id))?.keyDeletion).toBeUndefined();

    providers.sandbox.faults.clear();
    expect(await sweepKeyDeletions(sweepDeps().deps)).toMatchObject({ deleted: 1 });
    expect(view(accessKeyId)).toMatchObject({ deleted: true });
  });
});

describe('parseGracePeriod', () => {
  it('reads never, seconds, minutes, hours and days, and rejects anything else', () => {
    expect(parseGracePeriod(undefined)).toBeUndefined();
    expect(parseGracePeriod('never')).toBeUndefined();
    expect(parseGracePeriod('30s')).toBe(30_000);
    expect(parseGracePeriod('90m')).toBe(90 * 60_000);
    expect(parseGracePeriod('36h')).toBe(36 * 3_600_000);
    expect(parseGracePeriod('7d')).toBe(7 * 86_400_000);
    for (const bad of ['0d', '7', '1 week', '-1h', '1.5d'])
      expect(() => parseGracePeriod(bad), bad).toThrow(/must be 'never' or a duration/);
  });
});
