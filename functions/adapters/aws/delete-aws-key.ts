/**
 * The grace-period deletion of a contained AWS access key (domain/containment/key-deletion.ts), in
 * the owning account through leakstop's containment role (which must allow iam:DeleteAccessKey:
 * `allowKeyDeletion` in lib/constructs/containment-role.ts):
 *   1. iam:ListAccessKeys for the user → the key whose id has the incident's fingerprint
 *   2. iam:DeleteAccessKey, only while that key is Inactive
 * The key id is never stored anywhere: it is recognised by its keyed HMAC among the user's keys.
 */
import { DeleteAccessKeyCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import type { KeyDeleter, KeyDeletionOutcome } from '../../domain/containment/key-deletion.ts';
import type { CredentialOwner } from '../../domain/containment/revokers.ts';
import { AccountAccessDenied, type AccountCredentials } from './account-access.ts';
import { awsStep, CONTAINMENT_CLIENT_CONFIG, stepErrorCode } from './provider-errors.ts';

export interface AwsKeyDeleterOptions {
  readonly credentialsFor: AccountCredentials;
  /** The fingerprint detection gave the key id (keyed HMAC-SHA256 under the fingerprint key). */
  readonly fingerprintOf: (accessKeyId: string) => string;
  /** Per key, how long retries of throttling and 5xx may take. @default 20 s */
  readonly budgetMs?: number;
}

export class AwsKeyDeleter implements KeyDeleter {
  constructor(private readonly options: AwsKeyDeleterOptions) {}

  async deleteKey(owner: CredentialOwner, fingerprint: string): Promise<KeyDeletionOutcome> {
    const deadline = Date.now() + (this.options.budgetMs ?? 20_000);
    const step = <T>(operation: string, call: () => Promise<T>): Promise<T> =>
      awsStep(operation, call, deadline);
    let credentials;
    try {
      credentials = await step('sts:AssumeRole', () => this.options.credentialsFor(owner.account));
    } catch (error) {
      if (error instanceof AccountAccessDenied) return { outcome: 'skipped', reason: error.message };
      throw error;
    }
    // Shares the containment connection pool (provider-errors.ts): nothing to close afterwards.
    const iam = new IAMClient({ ...CONTAINMENT_CLIENT_CONFIG, region: 'us-east-1', credentials });
    let keys;
    try {
      keys = await step('iam:ListAccessKeys', () =>
        iam.send(new ListAccessKeysCommand({ UserName: owner.user })),
      );
    } catch (error) {
      if (stepErrorCode(error) === 'NoSuchEntity')
        return { outcome: 'gone', reason: `user ${owner.user} no longer exists in ${owner.account}` };
      if (stepErrorCode(error) === 'AccessDenied')
        return {
          outcome: 'skipped',
          reason: `iam:ListAccessKeys in ${owner.account} answered AccessDenied`,
        };
      throw error;
    }
    const key = keys.AccessKeyMetadata?.find(
      (k) => k.AccessKeyId !== undefined && this.options.fingerprintOf(k.AccessKeyId) === fingerprint,
    );
    if (!key?.AccessKeyId)
      return { outcome: 'gone', reason: `user ${owner.user} in ${owner.account} no longer has the key` };
    if (key.Status !== 'Inactive')
      return {
        outcome: 'skipped',
        reason: `the key is ${key.Status ?? 'in an unknown state'} again: someone re-activated it after containment (the user stays quarantined by AWSDenyAll); a person must decide`,
      };
    const accessKeyId = key.AccessKeyId;
    try {
      await step('iam:DeleteAccessKey', () =>
        iam.send(new DeleteAccessKeyCommand({ UserName: owner.user, AccessKeyId: accessKeyId })),
      );
    } catch (error) {
      if (stepErrorCode(error) === 'NoSuchEntity')
        return { outcome: 'gone', reason: `the key was deleted meanwhile in ${owner.account}` };
      if (stepErrorCode(error) === 'AccessDenied')
        return {
          outcome: 'skipped',
          reason: `iam:DeleteAccessKey in ${owner.account} answered AccessDenied: deploy the containment role with allowKeyDeletion`,
        };
      throw error;
    }
    return {
      outcome: 'deleted',
      actions: [`iam:DeleteAccessKey: the inactive key of ${owner.user} in ${owner.account} is deleted`],
    };
  }
}
