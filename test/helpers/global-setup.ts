/**
 * Starts one DynamoDB Local and one SQS server for the whole test run; integration tests get their
 * endpoints through `inject()` and isolate themselves with a name prefix.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, startSqsLocal } from '../../functions/local/emulators.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sqsEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [dynamo, sqs] = await Promise.all([startDynamoDbLocal(), startSqsLocal()]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('sqsEndpoint', sqs.endpoint);
  return async () => {
    await Promise.all([dynamo.stop(), sqs.stop()]);
  };
}
