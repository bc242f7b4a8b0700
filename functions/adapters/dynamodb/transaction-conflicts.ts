/**
 * DynamoDB rejects a write that meets another one on the same item in flight: a transaction is
 * cancelled with the reason `TransactionConflict`, a single-item write fails with
 * `TransactionConflictException`. Nothing was written either way, so the write can be sent
 * again, but the SDK does not retry either error (they are not in its throttling or transient
 * lists). In leakstop they happen when two workers touch one incident at once, for example
 * containment transitioning it while the notify worker saves its Slack card; without a retry
 * the containment attempt records a failure and waits out its message's visibility timeout.
 *
 * This middleware sits inside the SDK's retry middleware and marks exactly those errors
 * retryable, so the client's own retry strategy (attempts, backoff with jitter, retry quota)
 * sends them again. A cancellation that also names a failed condition is left alone: the
 * condition's verdict is the answer, and the stores read it.
 */
import type { DynamoDBClient, ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-dynamodb';
import type { FinalizeRequestMiddleware } from '@smithy/types';

/** Cancellation reasons that say nothing was decided about the item: worth sending again. */
const THROTTLED_REASONS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded']);
const isTransientReason = (code: string): boolean =>
  code === 'TransactionConflict' || THROTTLED_REASONS.has(code);

interface RejectedWrite {
  name?: string;
  CancellationReasons?: ReadonlyArray<{ Code?: string }>;
  $retryable?: { throttling?: boolean };
}

/** Whether DynamoDB rejected a write only because of a concurrent one (or throttling inside a transaction). */
export function isConflictRejection(error: unknown): boolean {
  const e = error as RejectedWrite | undefined;
  if (e?.name === 'TransactionConflictException') return true;
  if (e?.name !== 'TransactionCanceledException') return false;
  const codes = (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
  return codes.some(isTransientReason) && codes.every((c) => c === 'None' || isTransientReason(c));
}

const isThrottledCancellation = (error: RejectedWrite): boolean =>
  (error.CancellationReasons ?? []).some((r) => THROTTLED_REASONS.has(r.Code ?? ''));

export const CONFLICT_MIDDLEWARE = 'leakstopRetryTransactionConflicts';

/** Has `client` retry writes DynamoDB rejected for a concurrent write; returns the client. */
export function retryTransactionConflicts(client: DynamoDBClient): DynamoDBClient {
  if (client.middlewareStack.identify().some((m) => m.startsWith(CONFLICT_MIDDLEWARE))) return client;
  const markConflicts: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> =
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (isConflictRejection(error)) {
          const rejected = error as RejectedWrite;
          rejected.$retryable = { throttling: isThrottledCancellation(rejected) };
        }
        throw error;
      }
    };
  client.middlewareStack.addRelativeTo(markConflicts, {
    relation: 'after',
    toMiddleware: 'retryMiddleware',
    name: CONFLICT_MIDDLEWARE,
  });
  return client;
}
