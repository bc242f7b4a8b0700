/**
 * The IAM access the usage lookup and copies search need (functions/adapters/aws/*-copies.ts,
 * cloudtrail-usage.ts). Plain data, for the role constructs in lib/ and for the member-account
 * policy in the docs: `{partition}` and `{account}` stand for the partition and the account the
 * statement is granted in (e.g. `Fn.sub` with `${AWS::Partition}` / `${AWS::AccountId}`).
 *
 * All of it is read-only except secretsmanager:RotateSecret, which runs only in `enforce` mode
 * for a secret holding a copy of a leaked credential and having rotation configured.
 */

export interface TraceStatement {
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
  /** Why, and why the resource cannot be narrower when it is `*`. */
  readonly why: string;
}

export const TRACE_ACCESS = {
  /** In the role leakstop assumes in each account of LEAKSTOP_TRACE_ACCOUNTS. */
  memberAccount: [
    {
      sid: 'UsageLookup',
      actions: ['cloudtrail:LookupEvents'],
      resources: ['*'],
      why: 'CloudTrail usage of a leaked key; LookupEvents supports no resource-level permissions',
    },
    {
      sid: 'LogsCopies',
      actions: ['logs:DescribeLogGroups', 'logs:FilterLogEvents'],
      resources: ['arn:{partition}:logs:*:{account}:log-group:*'],
      why: 'copies in the configured log groups; narrow to `log-group:<name>:*` when LEAKSTOP_TRACE_LOG_GROUPS lists exact names',
    },
    {
      sid: 'LambdaEnvCopies',
      actions: ['lambda:ListFunctions'],
      resources: ['*'],
      why: 'copies in environment variables of every function version (ListFunctions returns them); ListFunctions supports no resource-level permissions',
    },
    {
      sid: 'SsmParameterList',
      actions: ['ssm:DescribeParameters'],
      resources: ['*'],
      why: 'names of the parameters to compare; DescribeParameters supports no resource-level permissions',
    },
    {
      sid: 'SsmParameterValues',
      actions: ['ssm:GetParameters'],
      resources: ['arn:{partition}:ssm:*:{account}:parameter/*'],
      why: 'parameter values, SecureString decrypted (WithDecryption)',
    },
    {
      sid: 'SecretsList',
      actions: ['secretsmanager:ListSecrets'],
      resources: ['*'],
      why: 'secrets to compare and whether rotation is configured; ListSecrets supports no resource-level permissions',
    },
    {
      sid: 'SecretsValuesAndRotation',
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:RotateSecret'],
      resources: ['arn:{partition}:secretsmanager:*:{account}:secret:*'],
      why: 'AWSCURRENT values to compare; RotateSecret (enforce only) for a secret holding a copy',
    },
    {
      sid: 'RotationFunctionInvoke',
      actions: ['lambda:InvokeFunction'],
      resources: ['arn:{partition}:lambda:*:{account}:function:*'],
      why: "RotateSecret's caller also needs to invoke the secret's rotation function (RotateSecret API reference); narrow to your rotation functions' names",
    },
    {
      sid: 'DecryptForComparison',
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: {
        StringLike: {
          'kms:ViaService': [
            'ssm.*.amazonaws.com',
            'secretsmanager.*.amazonaws.com',
            'lambda.*.amazonaws.com',
          ],
        },
      },
      why: 'SecureString parameters, secrets and environment variables under customer-managed keys are read decrypted; only through those services',
    },
  ] satisfies readonly TraceStatement[],
  /**
   * In leakstop's own contain function. With credentials per account (assume-role), the function
   * itself only needs to assume the member role (granted with the containment role) and read its
   * fingerprint key and GitHub App key (FUNCTIONS.contain.access.secrets). Without per-account
   * credentials (a single-account deployment), grant it the memberAccount statements instead.
   */
  containFunction: [] satisfies readonly TraceStatement[],
} as const;

/** Fills `{partition}` and `{account}` in a resource pattern. */
export function traceResource(pattern: string, where: { partition: string; account: string }): string {
  return pattern.replaceAll('{partition}', where.partition).replaceAll('{account}', where.account);
}
