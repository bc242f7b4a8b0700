/**
 * The domain services on the real DynamoDB store: the invariants they keep under retries and
 * concurrency (vault emptied when containment ends, one owner per containment, one Slack card).
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoIncidentStore } from '../../functions/adapters/dynamodb/incident-store.ts';
import { MemoryVault } from '../../functions/adapters/vault/file-vault.ts';
import { containIncident } from '../../functions/domain/containment/contain.ts';
import { parseModeConfig } from '../../functions/domain/containment/modes.ts';
import { acknowledge, markFalsePositive } from '../../functions/domain/incidents/actions.ts';
import { incidentIdFor, SYSTEM } from '../../functions/domain/incidents/incident.ts';
import { recordDetection } from '../../functions/domain/intake/record-detection.ts';
import type { IncidentJob } from '../../functions/domain/jobs.ts';
import { syncCard } from '../../functions/domain/notifications/sync-card.ts';
import { systemClock } from '../../functions/domain/ports.ts';
import { freshTable } from '../helpers/dynamo.ts';
import { RecordingChat, RecordingQueue } from '../helpers/fakes.ts';

let incidents: DynamoIncidentStore;
beforeAll(async () => {
  const { client, tableName } = await freshTable();
  incidents = new DynamoIncidentStore(client, tableName);
});

let n = 0;
function detected(secret = `value-${++n}-${Math.random()}`) {
  return {
    fingerprint: createHash('sha256').update(secret).digest('hex'),
    type: 'slack_bot_token',
    provider: 'slack',
    redacted: 'xoxb-…abcd',
    confidence: 'high' as const,
    revocable: true,
    secret,
  };
}
const where = (line = 3) => ({
  repo: 'acme/chatops',
  commit: 'd'.repeat(40),
  path: 'bot/.env',
  line,
  source: 'push' as const,
});

function deps() {
  return {
    incidents,
    vault: new MemoryVault(),
    containment: new RecordingQueue<IncidentJob>(),
    notifications: new RecordingQueue<IncidentJob>(),
    clock: systemClock,
  };
}

describe('recording a detection', () => {
  it('vaults the value before the incident exists and enqueues containment and a card', async () => {
    const d = deps();
    const cred = detected();
    const result = await recordDetection(d, cred, where());
    expect(await d.vault.get(cred.fingerprint)).toBe(cred.secret);
    expect(result.created).toBe(true);
    expect(d.containment.sent).toEqual([{ incidentId: result.incident.id }]);
    expect(d.notifications.sent).toEqual([{ incidentId: result.incident.id }]);
    expect(JSON.stringify(result.incident)).not.toContain(cred.secret);
  });

  it('re-enqueues containment on a retry while the incident is still open (a crash between steps loses nothing)', async () => {
    const d = deps();
    const cred = detected();
    await recordDetection(d, cred, where());
    await recordDetection(d, cred, where());
    expect(d.containment.sent).toHaveLength(2);
    // the second message is harmless: only one worker wins open → containing
  });

  it('does not put the value back in the vault once containment has ended', async () => {
    const d = deps();
    const cred = detected();
    const { incident } = await recordDetection(d, cred, where());
    await containIncident(incident.id, {
      ...d,
      modes: parseModeConfig('dry-run', undefined),
      leaseMs: 60_000,
    });
    expect(await d.vault.get(cred.fingerprint)).toBeUndefined();
    await recordDetection(d, cred, where(9));
    expect(await d.vault.get(cred.fingerprint)).toBeUndefined();
    expect((await incidents.get(incident.id))?.exposureCount).toBe(2);
  });
});

describe('containment', () => {
  it('in dry-run records the plan, ends unverified and escalated, and empties the vault', async () => {
    const d = deps();
    const cred = detected();
    const { incident } = await recordDetection(d, cred, where());
    const outcome = await containIncident(incident.id, {
      ...d,
      modes: parseModeConfig('dry-run', undefined),
      leaseMs: 60_000,
    });
    expect(outcome).toEqual({ outcome: 'ended', status: 'containment_unverified' });
    const after = await incidents.get(incident.id);
    expect(after?.escalated?.reason).toMatch(/dry-run/);
    expect(after?.vaulted).toBe(false);
    expect(after?.phases.containmentStartedAt).toBeDefined();
    expect(after?.phases.containmentEndedAt).toBeDefined();
    const types = (await incidents.timeline(incident.id)).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['detected', 'status_changed', 'revocation_planned', 'vault_cleared']),
    );
    expect(await d.vault.get(cred.fingerprint)).toBeUndefined();
  });

  it('never calls an incident contained without a verification (no revoker: unverified, escalated)', async () => {
    const d = deps();
    const { incident } = await recordDetection(d, detected(), where());
    const outcome = await containIncident(incident.id, {
      ...d,
      modes: parseModeConfig('enforce', undefined),
      leaseMs: 60_000,
    });
    expect(outcome).toEqual({ outcome: 'ended', status: 'containment_unverified' });
    const types = (await incidents.timeline(incident.id)).map((e) => e.type);
    expect(types).toContain('manual_containment_required');
    expect(types).not.toContain('verified_dead');
  });

  it('lets one of two simultaneous workers own the containment; the other drops out', async () => {
    const d = deps();
    const { incident } = await recordDetection(d, detected(), where());
    // Both workers read the open incident before either writes: without this, a worker slowed by
    // the machine may start after the other has finished, and rightly find nothing left to do.
    let arrived = 0;
    let bothRead!: () => void;
    const together = new Promise<void>((resolve) => (bothRead = resolve));
    const readTogether = new Proxy(incidents, {
      get(target, name, receiver) {
        const member = Reflect.get(target, name, receiver) as unknown;
        if (typeof member !== 'function') return member;
        return async (...args: unknown[]) => {
          const result = await (member as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (name === 'get' && arrived < 2) {
            if (++arrived === 2) bothRead();
            await together;
          }
          return result;
        };
      },
    });
    const config = {
      ...d,
      incidents: readTogether,
      modes: parseModeConfig('dry-run', undefined),
      leaseMs: 60_000,
    };
    const outcomes = await Promise.all([
      containIncident(incident.id, config),
      containIncident(incident.id, config),
    ]);
    expect(arrived).toBe(2);
    expect(outcomes.filter((o) => o.outcome === 'ended')).toHaveLength(1);
    const planned = (await incidents.timeline(incident.id)).filter((e) => e.type === 'revocation_planned');
    expect(planned).toHaveLength(1);
  });

  it('skips an incident marked false positive before containment began, and still empties the vault', async () => {
    const d = deps();
    const cred = detected();
    const { incident } = await recordDetection(d, cred, where());
    await markFalsePositive(d, incident.id, { kind: 'slack_user', id: 'U9' });
    await containIncident(incident.id, {
      ...d,
      modes: parseModeConfig('dry-run', undefined),
      leaseMs: 60_000,
    });
    expect((await incidents.get(incident.id))?.status).toBe('false_positive');
    expect(await d.vault.get(cred.fingerprint)).toBeUndefined();
  });
});

describe('the Slack card', () => {
  it('is posted once, then updated in place, with each timeline event in the thread exactly once', async () => {
    const d = deps();
    const chat = new RecordingChat();
    const { incident } = await recordDetection(d, detected(), where());
    const notify = { incidents, chat, channel: 'C1', clock: systemClock, claimStaleAfterMs: 60_000 };
    await Promise.all([
      syncCard(incident.id, notify),
      syncCard(incident.id, notify),
      syncCard(incident.id, notify),
    ]);
    await acknowledge(d, incident.id, { kind: 'slack_user', id: 'U1', name: 'ana' });
    await syncCard(incident.id, notify);
    const cards = chat.posts.filter((p) => !p.threadTs);
    expect(cards).toHaveLength(1);
    expect(chat.updates.length).toBeGreaterThanOrEqual(1);
    expect(chat.updates.at(-1)?.text).toContain(incident.id);
    // One line per event; a sync's new events share one reply (Slack's ~1 post/s per channel).
    const thread = chat.posts.filter((p) => p.threadTs).flatMap((p) => p.text.split('\n'));
    const timeline = await incidents.timeline(incident.id);
    expect(thread).toHaveLength(timeline.length);
    expect(new Set(thread).size).toBe(thread.length);
    expect(incidentIdFor(incident.fingerprint)).toBe(incident.id);
  });

  it('puts the events new since the last sync into one thread reply, one line each, in timeline order', async () => {
    const d = deps();
    const chat = new RecordingChat();
    const { incident } = await recordDetection(d, detected(), where());
    const notify = { incidents, chat, channel: 'C1', clock: systemClock, claimStaleAfterMs: 60_000 };
    await syncCard(incident.id, notify);
    const types = ['live_check', 'revocation_started', 'revoked', 'verified_dead'];
    for (const [i, type] of types.entries())
      await incidents.appendEvent(incident.id, {
        at: new Date(Date.now() + 1000 + i).toISOString(),
        type,
        actor: SYSTEM,
        detail: `${type} happened`,
      });
    await syncCard(incident.id, notify);
    const replies = chat.posts.filter((p) => p.threadTs);
    expect(replies).toHaveLength(2);
    expect(replies[1]!.text.split('\n').map((line) => /· (\w+):/.exec(line)?.[1])).toEqual(types);
  });

  it("posts an event stamped before another writer's but written after it, once, and repeats nothing", async () => {
    // Containment stamps its claim before the live check and writes it after; meanwhile a second
    // sighting is recorded and a sync posts it.
    const d = deps();
    const chat = new RecordingChat();
    const { incident } = await recordDetection(d, detected(), where());
    const notify = { incidents, chat, channel: 'C1', clock: systemClock, claimStaleAfterMs: 60_000 };
    await syncCard(incident.id, notify);
    const claimedAt = new Date(Date.now() + 1000).toISOString();
    const sightedAt = new Date(Date.now() + 1050).toISOString();
    const event = (at: string, type: string, detail: string) => ({ at, type, actor: SYSTEM, detail });
    await incidents.appendEvent(incident.id, event(sightedAt, 'exposure_added', 'seen again in ci.yml'));
    await syncCard(incident.id, notify);
    await incidents.write(incident.id, {}, [event(claimedAt, 'status_changed', 'containment started')]);
    await syncCard(incident.id, notify);
    const thread = chat.posts.filter((p) => p.threadTs).flatMap((p) => p.text.split('\n'));
    expect(thread.filter((line) => line.includes('seen again in ci.yml'))).toHaveLength(1);
    expect(thread.filter((line) => line.includes('containment started'))).toHaveLength(1);
    expect(thread).toHaveLength((await incidents.timeline(incident.id)).length);
    // The timeline itself still reads in time order.
    expect((await incidents.timeline(incident.id)).slice(-2).map((e) => e.type)).toEqual([
      'status_changed',
      'exposure_added',
    ]);
  });
});
