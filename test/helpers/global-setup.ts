/**
 * Starts one DynamoDB Local and one SQS server for the whole test run; integration tests get their
 * endpoints through `inject()` and isolate themselves with a name prefix.
 *
 * Every temporary folder of the run (data folders, vaults, scan roots, CDK's `cdk.out*`) is made
 * under one root that the run removes when it ends: the forks inherit `TMPDIR`, which
 * `os.tmpdir()` reads. A run used to leave ~40 folders in /tmp, sealed vault entries among them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, startSqsLocal } from '../../functions/local/emulators.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sqsEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runTmp = mkdtempSync(join(tmpdir(), 'leakstop-test-run-'));
  process.env.TMPDIR = runTmp;
  const [dynamo, sqs] = await Promise.all([startDynamoDbLocal(), startSqsLocal()]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('sqsEndpoint', sqs.endpoint);
  return async () => {
    await Promise.all([dynamo.stop(), sqs.stop()]);
    rmSync(runTmp, { recursive: true, force: true });
  };
}
