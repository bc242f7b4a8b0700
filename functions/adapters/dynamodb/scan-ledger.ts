/**
 * ScanLedger in the incidents table: SCANNED#<owner/repo> / COMMIT#<sha> items, written once a
 * commit's files were all scanned (or scheduled), expiring after SCANNED_TTL_SECONDS. Keyed per
 * repository: the same commit in a fork is another repository's exposure and is scanned again.
 */
import {
  BatchGetCommand,
  PutCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { ScanLedger } from '../../domain/ports.ts';

/** Long enough to cover a branch's life from first push to merge; a commit seen after that is read again (harmless). */
export const SCANNED_TTL_SECONDS = 90 * 24 * 3600;

/** BatchGetItem reads at most 100 keys per call. */
const BATCH_GET_LIMIT = 100;

export class DynamoScanLedger implements ScanLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private key(repo: string, sha: string) {
    return { pk: `SCANNED#${repo.toLowerCase()}`, sk: `COMMIT#${sha}` };
  }

  async scanned(repo: string, shas: readonly string[], now: Date): Promise<ReadonlySet<string>> {
    const found = new Set<string>();
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const unique = [...new Set(shas)];
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
      let keys: Record<string, unknown>[] | undefined = unique
        .slice(i, i + BATCH_GET_LIMIT)
        .map((sha) => this.key(repo, sha));
      // Unprocessed keys (throttling) are asked for again until DynamoDB answers them all.
      for (let attempt = 0; keys && keys.length > 0; attempt += 1) {
        if (attempt >= 8) throw new Error('DynamoDB left scan-ledger keys unprocessed after 8 attempts');
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
        const result: BatchGetCommandOutput = await this.client.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: keys, ProjectionExpression: 'sk, expiresAt' } },
          }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          // Expired items linger until DynamoDB deletes them: an expired entry counts as absent.
          if (typeof item.expiresAt === 'number' && item.expiresAt < nowSeconds) continue;
          found.add(String(item.sk).slice('COMMIT#'.length));
        }
        keys = result.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return found;
  }

  async markScanned(repo: string, sha: string, now: Date): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...this.key(repo, sha),
          itemType: 'scanned_commit',
          scannedAt: now.toISOString(),
          expiresAt: Math.floor(now.getTime() / 1000) + SCANNED_TTL_SECONDS,
        },
      }),
    );
  }
}
