import { Duration, Stack } from 'aws-cdk-lib';
import { ArnPrincipal, CompositePrincipal, Effect, Policy, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CONTAINMENT_ROLE } from '../../functions/shared/resources.ts';

/** AWS's managed deny-all policy: the only policy the containment role may attach. */
export const QUARANTINE_POLICY = 'AWSDenyAll';

/** What containment does in a member account, and nothing more. */
export const CONTAINMENT_ROLE_ACTIONS = {
  read: ['iam:GetAccessKeyLastUsed', 'iam:ListAccessKeys'],
  deactivate: ['iam:UpdateAccessKey'],
  quarantine: ['iam:AttachUserPolicy'],
  delete: ['iam:DeleteAccessKey'],
} as const;

export interface LeakstopContainmentRoleProps {
  /**
   * ARN of leakstop's containment function role, in the security account that runs leakstop
   * (the stack output `ContainFunctionRoleArn`). Only it may assume this role.
   */
  readonly leakstopRoleArn: string;
  /**
   * ARN of leakstop's sweep function role (stack output `SweepFunctionRoleArn`), trusted too when
   * given: the grace-period deletion (`allowKeyDeletion`, the stack's `awsKeyDeleteAfter`) runs there.
   * @default - only the containment function role is trusted
   */
  readonly sweepRoleArn?: string;
  /**
   * The role's name: the same in every member account, as leakstop assumes it by name.
   * @default CONTAINMENT_ROLE.defaultName ('leakstop-containment')
   */
  readonly roleName?: string;
  /**
   * External id leakstop must present (its `awsExternalId` context).
   * @default - none required
   */
  readonly externalId?: string;
  /**
   * Also allow iam:DeleteAccessKey, for an operator's grace-period deletion.
   * @default false - leakstop only deactivates and quarantines
   */
  readonly allowKeyDeletion?: boolean;
  /**
   * More statements for what else leakstop does in member accounts (e.g. the read-only usage
   * lookups and copies searches: cloudtrail:LookupEvents, …).
   * @default - none
   */
  readonly additionalStatements?: readonly PolicyStatement[];
}

/**
 * The role leakstop assumes in an account that owns a leaked IAM user key, to deactivate the key
 * and quarantine its user. Deploy it in every member account (e.g. with a CDK app or a
 * CloudFormation StackSet; docs/deploy.md has both). Least privilege:
 * - reads a key's owner and status (GetAccessKeyLastUsed, ListAccessKeys) on users only;
 * - deactivates keys (UpdateAccessKey) — it cannot create keys or change any other attribute;
 * - attaches exactly one policy, AWSDenyAll (iam:PolicyARN condition), so it cannot grant anything;
 * - deletes keys only with `allowKeyDeletion`.
 */
export class LeakstopContainmentRole extends Construct {
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: LeakstopContainmentRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const users = stack.formatArn({ service: 'iam', region: '', resource: 'user', resourceName: '*' });
    const trusted = (arn: string) => {
      const principal = new ArnPrincipal(arn);
      return props.externalId
        ? principal.withConditions({ StringEquals: { 'sts:ExternalId': props.externalId } })
        : principal;
    };
    this.role = new Role(this, 'Role', {
      roleName: props.roleName ?? CONTAINMENT_ROLE.defaultName,
      description: 'leakstop: deactivate and quarantine leaked IAM user access keys in this account',
      assumedBy: props.sweepRoleArn
        ? new CompositePrincipal(trusted(props.leakstopRoleArn), trusted(props.sweepRoleArn))
        : trusted(props.leakstopRoleArn),
      maxSessionDuration: Duration.hours(1),
    });
    const statements = [
      new PolicyStatement({
        sid: 'ReadKeyOwnerAndStatus',
        effect: Effect.ALLOW,
        actions: [...CONTAINMENT_ROLE_ACTIONS.read],
        resources: [users],
      }),
      new PolicyStatement({
        sid: 'DeactivateKeys',
        effect: Effect.ALLOW,
        actions: [...CONTAINMENT_ROLE_ACTIONS.deactivate],
        resources: [users],
      }),
      new PolicyStatement({
        sid: 'QuarantineWithDenyAllOnly',
        effect: Effect.ALLOW,
        actions: [...CONTAINMENT_ROLE_ACTIONS.quarantine],
        resources: [users],
        conditions: {
          ArnEquals: { 'iam:PolicyARN': `arn:${stack.partition}:iam::aws:policy/${QUARANTINE_POLICY}` },
        },
      }),
      ...(props.allowKeyDeletion
        ? [
            new PolicyStatement({
              sid: 'DeleteKeys',
              effect: Effect.ALLOW,
              actions: [...CONTAINMENT_ROLE_ACTIONS.delete],
              resources: [users],
            }),
          ]
        : []),
      ...(props.additionalStatements ?? []),
    ];
    this.role.attachInlinePolicy(new Policy(this, 'Policy', { statements }));
  }
}
