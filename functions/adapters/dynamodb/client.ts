import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { withoutSdkLogging } from '../aws/sdk-logging.ts';
import { retryTransactionConflicts } from './transaction-conflicts.ts';

let documentClient: DynamoDBDocumentClient | undefined;

/**
 * The document client the stores use on `client`: undefined attributes dropped, conflicts
 * retried, no SDK logging (sdk-logging.ts).
 */
export function documentClientOn(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(retryTransactionConflicts(withoutSdkLogging(client)), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** One client per execution environment, reused by warm invocations. Honours AWS_ENDPOINT_URL_DYNAMODB. */
export function dynamoDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= documentClientOn(new DynamoDBClient({}));
  return documentClient;
}
