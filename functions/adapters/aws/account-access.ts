/**
 * Credentials for acting in the AWS account that owns a leaked key: leakstop assumes a role it
 * deployed there (lib/constructs/containment-role.ts; its least-privilege policy is in
 * docs/deploy.md). `assumeRoleCredentials()` returns an injectable `(accountId) => credentials`
 * function for every adapter that works in member accounts (the AWS key revoker, CloudTrail usage
 * lookups, copies searches); sessions are cached per account until five minutes before they expire.
 */
import { AssumeRoleCommand, GetAccessKeyInfoCommand, STSClient } from '@aws-sdk/client-sts';
import { ProviderError } from '../../domain/containment/revokers.ts';
import { awsErrorCode, awsProviderError, CONTAINMENT_CLIENT_CONFIG } from './provider-errors.ts';

/** Structurally the SDK's AwsCredentialIdentity: pass it as any client's `credentials`. */
export interface AccountCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Credentials to act in `accountId`; throws AccountAccessDenied when leakstop has no role there. */
export type AccountCredentials = (accountId: string) => Promise<AccountCredentialIdentity>;

export class AccountAccessDenied extends ProviderError {
  constructor(
    readonly accountId: string,
    roleArn: string,
    code: string,
  ) {
    super(
      'aws',
      `cannot assume ${roleArn} (${code}): deploy the leakstop containment role in account ${accountId} (docs/deploy.md)`,
      {
        transient: false,
      },
    );
    this.name = 'AccountAccessDenied';
  }
}

export interface AssumeRoleOptions {
  /** The role's name in every member account. */
  readonly roleName: string;
  /** The external id the role's trust policy requires, if it requires one. */
  readonly externalId?: string;
  /** Shows in the member account's CloudTrail as the session name. @default 'leakstop-containment' */
  readonly sessionName?: string;
  /** @default 900 (the minimum: containment is short) */
  readonly durationSeconds?: number;
  /** @default 'aws' */
  readonly partition?: string;
  /** leakstop's own STS client. @default one from the environment (AWS_ENDPOINT_URL_STS honoured) */
  readonly sts?: STSClient;
  readonly now?: () => number;
}

const REFRESH_BEFORE_MS = 5 * 60_000;

export function assumeRoleCredentials(options: AssumeRoleOptions): AccountCredentials {
  const sts = options.sts ?? new STSClient(CONTAINMENT_CLIENT_CONFIG);
  const now = options.now ?? Date.now;
  const cache = new Map<string, Promise<AccountCredentialIdentity>>();

  async function assume(accountId: string): Promise<AccountCredentialIdentity> {
    const roleArn = `arn:${options.partition ?? 'aws'}:iam::${accountId}:role/${options.roleName}`;
    try {
      const { Credentials } = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: options.sessionName ?? 'leakstop-containment',
          DurationSeconds: options.durationSeconds ?? 900,
          ...(options.externalId ? { ExternalId: options.externalId } : {}),
        }),
      );
      if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey)
        throw new ProviderError('aws', `sts:AssumeRole on ${roleArn} returned no credentials`, {
          transient: true,
        });
      return {
        accessKeyId: Credentials.AccessKeyId,
        secretAccessKey: Credentials.SecretAccessKey,
        ...(Credentials.SessionToken ? { sessionToken: Credentials.SessionToken } : {}),
        ...(Credentials.Expiration ? { expiration: Credentials.Expiration } : {}),
      };
    } catch (error) {
      const code = awsErrorCode(error);
      if (code === 'AccessDenied' || code === 'AccessDeniedException')
        throw new AccountAccessDenied(accountId, roleArn, code);
      throw awsProviderError('aws', `sts:AssumeRole on ${roleArn}`, error);
    }
  }

  return async (accountId: string) => {
    if (!/^\d{12}$/.test(accountId)) throw new Error(`not an AWS account id: ${accountId}`);
    const cached = cache.get(accountId);
    if (cached) {
      try {
        const credentials = await cached;
        if (!credentials.expiration || credentials.expiration.getTime() - now() > REFRESH_BEFORE_MS)
          return credentials;
      } catch {
        // a failed attempt is not cached: try again below
      }
    }
    const fresh = assume(accountId);
    cache.set(accountId, fresh);
    fresh.catch(() => cache.delete(accountId));
    return fresh;
  };
}

/**
 * `(accessKeyId) => account id` of the account that owns the key (sts:GetAccessKeyInfo with
 * leakstop's own credentials; it needs no permission in the owning account), remembered per key.
 */
export function owningAccountLookup(
  sts: STSClient = new STSClient(CONTAINMENT_CLIENT_CONFIG),
): (accessKeyId: string) => Promise<string> {
  const known = new Map<string, string>();
  return async (accessKeyId) => {
    const cached = known.get(accessKeyId);
    if (cached) return cached;
    let account: string | undefined;
    try {
      account = (await sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: accessKeyId }))).Account;
    } catch (error) {
      throw awsProviderError('aws', 'sts:GetAccessKeyInfo', error);
    }
    if (!account)
      throw new ProviderError('aws', 'sts:GetAccessKeyInfo returned no account', { transient: true });
    known.set(accessKeyId, account);
    return account;
  };
}
