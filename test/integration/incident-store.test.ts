/** The DynamoDB adapter against real DynamoDB Local: conditional writes are where exactly-once lives. */
import { createHash } from 'node:crypto';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDeliveryLedger } from '../../functions/adapters/dynamodb/delivery-ledger.ts';
import { DynamoIncidentStore } from '../../functions/adapters/dynamodb/incident-store.ts';
import {
  incidentIdFor,
  SYSTEM,
  type Exposure,
  type NewIncident,
} from '../../functions/domain/incidents/incident.ts';
import { TransitionRejected } from '../../functions/domain/incidents/lifecycle.ts';
import { freshTable } from '../helpers/dynamo.ts';

let store: DynamoIncidentStore;
let ledger: DynamoDeliveryLedger;
let client: DynamoDBDocumentClient;
let tableName: string;

beforeAll(async () => {
  ({ client, tableName } = await freshTable());
  store = new DynamoIncidentStore(client, tableName);
  ledger = new DynamoDeliveryLedger(client, tableName);
});

let counter = 0;
function credential(type = 'github_pat_classic'): NewIncident {
  counter += 1;
  return {
    fingerprint: createHash('sha256').update(`cred-${counter}-${Math.random()}`).digest('hex'),
    type,
    provider: type.startsWith('aws') ? 'aws' : 'github',
    redacted: 'ghp_…abcd',
    confidence: 'high',
    revocable: true,
  };
}

function exposure(repo: string, line = 1, detectedAt = new Date().toISOString()): Exposure {
  return { repo, commit: 'c'.repeat(40), path: 'config/app.env', line, source: 'push', detectedAt };
}

const detected = (detail = 'found') => ({
  at: new Date().toISOString(),
  type: 'detected',
  actor: SYSTEM,
  detail,
});

