/**
 * Claims in the incidents table: `<NAMESPACE>#<key>` items, claimed with a conditional put, then
 * completed or released. Webhook deliveries (DELIVERY#<X-GitHub-Delivery>) expire after GitHub's
 * redelivery window (3 days on github.com, 7 on GHES); other effects may keep their claim forever.
 */
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ClaimLedger, DeliveryLedger } from '../../domain/ports.ts';

export const DELIVERY_TTL_SECONDS = 8 * 24 * 3600;

export interface ClaimLedgerOptions {
  /** Key prefix and sort key, e.g. `DELIVERY` or `WRITEBACK`. */
  readonly namespace: string;
  /** How long a claim is kept; undefined keeps it for good (an effect that must never repeat). */
  readonly ttlSeconds?: number;
  /** A claim whose holder never completed nor released it (it died) can be taken over after this. */
  readonly staleAfterMs: number;
}

export class DynamoClaimLedger implements ClaimLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: ClaimLedgerOptions,
  ) {}

  private key(key: string) {
    return { pk: `${this.options.namespace}#${key}`, sk: this.options.namespace };
  }

  async claim(key: string, now: Date): Promise<'claimed' | 'duplicate'> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const { ttlSeconds } = this.options;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...this.key(key),
            itemType: this.options.namespace.toLowerCase(),
            state: 'claimed',
            claimedAt: now.toISOString(),
            ...(ttlSeconds === undefined ? {} : { expiresAt: nowSeconds + ttlSeconds }),
          },
          // Expired items may linger until DynamoDB deletes them, so an expired one counts as absent.
          ConditionExpression:
            'attribute_not_exists(pk) OR expiresAt < :nowSeconds OR (#state = :claimed AND claimedAt < :stale)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':nowSeconds': nowSeconds,
            ':claimed': 'claimed',
            ':stale': new Date(now.getTime() - this.options.staleAfterMs).toISOString(),
          },
        }),
      );
      return 'claimed';
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return 'duplicate';
      throw error;
    }
  }

  async complete(key: string, now: Date): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(key),
        UpdateExpression: 'SET #state = :done, completedAt = :now',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':done': 'done', ':now': now.toISOString() },
      }),
    );
  }

  async release(key: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: this.key(key) }));
  }
}

/** The webhook delivery ledger: DELIVERY#<X-GitHub-Delivery>, kept beyond GitHub's redelivery window. */
export class DynamoDeliveryLedger extends DynamoClaimLedger implements DeliveryLedger {
  constructor(client: DynamoDBDocumentClient, tableName: string, claimStaleAfterMs = 60_000) {
    super(client, tableName, {
      namespace: 'DELIVERY',
      ttlSeconds: DELIVERY_TTL_SECONDS,
      staleAfterMs: claimStaleAfterMs,
    });
  }
}
