import { App, Duration, Validations } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Node } from 'constructs';
import { parseGracePeriod } from '../functions/domain/containment/key-deletion.ts';
import { parseModeConfig, type Mode } from '../functions/domain/containment/modes.ts';
import { type LeakstopStackProps, LeakstopStack } from './leakstop-stack.ts';

/** Stack name in CloudFormation. */
export const STACK_NAME = 'Leakstop';

/** CDK context keys (`-c key=value` or cdk.json) and the stack prop each one sets. */
export const CONTEXT_KEYS = {
  mode: 'mode',
  providerModes: 'providerModes',
  slackChannel: 'slackChannel',
  githubAppId: 'githubAppId',
  githubApiUrl: 'githubApiUrl',
  alarmEmail: 'alarmEmail',
  slackAllowedUsers: 'slackAllowedUsers',
  logRetentionDays: 'logRetentionDays',
  maxMessageAgeMinutes: 'maxMessageAgeMinutes',
  awsRoleName: 'awsRoleName',
  awsExternalId: 'awsExternalId',
  awsOrganizationId: 'awsOrganizationId',
  gitlabApiUrl: 'gitlabApiUrl',
  npmRegistryUrl: 'npmRegistryUrl',
  awsKeyDeleteAfter: 'awsKeyDeleteAfter',
} as const;

/** Read the stack's configuration from CDK context, rejecting values the stack cannot use. */
export function stackPropsFromContext(node: Node): LeakstopStackProps {
  const text = (key: string): string | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    return String(value);
  };
  const positive = (key: string): number | undefined => {
    const value = text(key);
    if (value === undefined) return undefined;
    const number = Number(value);
    if (!Number.isInteger(number) || number <= 0)
      throw new Error(`context ${key} must be a positive integer; got "${value}"`);
    return number;
  };

  const mode = text(CONTEXT_KEYS.mode);
  const providerModes = text(CONTEXT_KEYS.providerModes);
  // The functions parse these with the same function at cold start; a bad value fails the synth instead.
  parseModeConfig(mode, providerModes, { mode: 'context mode', providerModes: 'context providerModes' });
  parseGracePeriod(text(CONTEXT_KEYS.awsKeyDeleteAfter), 'context awsKeyDeleteAfter');
  const retentionDays = positive(CONTEXT_KEYS.logRetentionDays);
  if (retentionDays !== undefined && !Object.values(RetentionDays).includes(retentionDays)) {
    throw new Error(
      `context logRetentionDays must be a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90, …); got ${retentionDays}`,
    );
  }
  const maxMessageAgeMinutes = positive(CONTEXT_KEYS.maxMessageAgeMinutes);
  const slackAllowedUsers = text(CONTEXT_KEYS.slackAllowedUsers);
  const awsRoleName = text(CONTEXT_KEYS.awsRoleName);
  if (awsRoleName !== undefined && !/^[\w+=,.@-]{1,64}$/.test(awsRoleName))
    throw new Error(`context awsRoleName must be an IAM role name; got "${awsRoleName}"`);
  const awsOrganizationId = text(CONTEXT_KEYS.awsOrganizationId);
  if (awsOrganizationId !== undefined && !/^o-[a-z0-9]{10,32}$/.test(awsOrganizationId))
    throw new Error(`context awsOrganizationId must be an organization id (o-…); got "${awsOrganizationId}"`);
  for (const user of slackAllowedUsers?.split(',') ?? []) {
    if (!/^[UW][A-Z0-9]{2,}$/.test(user.trim())) {
      throw new Error(
        `context slackAllowedUsers must list Slack user ids (U…), comma-separated; got "${user}"`,
      );
    }
  }

  return {
    mode: mode as Mode | undefined,
    providerModes,
    slackChannel: text(CONTEXT_KEYS.slackChannel),
    githubAppId: text(CONTEXT_KEYS.githubAppId),
    githubApiUrl: text(CONTEXT_KEYS.githubApiUrl),
    alarmEmail: text(CONTEXT_KEYS.alarmEmail),
    slackAllowedUsers,
    logRetention: retentionDays as RetentionDays | undefined,
    maxMessageAge: maxMessageAgeMinutes === undefined ? undefined : Duration.minutes(maxMessageAgeMinutes),
    awsRoleName,
    awsExternalId: text(CONTEXT_KEYS.awsExternalId),
    awsOrganizationId,
    gitlabApiUrl: text(CONTEXT_KEYS.gitlabApiUrl),
    npmRegistryUrl: text(CONTEXT_KEYS.npmRegistryUrl),
    awsKeyDeleteAfter: text(CONTEXT_KEYS.awsKeyDeleteAfter),
  };
}

export interface CreateLeakstopAppOptions {
  /** Context for the app (tests pass cdk.json's); the CDK CLI passes its own through the environment. */
  readonly context?: Record<string, unknown>;
  /** Where the cloud assembly goes. @default - the CLI's directory, or a temporary one */
  readonly outdir?: string;
  /**
   * Validate at synthesis: cdk-nag's AwsSolutions checks (a finding fails synthesis) and CDK's built-in
   * CloudFormation validation. Tests that only read the template turn this off to save seconds.
   * @default true
   */
  readonly validate?: boolean;
}

/**
 * The app `cdk synth` runs, and the one the tests synthesize: the stack with cdk-nag's AwsSolutions
 * checks as a validation plugin, so any unacknowledged finding fails synthesis.
 */
export function createLeakstopApp(options: CreateLeakstopAppOptions = {}): {
  app: App;
  stack: LeakstopStack;
} {
  const validate = options.validate ?? true;
  const app = new App({
    context: options.context,
    outdir: options.outdir,
    builtinCloudFormationValidation: validate,
  });
  if (validate) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  const stack = new LeakstopStack(app, STACK_NAME, {
    ...stackPropsFromContext(app.node),
    description: 'leakstop: leaked-credential response pipeline (GitHub → detect → contain → Slack)',
    // Environment-agnostic unless the CLI knows the account: `cdk synth` works offline, without credentials.
    env: account ? { account, region } : undefined,
  });
  return { app, stack };
}
