/**
 * The member-account role (LeakstopContainmentRole): trusted by leakstop's containment function role
 * alone (with the external id when one is set), and allowed exactly what containment does there.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  CONTAINMENT_ROLE_ACTIONS,
  LeakstopContainmentRole,
  type LeakstopContainmentRoleProps,
} from '../../lib/constructs/containment-role.ts';

const LEAKSTOP_ROLE = 'arn:aws:iam::111122223333:role/Leakstop-ContainRole-ABC';

function synth(props: Partial<LeakstopContainmentRoleProps> = {}) {
  const stack = new Stack(new App(), 'Member', { env: { account: '444455556666', region: 'eu-west-1' } });
  new LeakstopContainmentRole(stack, 'Containment', { leakstopRoleArn: LEAKSTOP_ROLE, ...props });
  const template = Template.fromStack(stack).toJSON() as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const of = (type: string) => Object.values(template.Resources).filter((r) => r.Type === type);
  const role = of('AWS::IAM::Role')[0]!.Properties;
  const statements = (
    of('AWS::IAM::Policy')[0]!.Properties.PolicyDocument as {
      Statement: { Action: string | string[]; Resource: unknown; Condition?: unknown }[];
    }
  ).Statement;
  return { role, statements, actions: statements.flatMap((s) => [s.Action].flat()).sort() };
}

describe('LeakstopContainmentRole', () => {
  it('is named as leakstop assumes it, and trusts only the containment function role', () => {
    const { role } = synth();
    expect(role.RoleName).toBe('leakstop-containment');
    expect(role.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: LEAKSTOP_ROLE } }],
    });
  });

  it('trusts the sweep function role as well when one is given (grace-period deletion)', () => {
    const sweep = 'arn:aws:iam::111122223333:role/Leakstop-SweepRole-DEF';
    const { role } = synth({ sweepRoleArn: sweep, allowKeyDeletion: true, externalId: 'leakstop-acme' });
    const trust = (
      role.AssumeRolePolicyDocument as { Statement: { Principal: { AWS: string }; Condition?: unknown }[] }
    ).Statement;
    expect(trust.map((s) => s.Principal.AWS).sort()).toEqual([LEAKSTOP_ROLE, sweep]);
    for (const statement of trust)
      expect(statement.Condition).toEqual({ StringEquals: { 'sts:ExternalId': 'leakstop-acme' } });
  });

  it('requires the external id when one is configured', () => {
    const { role } = synth({ externalId: 'leakstop-acme' });
    expect(JSON.stringify(role.AssumeRolePolicyDocument)).toContain('"sts:ExternalId":"leakstop-acme"');
  });

  it('allows reading key owner and status, deactivating, and attaching AWSDenyAll only', () => {
    const { statements, actions } = synth();
    expect(actions).toEqual(
      [
        ...CONTAINMENT_ROLE_ACTIONS.read,
        ...CONTAINMENT_ROLE_ACTIONS.deactivate,
        ...CONTAINMENT_ROLE_ACTIONS.quarantine,
      ].sort(),
    );
    for (const statement of statements)
      expect(JSON.stringify(statement.Resource)).toContain(':iam::444455556666:user/*');
    const attach = statements.find((s) => [s.Action].flat().includes('iam:AttachUserPolicy'));
    expect(attach?.Condition).toEqual({
      ArnEquals: {
        'iam:PolicyARN': {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AWSDenyAll']],
        },
      },
    });
  });

  it('cannot delete keys unless allowKeyDeletion is set', () => {
    expect(synth().actions).not.toContain('iam:DeleteAccessKey');
    expect(synth({ allowKeyDeletion: true }).actions).toContain('iam:DeleteAccessKey');
  });
});
