/**
 * IncidentRepository on one DynamoDB table (see TABLE in functions/shared/resources.ts):
 *   INC#<id> / META        the incident (status, phases, first exposures, Slack card)
 *   INC#<id> / EXP#<key>   every exposure, indexed by repository (byRepo)
 *   INC#<id> / EVT#<written>#<seq>#…  the timeline, append-only: one event, or the events of one
 *                          write together (`events`, in order): DynamoDB Local spends ~1.3 ms of CPU
 *                          per item in a transaction, and a containment step writes up to three.
 *                          Keyed by when the write was made, not by the events' own times (a claim
 *                          is stamped before its live check), so key order is the order of writing
 * Status changes are conditional writes in a transaction with their timeline event.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import {
  EMBEDDED_EXPOSURES,
  exposureKey,
  incidentIdFor,
  severityFor,
  type Exposure,
  type Incident,
  type IncidentStatus,
  type NewIncident,
  type TimelineEvent,
} from '../../domain/incidents/incident.ts';
import { statusesLeadingTo, TransitionRejected } from '../../domain/incidents/lifecycle.ts';
import { withChanges } from '../../domain/incidents/changes.ts';
import type {
  DetectionResult,
  IncidentChanges,
  IncidentPage,
  IncidentQuery,
  IncidentRepository,
  TimelineOrder,
  TransitionOptions,
  UpdateCondition,
} from '../../domain/ports.ts';

const META = 'META';
const KEY_FIELDS = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
  'gsi4pk',
  'gsi4sk',
  'slackClaimAt',
  'itemType',
];

const incidentKey = (id: string) => ({ pk: `INC#${id}`, sk: META });

/** This process's writes, counted: orders its writes within one clock millisecond. */
let writeSeq = 0;

/** An event item's sort key: when it is written, then this process's write count, then a random tie-break. */
function eventSk(writtenAt: Date): string {
  writeSeq = (writeSeq + 1) % 0x1000000;
  return `EVT#${writtenAt.toISOString()}#${writeSeq.toString(16).padStart(6, '0')}#${randomBytes(3).toString('hex')}`;
}

function eventItem(id: string, event: TimelineEvent, writtenAt: Date) {
  return { pk: `INC#${id}`, sk: eventSk(writtenAt), itemType: 'event', ...event };
}

/** The transaction entry appending events in the order given: one item, whatever their number. */
function eventPuts(tableName: string, id: string, events: readonly TimelineEvent[], writtenAt: Date) {
  const [first] = events;
  if (!first) return [];
  const item =
    events.length === 1
      ? eventItem(id, first, writtenAt)
      : { pk: `INC#${id}`, sk: eventSk(writtenAt), itemType: 'events', events };
  return [{ Put: { TableName: tableName, Item: item } }];
}

/**
 * Event items (in key order) as timeline events: in the order they were written, or in time order
 * (stable: a write's events keep theirs).
 */
function timelineOf(items: readonly Record<string, unknown>[], order: TimelineOrder): TimelineEvent[] {
  const events = items.flatMap((item) =>
    Array.isArray(item.events) ? (item.events as TimelineEvent[]) : [strip<TimelineEvent>(item)],
  );
  if (order === 'written') return events;
  return events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

function exposureItem(id: string, exposure: Exposure) {
  return {
    pk: `INC#${id}`,
    sk: `EXP#${exposureKey(exposure)}`,
    itemType: 'exposure',
    incidentId: id,
    gsi3pk: `REPO#${exposure.repo}`,
    gsi3sk: `${exposure.detectedAt}#${id}`,
    ...exposure,
  };
}

function strip<T>(item: Record<string, unknown>): T {
  const copy: Record<string, unknown> = { ...item };
  for (const key of KEY_FIELDS) delete copy[key];
  return copy as T;
}

function isConditionFailure(error: unknown, index = 0): boolean {
  if (error instanceof TransactionCanceledException)
    return error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';
  return (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}

/** Builds `SET a = :a, phases.#p = :p …` from changes; names and values are all placeholders. */
function changeExpression(changes: IncidentChanges, now: string) {
  const sets = ['updatedAt = :updatedAt'];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':updatedAt': now };
  for (const field of [
    'vaulted',
    'severity',
    'acknowledged',
    'escalated',
    'approval',
    'liveCheck',
    'usage',
    'leaseUntil',
    'containmentNotice',
    'keyDeletion',
  ] as const) {
    if (changes[field] === undefined) continue;
    sets.push(`#${field} = :${field}`);
    names[`#${field}`] = field;
    values[`:${field}`] = changes[field];
  }
  for (const [phase, at] of Object.entries(changes.phases ?? {})) {
    if (at === undefined) continue;
    sets.push(`phases.#phase_${phase} = :phase_${phase}`);
    names[`#phase_${phase}`] = phase;
    values[`:phase_${phase}`] = at;
  }
  return { sets, names, values };
}

function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeCursor<T>(cursor: string | undefined): T | undefined {
  if (!cursor) return undefined;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as T;
  } catch {
    throw new InvalidCursor();
  }
}

