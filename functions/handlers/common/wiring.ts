/**
 * Builds the adapters a handler needs from its environment, once per execution environment.
 * The domain receives these as ports; nothing here holds business logic.
 */
import { parseModeConfig, type ModeConfig } from '../../domain/containment/modes.ts';
import type { IncidentJob, ScanJob } from '../../domain/jobs.ts';
import { systemClock, type Clock, type Queue, type Vault } from '../../domain/ports.ts';
import { dynamoDocumentClient } from '../../adapters/dynamodb/client.ts';
import { DynamoDeliveryLedger } from '../../adapters/dynamodb/delivery-ledger.ts';
import { DynamoIncidentStore } from '../../adapters/dynamodb/incident-store.ts';
import { secretsManagerClient } from '../../adapters/secrets/secret-source.ts';
import { SqsQueue } from '../../adapters/sqs/sqs-queue.ts';
import { FileVault, MemoryVault } from '../../adapters/vault/file-vault.ts';
import { SecretsManagerVault } from '../../adapters/vault/secrets-manager-vault.ts';
import { ENV, type QueueKey } from '../../shared/resources.ts';
import { requireEnv } from './env.ts';

export const clock: Clock = systemClock;

export function incidentStore(): DynamoIncidentStore {
  const env = requireEnv([ENV.tableName]);
  return new DynamoIncidentStore(dynamoDocumentClient(), env[ENV.tableName]);
}

export function deliveryLedger(): DynamoDeliveryLedger {
  const env = requireEnv([ENV.tableName]);
  return new DynamoDeliveryLedger(dynamoDocumentClient(), env[ENV.tableName]);
}

export function queue<T extends ScanJob | IncidentJob>(key: QueueKey): Queue<T> {
  const name = ENV.queueUrl[key];
  const url = requireEnv([name])[name] as string;
  return new SqsQueue<T>(url);
}

const memoryVault = new MemoryVault();

/** secrets-manager in AWS; an encrypted folder locally; memory for --in-memory runs and tests. */
export function vault(env: NodeJS.ProcessEnv = process.env): Vault {
  const backend = env[ENV.vaultBackend] ?? 'secrets-manager';
  switch (backend) {
    case 'secrets-manager':
      return new SecretsManagerVault(secretsManagerClient(), env[ENV.vaultKmsKeyId]);
    case 'file':
      return new FileVault(requireEnv([ENV.vaultDir], env)[ENV.vaultDir], env.LEAKSTOP_VAULT_KEY);
    case 'memory':
      return memoryVault;
    default:
      throw new Error(`${ENV.vaultBackend} must be secrets-manager, file or memory, not '${backend}'`);
  }
}

export function modes(env: NodeJS.ProcessEnv = process.env): ModeConfig {
  return parseModeConfig(env[ENV.mode], env[ENV.providerModes]);
}
