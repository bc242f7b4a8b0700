/**
 * SQS consumers: each record is handled on its own; a record whose handler throws is reported in
 * `batchItemFailures` so only it returns to the queue (and, after maxReceiveCount, to the DLQ).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from './logger.ts';

export function sqsHandler(recordHandler: (record: SQSRecord, context?: Context) => Promise<void>) {
  // The batch processor hands each record handler the invocation's context (its remaining time).
  const handle = async (record: SQSRecord, context?: Context): Promise<void> => {
    try {
      await recordHandler(record, context);
    } catch (error) {
      logger.warn('record failed; it returns to the queue', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      throw error;
    }
  };
  // A processor per invocation: it keeps the batch's successes and failures in its own fields, and
  // the local runtime runs several invocations of one handler at once (one shared processor would
  // report one batch's failures in another's response, and the failed records would be deleted).
  return middy(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, handle, new BatchProcessor(EventType.SQS), {
      context,
      throwOnFullBatchFailure: false,
    }),
  ).use(injectLambdaContext(logger));
}
