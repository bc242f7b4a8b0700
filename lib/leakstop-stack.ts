import {
  ArnFormat,
  CfnOutput,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, ManagedPolicy, Policy, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { FunctionUrlAuthType, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import {
  CONTAINMENT_ROLE,
  ENV,
  FUNCTIONS,
  type FunctionName,
  QUEUES,
  type QueueKey,
  SECRETS,
  type SecretName,
  SWEEP_SCHEDULE,
  TABLE,
} from '../functions/shared/resources.ts';
import { parseGracePeriod } from '../functions/domain/containment/key-deletion.ts';
import { parseModeConfig, type Mode } from '../functions/domain/containment/modes.ts';
import { CredentialVault, VAULT_SECRET_PREFIX } from './constructs/credential-vault.ts';
import { LeakstopFunction } from './constructs/leakstop-function.ts';
import { WorkQueue } from './constructs/work-queue.ts';

/** Actions without resource-level permissions that containment needs: which account owns a key. */
export const KEY_OWNER_LOOKUP_ACTIONS = ['sts:GetAccessKeyInfo'] as const;

export interface LeakstopStackProps extends StackProps {
  /**
   * Default containment mode of every provider: `dry-run` records what it would do and calls no
   * destructive API, `enforce` revokes, `approval` waits for a Slack approval.
   * @default 'dry-run'
   */
  readonly mode?: Mode;
  /**
   * Per-provider modes as a JSON object, e.g. `{"aws":"enforce","github":"approval"}` (ENV.providerModes).
   * @default - every provider uses `mode`
   */
  readonly providerModes?: string;
  /**
   * Slack channel (name or id) that receives incident cards.
   * @default '#leakstop'
   */
  readonly slackChannel?: string;
  /**
   * Numeric id of the GitHub App (not secret).
   * @default '' - secret-scanning alerts cannot be fetched until it is set
   */
  readonly githubAppId?: string;
  /**
   * GitHub API base URL, for GitHub Enterprise Server.
   * @default - api.github.com (the functions' default)
   */
  readonly githubApiUrl?: string;
  /**
   * Comma-separated Slack user ids (U…) allowed to press incident buttons and run /leakstop actions.
   * @default '' - every member of the workspace who can see the card
   */
  readonly slackAllowedUsers?: string;
  /**
   * Email address subscribed to the alarm topic (the operator confirms the subscription).
   * @default - no subscription; subscribe to the `AlarmTopicArn` output yourself
   */
  readonly alarmEmail?: string;
  /**
   * Retention of every function's log group.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
  /**
   * Age of the oldest message in a work queue above which its alarm fires.
   * @default Duration.minutes(15)
   */
  readonly maxMessageAge?: Duration;
  /**
   * Name of the role containment assumes in the account that owns a leaked AWS key
   * (LeakstopContainmentRole in lib/constructs/containment-role.ts, deployed in member accounts).
   * @default CONTAINMENT_ROLE.defaultName ('leakstop-containment')
   */
  readonly awsRoleName?: string;
  /**
   * External id the member roles' trust policy requires (not secret; a confused-deputy guard).
   * @default - none
   */
  readonly awsExternalId?: string;
  /**
   * AWS Organizations id (o-…): containment may assume the role only in accounts of this organization.
   * @default - any account that trusts leakstop
   */
  readonly awsOrganizationId?: string;
  /**
   * GitLab instance whose personal access tokens are revoked.
   * @default CONTAINMENT_DEFAULTS.gitlabApiUrl (https://gitlab.com)
   */
  readonly gitlabApiUrl?: string;
  /**
   * npm registry whose tokens are revoked.
   * @default CONTAINMENT_DEFAULTS.npmRegistryUrl (https://registry.npmjs.org)
   */
  readonly npmRegistryUrl?: string;
  /**
   * Grace period after verified containment before the sweep deletes a leaked AWS access key
   * (`36h`, `7d`…). Member accounts' containment roles then need `allowKeyDeletion`.
   * @default 'never' - keys stay inactive and quarantined until their owner deletes them
   */
  readonly awsKeyDeleteAfter?: string;
}

/**
 * leakstop in one stack: function-URL ingress, the work queues with dead-letter queues and alarms, the
 * incidents table, the secrets, the vault and one least-privilege role per function. Every name, key,
 * index, timeout and permission comes from functions/shared/resources.ts.
 */
export class LeakstopStack extends Stack {
  public readonly table: Table;
  public readonly queues: Record<QueueKey, WorkQueue>;
  public readonly secrets: Record<SecretName, Secret>;
  public readonly functions: Record<FunctionName, LeakstopFunction>;
  public readonly vault: CredentialVault;
  public readonly alarmTopic: Topic;
  private readonly containmentRoleName: string;
  private readonly organizationId: string | undefined;

  constructor(scope: Construct, id: string, props: LeakstopStackProps = {}) {
    super(scope, id, props);
    const mode = props.mode ?? 'dry-run';
    parseModeConfig(mode, props.providerModes);
    parseGracePeriod(props.awsKeyDeleteAfter, 'awsKeyDeleteAfter');
    this.containmentRoleName = props.awsRoleName ?? CONTAINMENT_ROLE.defaultName;
    this.organizationId = props.awsOrganizationId;

    // Alarm topic and log groups share one key; its policy lets CloudWatch alarms and Logs use it.
    const operationsKey = new Key(this, 'OperationsKey', {
      description: 'leakstop: encrypts the alarm topic and the function log groups',
      enableKeyRotation: true,
    });
    operationsKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    operationsKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': this.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );

    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'leakstop alarms',
      masterKey: operationsKey,
      enforceSSL: true,
    });
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': this.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));

    this.table = this.createTable();
    this.queues = this.createQueues(props.maxMessageAge);
    this.secrets = this.createSecrets();
    this.vault = new CredentialVault(this, 'Vault');

    const shared: Record<string, string> = {
      [ENV.tableName]: this.table.tableName,
      [ENV.mode]: mode,
      [ENV.slackChannel]: props.slackChannel ?? '#leakstop',
      [ENV.githubAppId]: props.githubAppId ?? '',
      [ENV.vaultBackend]: 'secrets-manager',
      ...(props.providerModes ? { [ENV.providerModes]: props.providerModes } : {}),
      ...(props.githubApiUrl ? { [ENV.githubApiUrl]: props.githubApiUrl } : {}),
    };

    const functions = {} as Record<FunctionName, LeakstopFunction>;
    for (const definition of Object.values(FUNCTIONS)) {
      const { access } = definition;
      const environment: Record<string, string> = { ...shared };
      for (const queue of access.sendsTo)
        environment[ENV.queueUrl[queue]] = this.queues[queue].queue.queueUrl;
      for (const secret of access.secrets)
        environment[`${SECRETS[secret].env}_ARN`] = this.secrets[secret].secretArn;
      if (access.vault) environment[ENV.vaultKmsKeyId] = this.vault.key.keyArn;
      if (definition.name === 'slack') environment[ENV.slackAllowedUsers] = props.slackAllowedUsers ?? '';
      if (access.memberAccounts) {
        environment[ENV.awsRoleName] = this.containmentRoleName;
        if (props.awsExternalId) environment[ENV.awsExternalId] = props.awsExternalId;
      }
      if (definition.name === 'sweep')
        environment[ENV.awsKeyDeleteAfter] = props.awsKeyDeleteAfter ?? 'never';
      if (definition.name === 'contain') {
        if (props.gitlabApiUrl) environment[ENV.gitlabApiUrl] = props.gitlabApiUrl;
        if (props.npmRegistryUrl) environment[ENV.npmRegistryUrl] = props.npmRegistryUrl;
      }

      const fn = new LeakstopFunction(this, capitalize(definition.name), {
        definition,
        environment,
        logRetention: props.logRetention,
        logEncryptionKey: operationsKey,
      });
      this.grantAccess(fn);
      functions[definition.name] = fn;
    }
    this.functions = functions;

    for (const [key, definition] of Object.entries(QUEUES) as [QueueKey, (typeof QUEUES)[QueueKey]][]) {
      if (!definition.consumer) continue;
      this.functions[definition.consumer].addEventSource(
        new SqsEventSource(this.queues[key].queue, {
          batchSize: definition.batchSize,
          reportBatchItemFailures: true,
        }),
      );
    }

    // The sweep runs on a schedule whatever its setting: with `never` it only logs that it has nothing to do.
    new Rule(this, 'SweepSchedule', {
      description: 'leakstop: grace-period deletion of contained AWS keys (no-op unless configured)',
      schedule: Schedule.rate(Duration.minutes(SWEEP_SCHEDULE.everyMinutes)),
      targets: [new LambdaFunction(this.functions.sweep, { retryAttempts: 2 })],
    });

    this.createIngress();
    this.outputs();
  }

  private createTable(): Table {
    const table = new Table(this, 'Incidents', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: TABLE.timeToLiveAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of TABLE.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
    return table;
  }

  private createQueues(maxMessageAge: Duration | undefined): Record<QueueKey, WorkQueue> {
    const queues = {} as Record<QueueKey, WorkQueue>;
    for (const [key, definition] of Object.entries(QUEUES) as [QueueKey, (typeof QUEUES)[QueueKey]][]) {
      queues[key] = new WorkQueue(this, capitalize(key), {
        definition,
        alarmTopic: this.alarmTopic,
        maxMessageAge,
      });
    }
    return queues;
  }

  private createSecrets(): Record<SecretName, Secret> {
    const key = new Key(this, 'SecretsKey', {
      description: "leakstop: encrypts leakstop's own secrets (GitHub, Slack, fingerprint key)",
      enableKeyRotation: true,
    });
    const secrets = {} as Record<SecretName, Secret>;
    for (const [name, definition] of Object.entries(SECRETS) as [
      SecretName,
      (typeof SECRETS)[SecretName],
    ][]) {
      const fingerprintKey = name === 'fingerprintKey';
      const secret = new Secret(this, capitalize(name), {
        description: `leakstop: ${definition.description}`,
        encryptionKey: key,
        // The fingerprint key is generated here and never shown to anyone; the others start as a
        // random placeholder that the operator replaces with `aws secretsmanager put-secret-value`.
        generateSecretString: fingerprintKey
          ? { passwordLength: 64, excludePunctuation: true }
          : { passwordLength: 32, excludePunctuation: true },
        // Losing the fingerprint key would split every existing incident from its future exposures.
        removalPolicy: fingerprintKey ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: fingerprintKey
          ? 'The fingerprint key must never rotate: fingerprints are HMACs under it, and a new key would open a second incident for every credential already tracked.'
          : `${definition.description} is issued by ${name.startsWith('github') ? 'GitHub' : 'Slack'}, not by AWS; Secrets Manager cannot rotate it. The operator rotates it at the issuer and runs put-secret-value (docs/deploy.md).`,
      });
      secrets[name] = secret;
    }
    return secrets;
  }

  /** Grant each function exactly what `FUNCTIONS[name].access` lists. */
  private grantAccess(fn: LeakstopFunction): void {
    const { access } = fn.definition;
    if (access.table === 'read') this.table.grantReadData(fn);
    else this.table.grantReadWriteData(fn);
    for (const queue of access.sendsTo) this.queues[queue].queue.grantSendMessages(fn);
    for (const secret of access.secrets) this.secrets[secret].grantRead(fn);
    if (access.vault === 'write') this.vault.grantWrite(fn);
    if (access.vault === 'readDelete') this.vault.grantReadDelete(fn);
    if (access.memberAccounts) this.grantMemberAccounts(fn);

    Validations.of(fn.executionRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.table.node.defaultChild as never)}.Arn>/index/*]`,
      reason: `History and status queries run on the table's global secondary indexes (${TABLE.indexes.map((i) => i.name).join(', ')}); the grant covers this table's indexes only.`,
    });
    if (access.vault) {
      Validations.of(fn.executionRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${VAULT_SECRET_PREFIX}*]`,
        reason:
          `Vault secrets are created at run time, one per leaked credential, named ${VAULT_SECRET_PREFIX}<fingerprint>; ` +
          'the prefix is the narrowest possible resource, and key use is limited to Secrets Manager on those secrets.',
      });
    }
  }

  /**
   * Containment in the accounts that own leaked keys: which account owns a key (GetAccessKeyInfo has
   * no resource-level permissions), and the containment role there — by name, in any account (or in
   * the organization's accounts only); the member role's trust policy names this function's role.
   */
  private grantMemberAccounts(fn: LeakstopFunction): void {
    const roleArn = this.formatArn({
      service: 'iam',
      region: '',
      account: '*',
      resource: 'role',
      resourceName: this.containmentRoleName,
    });
    // Its own policy, so the `*` it needs is acknowledged on a policy that holds nothing else.
    const lookup = new Policy(this, `${capitalize(fn.definition.name)}KeyOwnerLookupPolicy`, {
      statements: [new PolicyStatement({ actions: [...KEY_OWNER_LOOKUP_ACTIONS], resources: ['*'] })],
    });
    fn.executionRole.attachInlinePolicy(lookup);
    Validations.of(lookup).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'sts:GetAccessKeyInfo supports no resource-level permissions; it only maps a leaked access key id to its owning account.',
    });
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: [roleArn],
        ...(this.organizationId
          ? { conditions: { StringEquals: { 'aws:ResourceOrgID': this.organizationId } } }
          : {}),
      }),
    );
    Validations.of(fn.executionRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${this.containmentRoleName}]`,
      reason:
        'A leaked key can belong to any member account: containment assumes the one containment role by name in the owning account, whose trust policy admits only this function role (optionally restricted to the organization with aws:ResourceOrgID).',
    });
  }

  private createIngress(): void {
    const ingest = this.functions.ingest.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.BUFFERED,
    });
    const slack = this.functions.slack.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.BUFFERED,
    });
    const history = this.functions.history.addFunctionUrl({
      authType: FunctionUrlAuthType.AWS_IAM,
      invokeMode: InvokeMode.BUFFERED,
    });
    const actions = this.functions.actions.addFunctionUrl({
      authType: FunctionUrlAuthType.AWS_IAM,
      invokeMode: InvokeMode.BUFFERED,
    });

    // What a security lead's role needs to call the IAM-authorised history URL (both actions since Oct 2025).
    const readers = new ManagedPolicy(this, 'HistoryReaderPolicy', {
      description: 'leakstop: call the incident history function URL (attach to security leads)',
      statements: [
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['lambda:InvokeFunctionUrl'],
          resources: [this.functions.history.functionArn],
          conditions: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
        }),
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['lambda:InvokeFunction'],
          resources: [this.functions.history.functionArn],
          conditions: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
        }),
      ],
    });

    // Who may approve a gated revocation: a narrower group than history readers, so its own policy.
    const approvers = new ManagedPolicy(this, 'IncidentApproverPolicy', {
      description: 'leakstop: call the incident actions function URL (approve revocations in approval mode)',
      statements: [
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['lambda:InvokeFunctionUrl'],
          resources: [this.functions.actions.functionArn],
          conditions: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
        }),
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['lambda:InvokeFunction'],
          resources: [this.functions.actions.functionArn],
          conditions: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
        }),
      ],
    });
    new CfnOutput(this, 'ActionsUrl', {
      value: actions.url,
      description: 'Incident actions API (IAM-signed): POST incidents/{id}/approve',
    });
    new CfnOutput(this, 'IncidentApproverPolicyArn', {
      value: approvers.managedPolicyArn,
      description: 'Attach to roles allowed to approve revocations',
    });
    new CfnOutput(this, 'ContainFunctionRoleArn', {
      value: this.functions.contain.executionRole.roleArn,
      description:
        'Trusted by the containment role in member accounts (LeakstopContainmentRole leakstopRoleArn)',
    });

    new CfnOutput(this, 'SweepFunctionRoleArn', {
      value: this.functions.sweep.executionRole.roleArn,
      description:
        'Trusted too by member-account containment roles that allow key deletion (LeakstopContainmentRole sweepRoleArn)',
    });

    new CfnOutput(this, 'GitHubWebhookUrl', {
      value: ingest.url,
      description: 'GitHub App webhook URL (ingest function URL)',
    });
    new CfnOutput(this, 'SlackFunctionUrl', { value: slack.url, description: 'slack function URL' });
    new CfnOutput(this, 'SlackInteractionsUrl', {
      value: Fn.join('', [slack.url, 'slack/interactions']),
      description: 'Slack app: Interactivity request URL',
    });
    new CfnOutput(this, 'SlackCommandsUrl', {
      value: Fn.join('', [slack.url, 'slack/commands']),
      description: 'Slack app: slash command request URL',
    });
    new CfnOutput(this, 'HistoryUrl', {
      value: history.url,
      description: 'History API (IAM-signed requests)',
    });
    new CfnOutput(this, 'HistoryReaderPolicyArn', {
      value: readers.managedPolicyArn,
      description: 'Attach to roles allowed to call the history API',
    });
  }

  private outputs(): void {
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topicArn,
      description: 'Subscribe operators here',
    });
    new CfnOutput(this, 'IncidentsTableName', { value: this.table.tableName });
    for (const [name, secret] of Object.entries(this.secrets)) {
      new CfnOutput(this, `${capitalize(name)}Arn`, {
        value: secret.secretArn,
        description: `put-secret-value target: ${SECRETS[name as SecretName].description}`,
      });
    }
    for (const [key, queue] of Object.entries(this.queues)) {
      new CfnOutput(this, `${capitalize(key)}DeadLetterQueueArn`, {
        value: queue.deadLetterQueue.queueArn,
        description: `Redrive source for ${QUEUES[key as QueueKey].name}`,
      });
    }
  }
}

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
