/**
 * The vault in AWS: one Secrets Manager secret per leaked credential, named by fingerprint under
 * `leakstop/vault/`, encrypted with the vault's KMS key, deleted without a recovery window when
 * containment ends (the value must not outlive its use).
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import { createHash } from 'node:crypto';
import type { Vault } from '../../domain/ports.ts';
import { VAULT_PREFIX } from '../../shared/resources.ts';

export class SecretsManagerVault implements Vault {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly kmsKeyId: string | undefined,
  ) {}

  private name(fingerprint: string): string {
    return `${VAULT_PREFIX}${fingerprint}`;
  }

  async put(fingerprint: string, value: string): Promise<void> {
    // Same value → same request token → Secrets Manager treats a retry as the same write.
    const token = createHash('sha256').update(`${fingerprint}:${value}`).digest('hex').slice(0, 64);
    try {
      await this.client.send(
        new CreateSecretCommand({
          Name: this.name(fingerprint),
          SecretString: value,
          ClientRequestToken: token,
          ...(this.kmsKeyId ? { KmsKeyId: this.kmsKeyId } : {}),
          Description: 'leakstop: leaked credential held for containment; deleted when containment ends',
          Tags: [{ Key: 'leakstop:purpose', Value: 'vault' }],
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceExistsException') throw error;
      await this.client.send(
        new PutSecretValueCommand({
          SecretId: this.name(fingerprint),
          SecretString: value,
          ClientRequestToken: token,
        }),
      );
    }
  }

  async get(fingerprint: string): Promise<string | undefined> {
    try {
      const { SecretString } = await this.client.send(
        new GetSecretValueCommand({ SecretId: this.name(fingerprint) }),
      );
      return SecretString;
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  async delete(fingerprint: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteSecretCommand({ SecretId: this.name(fingerprint), ForceDeleteWithoutRecovery: true }),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
    }
  }
}
