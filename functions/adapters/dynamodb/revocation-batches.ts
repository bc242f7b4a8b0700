/**
 * RevocationBatchStore on the incidents table, so every containment invocation shares the same
 * batches and the same hourly budget:
 *   REVOKE#<provider> / OPEN              which batch is open for joining, and since when
 *   REVOKE#<provider> / BATCH#<id>        the batch: state, members (fingerprints), timestamps
 *   REVOKE#<provider> / RESULT#<id>       its settlement: small, so waiting members read it cheaply
 *   REVOKE#<provider> / BUDGET#<hour>     calls taken in that hour; `exhaustedUntil` when the provider said so
 * Every item expires (TTL) a day after it stops mattering.
 */
import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import {
  budgetHour,
  type BatchSettlement,
  type BatchStatus,
  type RevocationBatchStore,
} from '../../domain/containment/batching.ts';

const DAY_SECONDS = 86_400;

function conditionFailed(error: unknown): boolean {
  if (error instanceof TransactionCanceledException)
    return (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed');
  return (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}

interface OpenBatch {
  readonly batchId: string;
  readonly openedAt: number;
}

export class DynamoRevocationBatches implements RevocationBatchStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The open batch per provider as this environment last read or wrote it. */
  private readonly lastOpen = new Map<string, OpenBatch>();

  private async readOpen(provider: string): Promise<OpenBatch | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(provider, 'OPEN'), ConsistentRead: true }),
    );
    const open = Item ? { batchId: String(Item.batchId), openedAt: Number(Item.openedAt) } : undefined;
    if (open) this.lastOpen.set(provider, open);
    else this.lastOpen.delete(provider);
    return open;
  }

  private key(provider: string, sk: string) {
    return { pk: `REVOKE#${provider}`, sk };
  }

  private expiresAt(fromMs: number): number {
    return Math.floor(fromMs / 1000) + DAY_SECONDS;
  }

  async join(provider: string, member: string, at: Date, windowMs: number, maxMembers: number) {
    // Each round someone opens the next batch and the rest join it; contention ends quickly.
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const now = attempt === 0 ? at : new Date();
      // First from what this environment last saw: the writes below are conditional on it, so a
      // stale view only costs a retry that reads the table.
      const seen = attempt === 0 ? this.lastOpen.get(provider) : undefined;
      const current = seen ?? (await this.readOpen(provider));
      if (current && now.getTime() - current.openedAt < windowMs) {
        try {
          await this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: this.key(provider, `BATCH#${current.batchId}`),
              UpdateExpression: 'ADD members :member',
              ConditionExpression: '#state = :open AND size(members) < :max',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: {
                ':member': new Set([member]),
                ':open': 'open',
                ':max': maxMembers,
              },
            }),
          );
          return { batchId: current.batchId, leader: false, openedAt: current.openedAt };
        } catch (error) {
          // Sealed or full (or not written yet): open a new batch instead.
          if (!conditionFailed(error)) throw error;
        }
      }
      const batchId = `${now.getTime().toString(36)}${randomBytes(4).toString('hex')}`;
      const openedAt = now.getTime();
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.tableName,
                  Item: {
                    ...this.key(provider, 'OPEN'),
                    batchId,
                    openedAt,
                    expiresAt: this.expiresAt(openedAt),
                  },
                  // Replace only the batch we saw (expired, sealed or full): a concurrent opener wins otherwise.
                  ConditionExpression: current ? 'batchId = :seen' : 'attribute_not_exists(pk)',
                  ...(current ? { ExpressionAttributeValues: { ':seen': current.batchId } } : {}),
                },
              },
              {
                Put: {
                  TableName: this.tableName,
                  Item: {
                    ...this.key(provider, `BATCH#${batchId}`),
                    state: 'open',
                    members: new Set([member]),
                    openedAt,
                    expiresAt: this.expiresAt(openedAt),
                  },
                },
              },
            ],
          }),
        );
        this.lastOpen.set(provider, { batchId, openedAt });
        return { batchId, leader: true, openedAt };
      } catch (error) {
        if (!conditionFailed(error)) throw error;
        // Someone opened a batch first: join theirs.
      }
    }
    throw new Error(`could not join a ${provider} revocation batch: too much contention`);
  }

  async seal(provider: string, batchId: string): Promise<readonly string[]> {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(provider, `BATCH#${batchId}`),
        UpdateExpression: 'SET #state = :sealed',
        ConditionExpression: '#state = :open',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':sealed': 'sealed', ':open': 'open' },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return [...((Attributes?.members as Set<string> | undefined) ?? [])].sort();
  }

  async settle(provider: string, batchId: string, settlement: BatchSettlement, now: Date): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...this.key(provider, `RESULT#${batchId}`),
          ...settlement,
          settledAt: now.toISOString(),
          expiresAt: this.expiresAt(now.getTime()),
        },
      }),
    );
  }

  async status(provider: string, batchId: string): Promise<BatchStatus> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: this.key(provider, `RESULT#${batchId}`),
        ConsistentRead: true,
      }),
    );
    if (!Item) return { state: 'pending' };
    if (Item.state === 'sent') return { state: 'sent', size: Number(Item.size) };
    if (Item.state === 'queued') return { state: 'queued', until: String(Item.until) };
    return { state: 'failed', reason: String(Item.reason), transient: Item.transient === true };
  }

  async takeCall(provider: string, now: Date, limit: number) {
    const hour = budgetHour(now);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(provider, `BUDGET#${hour.start}`),
          UpdateExpression: 'ADD calls :one SET expiresAt = :expires',
          ConditionExpression:
            '(attribute_not_exists(calls) OR calls < :limit) AND (attribute_not_exists(exhaustedUntil) OR exhaustedUntil <= :now)',
          ExpressionAttributeValues: {
            ':one': 1,
            ':limit': limit,
            ':now': now.toISOString(),
            ':expires': this.expiresAt(Date.parse(hour.resetsAt)),
          },
        }),
      );
      return { granted: true as const };
    } catch (error) {
      if (!conditionFailed(error)) throw error;
    }
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: this.key(provider, `BUDGET#${hour.start}`),
        ConsistentRead: true,
      }),
    );
    const exhaustedUntil = typeof Item?.exhaustedUntil === 'string' ? Item.exhaustedUntil : undefined;
    const spent = Number(Item?.calls ?? 0) >= limit;
    // ISO-8601 UTC strings compare in time order.
    const candidates = [spent ? hour.resetsAt : undefined, exhaustedUntil].filter(
      (t): t is string => t !== undefined && t > now.toISOString(),
    );
    return { granted: false as const, resetsAt: candidates.sort().at(-1) ?? hour.resetsAt };
  }

  async exhaust(provider: string, until: Date): Promise<void> {
    const hour = budgetHour(new Date());
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(provider, `BUDGET#${hour.start}`),
        UpdateExpression: 'SET exhaustedUntil = :until, expiresAt = :expires',
        ExpressionAttributeValues: {
          ':until': until.toISOString(),
          ':expires': this.expiresAt(until.getTime()),
        },
      }),
    );
  }
}
