import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { createLeakstopApp, stackPropsFromContext } from '../../lib/leakstop-app.ts';
import { ENV, FUNCTIONS, type FunctionName } from '../../functions/shared/resources.ts';
import { CDK_CONTEXT, functionLogicalId, NO_BUNDLING } from './helpers.ts';

const propsFrom = (context: Record<string, unknown>) => stackPropsFromContext(new App({ context }).node);

describe('configuration from CDK context', () => {
  it('leaves every prop to the stack default when no context is given', () => {
    expect(Object.values(propsFrom({})).filter((value) => value !== undefined)).toEqual([]);
  });

  it('reads each key into its prop', () => {
    const props = propsFrom({
      mode: 'enforce',
      providerModes: '{"aws":"approval"}',
      slackChannel: 'C0123456789',
      githubAppId: '123456',
      alarmEmail: 'oncall@example.com',
      slackAllowedUsers: 'U012AB3CD,W0123',
      logRetentionDays: '30',
      maxMessageAgeMinutes: '5',
    });
    expect(props).toMatchObject({
      mode: 'enforce',
      providerModes: '{"aws":"approval"}',
      slackChannel: 'C0123456789',
      githubAppId: '123456',
      alarmEmail: 'oncall@example.com',
      slackAllowedUsers: 'U012AB3CD,W0123',
      logRetention: RetentionDays.ONE_MONTH,
    });
    expect(props.maxMessageAge?.toSeconds()).toBe(300);
  });

  it.each([
    ['mode', 'yolo', /mode must be one of dry-run, enforce, approval/],
    ['providerModes', '{"aws":"sometimes"}', /providerModes.aws must be one of/],
    ['providerModes', 'aws=enforce', /providerModes must be a JSON object/],
    ['logRetentionDays', '31', /logRetentionDays must be a CloudWatch Logs retention/],
    ['maxMessageAgeMinutes', '-1', /maxMessageAgeMinutes must be a positive integer/],
    ['slackAllowedUsers', 'alice', /slackAllowedUsers must list Slack user ids/],
    ['awsKeyDeleteAfter', '1 week', /awsKeyDeleteAfter must be 'never' or a duration such as 90m, 36h or 7d/],
  ])('rejects %s=%s', (key, value, message) => {
    expect(() => propsFrom({ [key]: value })).toThrow(message);
  });

  it('puts mode, channel, App id and the Slack allow-list into the functions’ environment', () => {
    const { stack } = createLeakstopApp({
      context: {
        ...CDK_CONTEXT,
        ...NO_BUNDLING,
        mode: 'approval',
        slackChannel: '#sec',
        githubAppId: '42',
        slackAllowedUsers: 'U1AA',
      },
      validate: false,
    });
    const resources = (
      Template.fromStack(stack).toJSON() as {
        Resources: Record<string, { Properties: { Environment: { Variables: Record<string, unknown> } } }>;
      }
    ).Resources;
    for (const name of Object.keys(FUNCTIONS) as FunctionName[]) {
      const env = resources[functionLogicalId(stack, name)]?.Properties.Environment.Variables ?? {};
      expect(env[ENV.mode]).toBe('approval');
      expect(env[ENV.slackChannel]).toBe('#sec');
      expect(env[ENV.githubAppId]).toBe('42');
      if (name === 'slack') expect(env.SLACK_ALLOWED_USERS).toBe('U1AA');
      else expect(env).not.toHaveProperty('SLACK_ALLOWED_USERS');
    }
  });
});