export class InvalidCursor extends Error {
  constructor() {
    super('cursor is not one this API returned');
    this.name = 'InvalidCursor';
  }
}

export class DynamoIncidentStore implements IncidentRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async recordDetection(
    incident: NewIncident,
    exposure: Exposure,
    event: TimelineEvent,
  ): Promise<DetectionResult> {
    const id = incidentIdFor(incident.fingerprint);
    const detectedAt = exposure.detectedAt;
    const item = {
      ...incidentKey(id),
      itemType: 'incident',
      gsi1pk: 'STATUS#open',
      gsi1sk: `${detectedAt}#${id}`,
      gsi2pk: `TYPE#${incident.type}`,
      gsi2sk: `${detectedAt}#${id}`,
      gsi4pk: `MONTH#${detectedAt.slice(0, 7)}`,
      gsi4sk: `${detectedAt}#${id}`,
      id,
      ...incident,
      severity: severityFor(incident),
      status: 'open' satisfies IncidentStatus,
      detectedAt,
      updatedAt: detectedAt,
      exposures: [exposure],
      exposureCount: 1,
      phases: {},
      vaulted: true,
    };
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: { TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
            },
            { Put: { TableName: this.tableName, Item: exposureItem(id, exposure) } },
            { Put: { TableName: this.tableName, Item: eventItem(id, event, this.now()) } },
          ],
        }),
      );
      return { incident: strip<Incident>(item), created: true, exposureAdded: true };
    } catch (error) {
      if (!isConditionFailure(error, 0)) throw error;
    }
    const exposureAdded = await this.addExposure(id, exposure, {
      ...event,
      type: 'exposure_added',
      detail: event.detail,
    });
    const current = await this.get(id);
    if (!current) throw new Error(`incident ${id} vanished while merging an exposure`);
    return { incident: current, created: false, exposureAdded };
  }

  private async addExposure(id: string, exposure: Exposure, event: TimelineEvent): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: exposureItem(id, exposure),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: incidentKey(id),
                UpdateExpression: 'SET exposureCount = exposureCount + :one, updatedAt = :now',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':one': 1, ':now': event.at },
              },
            },
            { Put: { TableName: this.tableName, Item: eventItem(id, event, this.now()) } },
          ],
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error, 0)) throw error;
      if (exposure.alertNumber !== undefined) await this.linkAlert(id, exposure);
      return false;
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: incidentKey(id),
          UpdateExpression: 'SET exposures = list_append(exposures, :e)',
          ConditionExpression: 'size(exposures) < :max',
          ExpressionAttributeValues: { ':e': [exposure], ':max': EMBEDDED_EXPOSURES },
        }),
      );
    } catch (error) {
      // The card shows the first exposures only; the exposure items hold them all.
      if (!isConditionFailure(error)) throw error;
    }
    return true;
  }

  /**
   * A location found by a push and later reported by a GitHub alert keeps one exposure, now naming
   * the alert: on its exposure item and, when it is among the first exposures the incident embeds
   * (what lists and the Slack card show), there too.
   */
  private async linkAlert(id: string, exposure: Exposure): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `INC#${id}`, sk: `EXP#${exposureKey(exposure)}` },
          UpdateExpression: 'SET alertNumber = :n',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(alertNumber)',
          ExpressionAttributeValues: { ':n': exposure.alertNumber },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return;
    }
    const embedded = (await this.get(id))?.exposures ?? [];
    const index = embedded.findIndex(
      (e) => exposureKey(e) === exposureKey(exposure) && e.alertNumber === undefined,
    );
    if (index < 0) return;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: incidentKey(id),
          UpdateExpression: `SET exposures[${index}].alertNumber = :n`,
          // The list only grows, but check the element is still this location before naming it.
          ConditionExpression: `exposures[${index}].#repo = :repo AND exposures[${index}].#commit = :commit AND exposures[${index}].#path = :path AND exposures[${index}].#line = :line`,
          ExpressionAttributeNames: {
            '#repo': 'repo',
            '#commit': 'commit',
            '#path': 'path',
            '#line': 'line',
          },
          ExpressionAttributeValues: {
            ':n': exposure.alertNumber,
            ':repo': exposure.repo,
            ':commit': exposure.commit,
            ':path': exposure.path,
            ':line': exposure.line,
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async get(id: string): Promise<Incident | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: incidentKey(id), ConsistentRead: true }),
    );
    return Item ? strip<Incident>(Item) : undefined;
  }

  private async queryAll(id: string, prefix: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': `INC#${id}`, ':prefix': prefix },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  async timeline(id: string, order: TimelineOrder = 'time'): Promise<TimelineEvent[]> {
    return timelineOf(await this.queryAll(id, 'EVT#'), order);
  }

  async exposures(id: string): Promise<Exposure[]> {
    return (await this.queryAll(id, 'EXP#')).map((item) => {
      const exposure = strip<Exposure & { incidentId?: string }>(item);
      delete exposure.incidentId;
      return exposure;
    });
  }

  async transition(
    id: string,
    to: IncidentStatus,
    event: TimelineEvent,
    changes: IncidentChanges = {},
    options: TransitionOptions = {},
  ): Promise<Incident> {
    const from = statusesLeadingTo(to);
    const { sets, names, values } = changeExpression(changes, event.at);
    // The write is conditional on the very status it starts from (one the lifecycle allows), so the
    // incident it returns is the one it read with this write applied: no read after the write.
    let before = options.current ?? (await this.get(id));
    for (let attempt = 0; ; attempt += 1) {
      if (!before || !from.includes(before.status)) throw new TransitionRejected(id, to, before?.status);
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: incidentKey(id),
                  UpdateExpression: `SET ${sets.join(', ')}, #status = :to, gsi1pk = :gsi1pk`,
                  ConditionExpression: 'attribute_exists(pk) AND #status = :from',
                  ExpressionAttributeNames: { ...names, '#status': 'status' },
                  ExpressionAttributeValues: {
                    ...values,
                    ':from': before.status,
                    ':to': to,
                    ':gsi1pk': `STATUS#${to}`,
                  },
                },
              },
              ...eventPuts(
                this.tableName,
                id,
                [...(options.events ?? []), { ...event, from: before.status, to }],
                this.now(),
              ),
            ],
          }),
        );
        return withChanges(before, changes, event.at, to);
      } catch (error) {
        if (!isConditionFailure(error, 0)) throw error;
        // Another writer moved it first. A caller that passed the incident decided on that state:
        // rejected. Otherwise the transition applies from whatever allowed status it has now.
        const now = await this.get(id);
        if (options.current || attempt >= 3) throw new TransitionRejected(id, to, now?.status);
        before = now;
      }
    }
  }

  async update(
    id: string,
    changes: IncidentChanges,
    event: TimelineEvent,
    onlyIf: {
      notAcknowledged?: boolean;
      notEscalated?: boolean;
      status?: IncidentStatus;
      awaitingApproval?: boolean;
      leaseFreeAt?: string;
    } = {},
  ): Promise<Incident | undefined> {
    if (!(await this.write(id, changes, [event], onlyIf))) return undefined;
    return this.get(id);
  }

  async write(
    id: string,
    changes: IncidentChanges,
    events: readonly TimelineEvent[],
    onlyIf: UpdateCondition = {},
  ): Promise<boolean> {
    const { sets, names, values } = changeExpression(changes, events.at(-1)?.at ?? this.now().toISOString());
    const conditions = ['attribute_exists(pk)'];
    if (onlyIf.notAcknowledged) conditions.push('attribute_not_exists(acknowledged)');
    if (onlyIf.notEscalated) conditions.push('attribute_not_exists(escalated)');
    if (onlyIf.status) {
      conditions.push('#status = :onlyStatus');
      names['#status'] = 'status';
      values[':onlyStatus'] = onlyIf.status;
    }
    if (onlyIf.awaitingApproval)
      conditions.push('attribute_exists(approval.requestedAt) AND attribute_not_exists(approval.approvedAt)');
    if (onlyIf.leaseFreeAt) {
      conditions.push('(attribute_not_exists(leaseUntil) OR leaseUntil <= :leaseFreeAt)');
      values[':leaseFreeAt'] = onlyIf.leaseFreeAt;
    }
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: incidentKey(id),
                UpdateExpression: `SET ${sets.join(', ')}`,
                ConditionExpression: conditions.join(' AND '),
                ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
                ExpressionAttributeValues: values,
              },
            },
            ...eventPuts(this.tableName, id, events, this.now()),
          ],
        }),
      );
    } catch (error) {
      if (isConditionFailure(error, 0)) return false;
      throw error;
    }
    return true;
  }

  async appendEvent(id: string, event: TimelineEvent): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: eventItem(id, event, this.now()) }),
    );
  }

  async updateOnce(
    id: string,
    onceKey: string,
    changes: IncidentChanges,
    event: TimelineEvent,
  ): Promise<boolean> {
    const { sets, names, values } = changeExpression(changes, event.at);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { pk: `INC#${id}`, sk: `ONCE#${onceKey}`, itemType: 'once', at: event.at },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: incidentKey(id),
                UpdateExpression: `SET ${sets.join(', ')}`,
                ConditionExpression: 'attribute_exists(pk)',
                ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
                ExpressionAttributeValues: values,
              },
            },
            { Put: { TableName: this.tableName, Item: eventItem(id, event, this.now()) } },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error, 0)) return false;
      if (isConditionFailure(error, 1)) throw new Error(`incident ${id} does not exist`);
      throw error;
    }
  }

  async list(query: IncidentQuery): Promise<IncidentPage> {
    if (query.repo) return this.listByRepo(query);
    if (query.status || query.type) {
      const [index, pk, filter] = query.status
        ? ([
            'byStatus',
            ['gsi1pk', 'gsi1sk', `STATUS#${query.status}`],
            query.type ? { field: 'type', value: query.type } : undefined,
          ] as const)
        : (['byType', ['gsi2pk', 'gsi2sk', `TYPE#${query.type}`], undefined] as const);
      const page = await this.queryIndex(
        index,
        pk[0],
        pk[1],
        pk[2],
        query,
        decodeCursor(query.cursor),
        filter,
      );
      return {
        items: page.items.map((item) => strip<Incident>(item)),
        ...(page.next ? { cursor: encodeCursor(page.next) } : {}),
      };
    }
    return this.listByMonth(query);
  }

  private async queryIndex(
    index: string,
    pkField: string,
    skField: string,
    pkValue: string,
    query: IncidentQuery,
    start: Record<string, unknown> | undefined,
    filter?: { field: string; value: string },
  ): Promise<{ items: Record<string, unknown>[]; next?: Record<string, unknown> }> {
    const range = skRange(skField, query);
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: `${pkField} = :pk${range.expression}`,
        ExpressionAttributeValues: {
          ':pk': pkValue,
          ...range.values,
          ...(filter ? { ':filter': filter.value } : {}),
        },
        ...(filter
          ? { FilterExpression: '#filter = :filter', ExpressionAttributeNames: { '#filter': filter.field } }
          : {}),
        ScanIndexForward: false,
        Limit: query.limit,
        ExclusiveStartKey: start,
      }),
    );
    return { items: page.Items ?? [], ...(page.LastEvaluatedKey ? { next: page.LastEvaluatedKey } : {}) };
  }

  /** Newest first, month partition by month, back to `from` (or two years). */
  private async listByMonth(query: IncidentQuery): Promise<IncidentPage> {
    const cursor = decodeCursor<{ month: string; key?: Record<string, unknown> }>(query.cursor);
    const newest = query.to ? new Date(Date.parse(query.to) - 1) : this.now();
    const oldest = query.from
      ? new Date(query.from)
      : new Date(Date.UTC(newest.getUTCFullYear() - 2, newest.getUTCMonth(), 1));
    let month = cursor?.month ?? newest.toISOString().slice(0, 7);
    let start = cursor?.key;
    const items: Record<string, unknown>[] = [];
    while (month >= oldest.toISOString().slice(0, 7)) {
      const page = await this.queryIndex(
        'byMonth',
        'gsi4pk',
        'gsi4sk',
        `MONTH#${month}`,
        { ...query, limit: query.limit - items.length },
        start,
      );
      items.push(...page.items);
      if (page.next) {
        if (items.length >= query.limit)
          return {
            items: items.map((i) => strip<Incident>(i)),
            cursor: encodeCursor({ month, key: page.next }),
          };
        start = page.next;
        continue;
      }
      start = undefined;
      month = previousMonth(month);
      if (items.length >= query.limit)
        return { items: items.map((i) => strip<Incident>(i)), cursor: encodeCursor({ month }) };
    }
    return { items: items.map((i) => strip<Incident>(i)) };
  }

  private async listByRepo(query: IncidentQuery): Promise<IncidentPage> {
    const ids: string[] = [];
    let start = decodeCursor<Record<string, unknown>>(query.cursor);
    let next: Record<string, unknown> | undefined;
    do {
      const page = await this.queryIndex('byRepo', 'gsi3pk', 'gsi3sk', `REPO#${query.repo}`, query, start);
      for (const item of page.items) {
        const id = item.incidentId as string;
        if (!ids.includes(id) && ids.length < query.limit) ids.push(id);
      }
      next = page.next;
      start = next;
    } while (next && ids.length < query.limit);
    if (ids.length === 0) return { items: [] };
    const { Responses } = await this.client.send(
      new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: ids.map((id) => incidentKey(id)) } } }),
    );
    const byId = new Map(
      (Responses?.[this.tableName] ?? []).map((item) => [item.id as string, strip<Incident>(item)]),
    );
    let items = ids.flatMap((id) => byId.get(id) ?? []);
    if (query.status) items = items.filter((i) => i.status === query.status);
    if (query.type) items = items.filter((i) => i.type === query.type);
    return { items, ...(next ? { cursor: encodeCursor(next) } : {}) };
  }

  async claimSlackCard(id: string, now: Date, staleAfterMs: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: incidentKey(id),
          UpdateExpression: 'SET slackClaimAt = :now',
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(slack) AND (attribute_not_exists(slackClaimAt) OR slackClaimAt < :stale)',
          ExpressionAttributeValues: {
            ':now': now.toISOString(),
            ':stale': new Date(now.getTime() - staleAfterMs).toISOString(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async saveSlackCard(id: string, card: { channel: string; ts: string }): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: incidentKey(id),
        UpdateExpression: 'SET slack = :slack REMOVE slackClaimAt',
        ExpressionAttributeValues: { ':slack': { channel: card.channel, ts: card.ts, threadCursor: 0 } },
      }),
    );
  }

  async advanceSlackThread(id: string, from: number, to: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: incidentKey(id),
          UpdateExpression: 'SET slack.threadCursor = :to',
          ConditionExpression: 'slack.threadCursor = :from',
          ExpressionAttributeValues: { ':from': from, ':to': to },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

function skRange(
  skField: string,
  query: IncidentQuery,
): { expression: string; values: Record<string, string> } {
  // Sort keys are `<detectedAt>#<id>`; '#' < '~' keeps an inclusive upper bound on the timestamp prefix.
  if (query.from && query.to)
    return {
      expression: ` AND ${skField} BETWEEN :from AND :to`,
      values: { ':from': query.from, ':to': query.to },
    };
  if (query.from) return { expression: ` AND ${skField} >= :from`, values: { ':from': query.from } };
  if (query.to) return { expression: ` AND ${skField} < :to`, values: { ':to': query.to } };
  return { expression: '', values: {} };
}

function previousMonth(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const date = new Date(Date.UTC(year, m - 2, 1));
  return date.toISOString().slice(0, 7);
}
