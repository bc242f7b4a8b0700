/**
 * AWS access keys (api-facts §3a, §3b):
 *   1. sts:GetAccessKeyInfo (leakstop's own credentials) → the owning account
 *   2. assume leakstop's containment role there (account-access.ts)
 *   3. iam:GetAccessKeyLastUsed → the owning user (and when and where the key was last used)
 *   4. iam:ListAccessKeys → the key's status; iam:UpdateAccessKey Status=Inactive only while it is
 *      Active (UserName is required with role credentials), so the key is deactivated once
 *   5. iam:AttachUserPolicy AWSDenyAll on the user: a deny-all quarantine that also covers the
 *      user's other keys and a key someone re-activates
 * Probe: sts:GetCallerIdentity signed with the leaked pair — InvalidClientTokenId once the key is
 * inactive or deleted. A key id found without its secret is probed with a stand-in secret:
 * SignatureDoesNotMatch says AWS still recognises the key, InvalidClientTokenId that it does not.
 *
 * Deletion (iam:DeleteAccessKey) is not part of containment: the key stays inactive and quarantined
 * for the owner to inspect; a grace-period sweep deletes it later only where configured
 * (delete-aws-key.ts, domain/containment/key-deletion.ts; default never).
 */
import {
  GetAccessKeyLastUsedCommand,
  IAMClient,
  ListAccessKeysCommand,
  UpdateAccessKeyCommand,
  AttachUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { GetAccessKeyInfoCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Incident } from '../../domain/incidents/incident.ts';
import {
  ProviderError,
  type Liveness,
  type RevokeContext,
  type RevokeOutcome,
  type Revoker,
} from '../../domain/containment/revokers.ts';
import { AccountAccessDenied, type AccountCredentials } from './account-access.ts';
import {
  awsErrorCode,
  awsProviderError,
  awsStep,
  CONTAINMENT_CLIENT_CONFIG,
  stepErrorCode,
} from './provider-errors.ts';

export const AWS_REVOCABLE_TYPES = ['aws_access_key'] as const;

/** AWS's managed deny-all policy: the member role may attach this one policy and no other. */
export const QUARANTINE_POLICY_ARN = 'arn:aws:iam::aws:policy/AWSDenyAll';

interface KeyMaterial {
  readonly accessKeyId: string;
  readonly secretAccessKey?: string;
}

/** The vault holds `{"accessKeyId","secretAccessKey"}` for a pair, or the bare key id. */
export function keyMaterial(secret: string): KeyMaterial {
  if (secret.startsWith('{')) {
    const parsed = JSON.parse(secret) as { accessKeyId?: unknown; secretAccessKey?: unknown };
    if (typeof parsed.accessKeyId === 'string')
      return {
        accessKeyId: parsed.accessKeyId,
        ...(typeof parsed.secretAccessKey === 'string' ? { secretAccessKey: parsed.secretAccessKey } : {}),
      };
  }
  return { accessKeyId: secret.trim() };
}

export interface AwsKeyRevokerOptions {
  /** Credentials in the owning account (assumeRoleCredentials()). */
  readonly credentialsFor: AccountCredentials;
  /** leakstop's own STS client, for GetAccessKeyInfo. @default one from the environment */
  readonly sts?: STSClient;
  /** Region for the probe's and IAM's clients. @default AWS_REGION or us-east-1 */
  readonly region?: string;
  readonly verifyWithinMs?: number;
}

export class AwsKeyRevoker implements Revoker {
  readonly provider = 'aws';
  readonly types: readonly string[] = AWS_REVOCABLE_TYPES;
  readonly idempotent = true;
  readonly verifyWithinMs: number;
  private readonly sts: STSClient;
  private readonly region: string;
  private readonly iam = new Map<string, IAMClient>();

  constructor(private readonly options: AwsKeyRevokerOptions) {
    this.region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
    this.sts = options.sts ?? new STSClient({ ...CONTAINMENT_CLIENT_CONFIG, region: this.region });
    // IAM is eventually consistent: a deactivated key can keep working for a few seconds.
    this.verifyWithinMs = options.verifyWithinMs ?? 30_000;
  }

  async probe(secret: string): Promise<Liveness> {
    const key = keyMaterial(secret);
    const client = new STSClient({
      ...CONTAINMENT_CLIENT_CONFIG,
      region: this.region,
      // Without the secret, any secret: AWS checks the key id before the signature.
      credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey ?? 'x'.repeat(40) },
    });
    try {
      // A client per probe (it signs with the leaked key); it shares the containment connection pool.
      const identity = await client.send(new GetCallerIdentityCommand({}));
      return {
        state: 'live',
        identity: identity.Arn ?? `a principal of account ${identity.Account}`,
        details: { ...(identity.Account ? { account: identity.Account } : {}) },
      };
    } catch (error) {
      const code = awsErrorCode(error);
      if (code === 'InvalidClientTokenId' || code === 'ExpiredToken')
        return { state: 'dead', reason: `sts:GetCallerIdentity answered ${code}` };
      if (code === 'SignatureDoesNotMatch')
        return {
          state: 'live',
          details: {
            note: key.secretAccessKey
              ? 'AWS recognises the key id, but the secret found next to it does not match it'
              : 'AWS recognises the key id (its secret was not found)',
          },
        };
      throw awsProviderError('aws', 'sts:GetCallerIdentity', error);
    }
  }

  async revoke(secret: string, _incident: Incident, context: RevokeContext): Promise<RevokeOutcome> {
    const { accessKeyId } = keyMaterial(secret);
    const step = <T>(operation: string, call: () => Promise<T>): Promise<T> =>
      awsStep(operation, call, context.deadline);
    const actions: string[] = [];

    const info = await step('sts:GetAccessKeyInfo', () =>
      this.sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: accessKeyId })),
    );
    const account = info.Account;
    if (!account)
      throw new ProviderError('aws', 'sts:GetAccessKeyInfo returned no account', { transient: true });
    actions.push(`sts:GetAccessKeyInfo → account ${account}`);

    try {
      // The session is cached per account (account-access.ts); the IAM client below reads it from there.
      await step('sts:AssumeRole', () => this.options.credentialsFor(account));
    } catch (error) {
      if (error instanceof AccountAccessDenied) return { outcome: 'refused', reason: error.message };
      throw error;
    }
    actions.push(`assumed the leakstop containment role in ${account}`);
    const iam = this.iamIn(account);
    let lastUsed;
    try {
      lastUsed = await step('iam:GetAccessKeyLastUsed', () =>
        iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId })),
      );
    } catch (error) {
      const code = stepErrorCode(error);
      if (code === 'NoSuchEntity' || code === 'AccessDenied')
        return { outcome: 'refused', reason: `iam:GetAccessKeyLastUsed in ${account} answered ${code}` };
      throw error;
    }
    const user = lastUsed.UserName;
    if (!user || user === 'root' || user === '<root_account>')
      return {
        outcome: 'refused',
        reason: `the key belongs to the root user of ${account}: only the root user can deactivate it`,
      };
    const used = lastUsed.AccessKeyLastUsed;
    actions.push(
      `iam:GetAccessKeyLastUsed → user ${user}${used?.LastUsedDate ? `, last used ${used.LastUsedDate.toISOString()} (${used.ServiceName}, ${used.Region})` : ', never used'}`,
    );

    const keys = await step('iam:ListAccessKeys', () =>
      iam.send(new ListAccessKeysCommand({ UserName: user })),
    );
    const status = keys.AccessKeyMetadata?.find((k) => k.AccessKeyId === accessKeyId)?.Status;
    if (status === 'Active') {
      await step('iam:UpdateAccessKey', () =>
        iam.send(
          new UpdateAccessKeyCommand({ AccessKeyId: accessKeyId, Status: 'Inactive', UserName: user }),
        ),
      );
      actions.push('iam:UpdateAccessKey Status=Inactive');
    } else {
      actions.push(`iam:UpdateAccessKey skipped: the key is already ${status ?? 'gone'}`);
    }

    await step('iam:AttachUserPolicy', () =>
      iam.send(new AttachUserPolicyCommand({ UserName: user, PolicyArn: QUARANTINE_POLICY_ARN })),
    );
    actions.push(`iam:AttachUserPolicy AWSDenyAll on ${user} (quarantine)`);
    return { outcome: 'revoked', actions, owner: { account, user } };
  }

  /** One IAM client per member account, on that account's role session (refreshed as it nears expiry). */
  private iamIn(account: string): IAMClient {
    let client = this.iam.get(account);
    if (!client) {
      client = new IAMClient({
        ...CONTAINMENT_CLIENT_CONFIG,
        region: 'us-east-1',
        credentials: () => this.options.credentialsFor(account),
      });
      this.iam.set(account, client);
    }
    return client;
  }
}
