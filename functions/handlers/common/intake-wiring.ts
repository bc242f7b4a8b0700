/** Adapters of the intake and write-back ledgers, built from the function's environment. */
import { dynamoDocumentClient } from '../../adapters/dynamodb/client.ts';
import { DynamoClaimLedger } from '../../adapters/dynamodb/delivery-ledger.ts';
import { DynamoScanLedger } from '../../adapters/dynamodb/scan-ledger.ts';
import { ENV, FUNCTIONS } from '../../shared/resources.ts';
import { requireEnv } from './env.ts';

const tableName = () => requireEnv([ENV.tableName])[ENV.tableName];

export function scanLedger(): DynamoScanLedger {
  return new DynamoScanLedger(dynamoDocumentClient(), tableName());
}

/** Fan-out steps: forgotten after GitHub's redelivery window; a step stuck longer than two detect timeouts is taken over. */
export function fanoutClaims(): DynamoClaimLedger {
  return new DynamoClaimLedger(dynamoDocumentClient(), tableName(), {
    namespace: 'FANOUT',
    ttlSeconds: 8 * 24 * 3600,
    staleAfterMs: 2 * FUNCTIONS.detect.timeoutSeconds * 1000,
  });
}

/** GitHub write-backs: kept for good (an alert is resolved and a check run created once, ever). */
export function writeBackClaims(): DynamoClaimLedger {
  return new DynamoClaimLedger(dynamoDocumentClient(), tableName(), {
    namespace: 'WRITEBACK',
    staleAfterMs: 2 * FUNCTIONS.notify.timeoutSeconds * 1000,
  });
}
