/** A fresh table on the run's shared DynamoDB Local, created from the stack's definition. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { documentClientOn } from '../../functions/adapters/dynamodb/client.ts';
import { LOCAL_AWS } from '../../functions/local/emulators.ts';
import { provisionTable } from '../../functions/local/provision.ts';
import { TABLE } from '../../functions/shared/resources.ts';

export async function freshTable(): Promise<{ client: DynamoDBDocumentClient; tableName: string }> {
  const raw = new DynamoDBClient({ ...LOCAL_AWS, endpoint: inject('dynamoEndpoint') });
  const tableName = `t${randomBytes(4).toString('hex')}-${TABLE.name}`;
  await provisionTable(raw, tableName);
  return {
    client: documentClientOn(raw),
    tableName,
  };
}
