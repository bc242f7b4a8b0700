/**
 * DeliveryLedger in the incidents table: DELIVERY#<X-GitHub-Delivery> items with a TTL beyond
 * GitHub's redelivery window (3 days on github.com, 7 on GHES).
 */
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeliveryLedger } from '../../domain/ports.ts';

export const DELIVERY_TTL_SECONDS = 8 * 24 * 3600;

export class DynamoDeliveryLedger implements DeliveryLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** A claim whose work was never enqueued (the function died) can be taken over after this. */
    private readonly claimStaleAfterMs = 60_000,
  ) {}

  private key(deliveryId: string) {
    return { pk: `DELIVERY#${deliveryId}`, sk: 'DELIVERY' };
  }

  async claim(deliveryId: string, now: Date): Promise<'claimed' | 'duplicate'> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...this.key(deliveryId),
            itemType: 'delivery',
            state: 'claimed',
            claimedAt: now.toISOString(),
            expiresAt: Math.floor(now.getTime() / 1000) + DELIVERY_TTL_SECONDS,
          },
          // Expired items may linger until DynamoDB deletes them, so an expired one counts as absent.
          ConditionExpression:
            'attribute_not_exists(pk) OR expiresAt < :nowSeconds OR (#state = :claimed AND claimedAt < :stale)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':nowSeconds': Math.floor(now.getTime() / 1000),
            ':claimed': 'claimed',
            ':stale': new Date(now.getTime() - this.claimStaleAfterMs).toISOString(),
          },
        }),
      );
      return 'claimed';
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return 'duplicate';
      throw error;
    }
  }

  async complete(deliveryId: string, now: Date): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(deliveryId),
        UpdateExpression: 'SET #state = :done, completedAt = :now',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':done': 'done', ':now': now.toISOString() },
      }),
    );
  }

  async release(deliveryId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: this.key(deliveryId) }));
  }
}
