import { ArnFormat, Stack } from 'aws-cdk-lib';
import { type IGrantable, Grant } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

import { VAULT_PREFIX } from '../../functions/shared/resources.ts';

/** Name prefix of every vault secret: the one the vault adapter creates names under. */
export const VAULT_SECRET_PREFIX = VAULT_PREFIX;

export const VAULT_WRITE_ACTIONS = [
  'secretsmanager:CreateSecret',
  'secretsmanager:PutSecretValue',
  'secretsmanager:TagResource',
  'secretsmanager:DescribeSecret',
] as const;
export const VAULT_READ_DELETE_ACTIONS = [
  'secretsmanager:GetSecretValue',
  'secretsmanager:DeleteSecret',
  'secretsmanager:DescribeSecret',
] as const;

/**
 * Where leaked values wait while containment runs: Secrets Manager secrets named
 * `leakstop/vault/<fingerprint>`, created at run time by detect and deleted by contain, encrypted with a
 * KMS key used for nothing else. The secrets are not CloudFormation resources; this construct owns the
 * key and the two grants.
 */
export class CredentialVault extends Construct {
  public readonly key: Key;
  /** ARN pattern of every vault secret (Secrets Manager appends a random 6-character suffix to names). */
  public readonly secretArnPattern: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'leakstop vault: encrypts leaked credentials held for containment',
      enableKeyRotation: true,
    });
    this.secretArnPattern = Stack.of(this).formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${VAULT_SECRET_PREFIX}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /**
   * Store leaked values: create vault secrets and add versions, encrypted with the vault key. No reads:
   * the key use is limited to Secrets Manager acting on vault secrets, and GetSecretValue is not granted.
   */
  public grantWrite(grantee: IGrantable): Grant {
    const [create, ...others] = VAULT_WRITE_ACTIONS;
    return Grant.addToPrincipal({
      grantee,
      actions: [create],
      resourceArns: [this.secretArnPattern],
      // A vault secret must name the vault key (as LEAKSTOP_VAULT_KMS_KEY_ID, its ARN); without this
      // Secrets Manager would silently fall back to the account-wide aws/secretsmanager key.
      conditions: { StringEquals: { 'secretsmanager:KmsKeyId': this.key.keyArn } },
    })
      .combine(Grant.addToPrincipal({ grantee, actions: others, resourceArns: [this.secretArnPattern] }))
      .combine(
        // Secrets Manager calls GenerateDataKey and Decrypt on the caller's behalf to write a version.
        this.grantKeyUse(grantee, ['kms:GenerateDataKey', 'kms:Decrypt']),
      );
  }

  /** Read leaked values for containment and delete them when it ends. No writes. */
  public grantReadDelete(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: [...VAULT_READ_DELETE_ACTIONS],
      resourceArns: [this.secretArnPattern],
    }).combine(this.grantKeyUse(grantee, ['kms:Decrypt']));
  }

  private grantKeyUse(grantee: IGrantable, actions: string[]): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [this.key.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` },
        StringLike: { 'kms:EncryptionContext:SecretARN': this.secretArnPattern },
      },
    });
  }
}