describe('DynamoIncidentStore', () => {
  it('opens one incident when many workers report the same credential at once', async () => {
    const cred = credential();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.recordDetection(cred, exposure(`acme/repo${i % 5}`), detected()),
      ),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const incident = await store.get(incidentIdFor(cred.fingerprint));
    expect(incident?.status).toBe('open');
    // five repositories, eight reports: five distinct exposures
    expect(incident?.exposureCount).toBe(5);
    expect(await store.exposures(incidentIdFor(cred.fingerprint))).toHaveLength(5);
  });

  it('records the same exposure reported twice only once', async () => {
    const cred = credential();
    const first = await store.recordDetection(cred, exposure('acme/api', 7), detected());
    const again = await store.recordDetection(cred, exposure('acme/api', 7), detected());
    expect(first).toMatchObject({ created: true, exposureAdded: true });
    expect(again).toMatchObject({ created: false, exposureAdded: false });
    expect(again.incident.exposureCount).toBe(1);
  });

  it('moves an incident forward with its timeline event, and refuses to move it backwards', async () => {
    const cred = credential();
    const id = incidentIdFor(cred.fingerprint);
    await store.recordDetection(cred, exposure('acme/api'), detected());
    const at = new Date().toISOString();
    const containing = await store.transition(
      id,
      'containing',
      { at, type: 'status_changed', actor: SYSTEM, detail: 'start' },
      { phases: { containmentStartedAt: at } },
    );
    expect(containing.status).toBe('containing');
    expect(containing.phases.containmentStartedAt).toBe(at);
    await expect(
      store.transition(id, 'containing', { at, type: 'status_changed', actor: SYSTEM, detail: 'again' }),
    ).rejects.toBeInstanceOf(TransitionRejected);
    const events = await store.timeline(id);
    expect(events.map((e) => e.type)).toEqual(['detected', 'status_changed']);
    expect(events[1]).toMatchObject({ from: 'open', to: 'containing' });
  });

  it('lets exactly one of many concurrent workers win a transition', async () => {
    const cred = credential();
    const id = incidentIdFor(cred.fingerprint);
    await store.recordDetection(cred, exposure('acme/api'), detected());
    const attempts = await Promise.allSettled(
      Array.from({ length: 6 }, () =>
        store.transition(id, 'containing', {
          at: new Date().toISOString(),
          type: 'status_changed',
          actor: SYSTEM,
          detail: 'race',
        }),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    expect((await store.timeline(id)).filter((e) => e.type === 'status_changed')).toHaveLength(1);
  });

  it('returns from a transition the incident it read with the write applied, exactly as stored', async () => {
    const cred = credential();
    const id = incidentIdFor(cred.fingerprint);
    await store.recordDetection(cred, exposure('acme/api'), detected());
    const at = new Date().toISOString();
    const returned = await store.transition(
      id,
      'containing',
      { at, type: 'status_changed', actor: SYSTEM, detail: 'start' },
      { leaseUntil: at, containmentNotice: null, phases: { containmentStartedAt: at } },
    );
    expect(returned).toEqual(await store.get(id));
  });

  it('stores the events of one write as one item, read back in time order among the events of other writes', async () => {
    const cred = credential();
    const id = incidentIdFor(cred.fingerprint);
    await store.recordDetection(cred, exposure('acme/api'), detected());
    const at = (ms: number) => new Date(Date.now() + ms).toISOString();
    const step = (type: string, when: string) => ({ at: when, type, actor: SYSTEM, detail: type });
    const [t1, t2, t3, t4] = [at(1000), at(2000), at(3000), at(4000)];
    await store.write(id, {}, [step('claim', t1), step('live_check', t3), step('mark', t4)]);
    // Another writer's event whose time falls between the first write's events.
    await store.appendEvent(id, step('exposure_added', t2));
    expect((await store.timeline(id)).map((e) => e.type)).toEqual([
      'detected',
      'claim',
      'exposure_added',
      'live_check',
      'mark',
    ]);
    const items = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :evt)',
        ExpressionAttributeValues: { ':pk': `INC#${id}`, ':evt': 'EVT#' },
      }),
    );
    expect(items.Count).toBe(3);
    // In the order written, the other writer's event comes after the whole first write.
    expect((await store.timeline(id, 'written')).map((e) => e.type)).toEqual([
      'detected',
      'claim',
      'live_check',
      'mark',
      'exposure_added',
    ]);
  });

  it('keeps the order of writing even when they share one clock millisecond', async () => {
    const frozen = new Date();
    const still = new DynamoIncidentStore(client, tableName, () => frozen);
    const cred = credential();
    const id = incidentIdFor(cred.fingerprint);
    await still.recordDetection(cred, exposure('acme/api'), detected());
    const types = Array.from({ length: 12 }, (_, i) => `step_${i}`);
    for (const [i, type] of types.entries())
      await still.appendEvent(id, {
        at: new Date(frozen.getTime() - i).toISOString(), // stamped ever earlier
        type,
        actor: SYSTEM,
        detail: type,
      });
    expect((await still.timeline(id, 'written')).map((e) => e.type)).toEqual(['detected', ...types]);
  });

  it('writes a step’s events with its transition in one transaction, in the order given, even at one timestamp', async () => {
    const cred = credential();
    const id = incidentIdFor(cred.fingerprint);
    await store.recordDetection(cred, exposure('acme/api'), detected());
    const at = new Date(Date.now() + 1000).toISOString();
    const step = (type: string) => ({ at, type, actor: SYSTEM, detail: type });
    for (let i = 0; i < 5; i += 1) {
      const fresh = credential();
      const freshId = incidentIdFor(fresh.fingerprint);
      const opened = await store.recordDetection(fresh, exposure('acme/api'), detected());
      await store.transition(
        freshId,
        'containing',
        step('status_changed'),
        {},
        {
          current: opened.incident,
          events: [step('live_check'), step('revocation_started'), step('revoked')],
        },
      );
      expect((await store.timeline(freshId)).map((e) => e.type)).toEqual([
        'detected',
        'live_check',
        'revocation_started',
        'revoked',
        'status_changed',
      ]);
    }
    expect(
      await store.write(id, { leaseUntil: at }, [step('a'), step('b'), step('c')], { status: 'open' }),
    ).toBe(true);
    expect((await store.timeline(id)).map((e) => e.type)).toEqual(['detected', 'a', 'b', 'c']);
    expect((await store.get(id))?.leaseUntil).toBe(at);
  });

  it('refuses a transition from a status the caller saw when another writer moved the incident since', async () => {
    const cred = credential();
    const id = incidentIdFor(cred.fingerprint);
    const { incident: seen } = await store.recordDetection(cred, exposure('acme/api'), detected());
    const event = (detail: string) => ({
      at: new Date().toISOString(),
      type: 'status_changed',
      actor: SYSTEM,
      detail,
    });
    await store.transition(id, 'containing', event('first'));
    await store.transition(id, 'containment_failed', event('failed'));
    // From containment_failed, containing is allowed again — but not for a caller that saw `open`.
    await expect(
      store.transition(id, 'containing', event('stale'), {}, { current: seen }),
    ).rejects.toBeInstanceOf(TransitionRejected);
    expect((await store.get(id))?.status).toBe('containment_failed');
  });

  it('writes nothing when a write’s condition fails', async () => {
    const cred = credential();
    const id = incidentIdFor(cred.fingerprint);
    await store.recordDetection(cred, exposure('acme/api'), detected());
    const at = new Date().toISOString();
    expect(
      await store.write(id, { leaseUntil: at }, [{ at, type: 'x', actor: SYSTEM, detail: 'x' }], {
        status: 'containing',
      }),
    ).toBe(false);
    expect((await store.timeline(id)).map((e) => e.type)).toEqual(['detected']);
    expect((await store.get(id))?.leaseUntil).toBeUndefined();
  });

  it('applies a conditional update only once (acknowledge twice)', async () => {
    const cred = credential();
    const id = incidentIdFor(cred.fingerprint);
    await store.recordDetection(cred, exposure('acme/api'), detected());
    const by = { kind: 'slack_user' as const, id: 'U1' };
    const at = new Date().toISOString();
    const first = await store.update(
      id,
      { acknowledged: { by, at } },
      { at, type: 'acknowledged', actor: by, detail: 'ack' },
      { notAcknowledged: true },
    );
    const second = await store.update(
      id,
      { acknowledged: { by, at } },
      { at, type: 'acknowledged', actor: by, detail: 'ack' },
      { notAcknowledged: true },
    );
    expect(first?.acknowledged?.by.id).toBe('U1');
    expect(second).toBeUndefined();
  });

  it('lists incidents by status, type and repository, newest first', async () => {
    const aws = credential('aws_access_key');
    const gh = credential('github_pat_classic');
    await store.recordDetection(aws, exposure('acme/listing', 1, '2026-11-01T00:00:00.000Z'), detected());
    await store.recordDetection(gh, exposure('acme/listing', 2, '2026-11-02T00:00:00.000Z'), detected());
    const byRepo = await store.list({ repo: 'acme/listing', limit: 10 });
    expect(byRepo.items.map((i) => i.fingerprint).sort()).toEqual([aws.fingerprint, gh.fingerprint].sort());
    const byType = await store.list({ type: 'aws_access_key', limit: 100 });
    expect(byType.items.map((i) => i.fingerprint)).toContain(aws.fingerprint);
    expect(byType.items.every((i) => i.type === 'aws_access_key')).toBe(true);
    const open = await store.list({ status: 'open', limit: 100 });
    expect(open.items.every((i) => i.status === 'open')).toBe(true);
    const recent = await store.list({
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
      limit: 100,
    });
    const times = recent.items.map((i) => i.detectedAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('pages through history with a cursor without repeating an incident', async () => {
    const ids = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.list({ limit: 3, ...(cursor ? { cursor } : {}) });
      for (const item of page.items) {
        expect(ids.has(item.id)).toBe(false);
        ids.add(item.id);
      }
      cursor = page.cursor;
      pages += 1;
    } while (cursor && pages < 50);
    expect(pages).toBeGreaterThan(1);
    expect(ids.size).toBe((await store.list({ limit: 100 })).items.length);
  });

  it('lets only one worker claim the Slack card, and the thread cursor advance once', async () => {
    const cred = credential();
    const id = incidentIdFor(cred.fingerprint);
    await store.recordDetection(cred, exposure('acme/api'), detected());
    const now = new Date();
    const claims = await Promise.all([
      store.claimSlackCard(id, now, 60_000),
      store.claimSlackCard(id, now, 60_000),
    ]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    await store.saveSlackCard(id, { channel: 'C1', ts: '1.0001' });
    expect(await store.claimSlackCard(id, new Date(now.getTime() + 3_600_000), 60_000)).toBe(false);
    expect(await store.advanceSlackThread(id, 0, 2)).toBe(true);
    expect(await store.advanceSlackThread(id, 0, 2)).toBe(false);
  });
});

describe('DynamoDeliveryLedger', () => {
  it('claims a delivery id once and calls the redelivery a duplicate', async () => {
    const id = `delivery-${Math.random()}`;
    const now = new Date();
    expect(await ledger.claim(id, now)).toBe('claimed');
    await ledger.complete(id, now);
    expect(await ledger.claim(id, now)).toBe('duplicate');
  });

  it('lets a redelivery through after the first attempt released its claim', async () => {
    const id = `delivery-${Math.random()}`;
    expect(await ledger.claim(id, new Date())).toBe('claimed');
    await ledger.release(id);
    expect(await ledger.claim(id, new Date())).toBe('claimed');
  });

  it('takes over a claim abandoned by a crashed function after a minute', async () => {
    const id = `delivery-${Math.random()}`;
    const then = new Date();
    expect(await ledger.claim(id, then)).toBe('claimed');
    expect(await ledger.claim(id, new Date(then.getTime() + 5_000))).toBe('duplicate');
    expect(await ledger.claim(id, new Date(then.getTime() + 61_000))).toBe('claimed');
  });
});
