/**
 * The one definition of leakstop's table, queues and functions.
 *
 * The CDK stack (lib/) and the local runtime (functions/local/) both build their resources from
 * these objects, so a name, key, index or timeout can never differ between AWS and a laptop.
 * Plain data only: no CDK and no SDK imports here.
 */

export const TABLE = {
  /** Logical name; CDK lets CloudFormation generate the physical one, the local runtime uses it as is. */
  name: 'leakstop-incidents',
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes expired items best-effort, so readers also filter on it. */
  timeToLiveAttribute: 'expiresAt',
  /** Every index keys on strings; the sort key is an ISO-8601 timestamp (+ id) so ranges sort by time. */
  indexes: [
    /** Incidents by lifecycle status: "everything still containing", "all false positives". */
    { name: 'byStatus', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** Incidents by credential type: "every AWS key this quarter". */
    { name: 'byType', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    /** Exposures by repository: "what leaked from acme/api". */
    { name: 'byRepo', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    /** Incidents by detection month: time-ordered history and export. */
    { name: 'byMonth', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
  ],
} as const;

export type IndexName = (typeof TABLE.indexes)[number]['name'];

export interface QueueDefinition {
  /** Construct id in CDK, queue name locally. */
  readonly name: string;
  /** Seconds a received message stays invisible; ≥ 6 × the consumer's timeout (AWS guidance). */
  readonly visibilityTimeoutSeconds: number;
  /** Receives before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** The function that consumes it, or undefined when no worker consumes it yet. */
  readonly consumer?: FunctionName;
  /** Messages per batch handed to the consumer. */
  readonly batchSize: number;
}

export type FunctionName =
  'ingest' | 'detect' | 'contain' | 'notify' | 'slack' | 'history' | 'actions' | 'sweep';

export interface FunctionDefinition {
  readonly name: FunctionName;
  /** Path from the repository root to the handler module. */
  readonly entry: string;
  /** The exported name Lambda calls; infrastructure tests check the module exports it. */
  readonly handler: 'handler';
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly description: string;
  /** What the function may touch; the CDK stack grants exactly this and nothing more. */
  readonly access: {
    readonly table: 'read' | 'readWrite';
    readonly sendsTo: readonly QueueKey[];
    readonly secrets: readonly SecretName[];
    /** write: store leaked values; readDelete: read them for containment, delete when it ends. */
    readonly vault?: 'write' | 'readDelete';
    /**
     * Acts in the AWS accounts that own leaked keys: sts:GetAccessKeyInfo and sts:AssumeRole on
     * CONTAINMENT_ROLE in any account (the role's trust policy decides who may use it).
     */
    readonly memberAccounts?: boolean;
  };
}

export const FUNCTIONS: Record<FunctionName, FunctionDefinition> = {
  ingest: {
    name: 'ingest',
    entry: 'functions/handlers/ingest.ts',
    handler: 'handler',
    timeoutSeconds: 10,
    memoryMb: 512,
    description: 'GitHub webhook intake: verify signature, dedupe delivery, fan out scan jobs',
    access: { table: 'readWrite', sendsTo: ['scanJobs'], secrets: ['githubWebhookSecret'] },
  },
  detect: {
    name: 'detect',
    entry: 'functions/handlers/detect.ts',
    handler: 'handler',
    timeoutSeconds: 60,
    memoryMb: 1024,
    description: 'Scan pushed diffs and secret-scanning alerts; open one incident per credential',
    access: {
      table: 'readWrite',
      // scanJobs: a large push is fanned out in steps, and commits with many files in page jobs.
      sendsTo: ['containment', 'notifications', 'scanJobs'],
      secrets: ['fingerprintKey', 'githubAppPrivateKey'],
      vault: 'write',
    },
  },
  contain: {
    name: 'contain',
    entry: 'functions/handlers/contain.ts',
    handler: 'handler',
    timeoutSeconds: 60,
    memoryMb: 512,
    description: 'Containment: revoke, verify dead, trace usage, find copies',
    access: {
      table: 'readWrite',
      // containment: a wait (a provider's budget) schedules the incident's next attempt on its own queue.
      // tracing: once verified, usage lookup and copies search continue from their own queue.
      sendsTo: ['notifications', 'containment', 'tracing'],
      // The copies search compares fingerprints and reads organisations' secret-scanning alerts.
      secrets: ['fingerprintKey', 'githubAppPrivateKey'],
      vault: 'readDelete',
      memberAccounts: true,
    },
  },
  notify: {
    name: 'notify',
    entry: 'functions/handlers/notify.ts',
    handler: 'handler',
    timeoutSeconds: 20,
    memoryMb: 256,
    description: 'Keep one Slack card per incident up to date; write containment back to GitHub',
    // githubAppPrivateKey: resolve contained incidents' alerts as revoked, create check runs.
    access: { table: 'readWrite', sendsTo: [], secrets: ['slackBotToken', 'githubAppPrivateKey'] },
  },
  slack: {
    name: 'slack',
    entry: 'functions/handlers/slack.ts',
    handler: 'handler',
    timeoutSeconds: 3,
    memoryMb: 256,
    description: 'Slack interactions and slash commands: verify signature, apply incident transitions',
    access: {
      table: 'readWrite',
      sendsTo: ['containment', 'notifications'],
      secrets: ['slackSigningSecret'],
    },
  },
  history: {
    name: 'history',
    entry: 'functions/handlers/history.ts',
    handler: 'handler',
    timeoutSeconds: 10,
    memoryMb: 256,
    description: 'Incident history API for security leads (IAM-authorised)',
    access: { table: 'read', sendsTo: [], secrets: [] },
  },
  // Its own function so that history stays read-only: approving a revocation writes the incident
  // and resumes containment.
  actions: {
    name: 'actions',
    entry: 'functions/handlers/actions.ts',
    handler: 'handler',
    timeoutSeconds: 10,
    memoryMb: 256,
    description: 'Incident actions API (IAM-authorised): approve a revocation waiting in approval mode',
    access: { table: 'readWrite', sendsTo: ['containment', 'notifications'], secrets: [] },
  },
  // Runs on a schedule (SWEEP_SCHEDULE): deletes contained AWS keys once their grace period is over,
  // where an operator configured one (ENV.awsKeyDeleteAfter; default never).
  sweep: {
    name: 'sweep',
    entry: 'functions/handlers/sweep.ts',
    handler: 'handler',
    timeoutSeconds: 300,
    memoryMb: 256,
    description: 'Grace-period deletion of contained AWS access keys (only where configured)',
    access: {
      table: 'readWrite',
      sendsTo: ['notifications'],
      // The key is recognised among its user's keys by fingerprint.
      secrets: ['fingerprintKey'],
      memberAccounts: true,
    },
  },
};

/** How often the sweep function runs (EventBridge rate in AWS, a timer locally). */
export const SWEEP_SCHEDULE = { everyMinutes: 60 } as const;

export const QUEUES = {
  scanJobs: {
    name: 'leakstop-scan-jobs',
    visibilityTimeoutSeconds: 6 * FUNCTIONS.detect.timeoutSeconds,
    maxReceiveCount: 5,
    consumer: 'detect',
    batchSize: 10,
  },
  containment: {
    name: 'leakstop-containment',
    visibilityTimeoutSeconds: 6 * FUNCTIONS.contain.timeoutSeconds,
    maxReceiveCount: 5,
    consumer: 'contain',
    batchSize: 10,
  },
  // The rest of containment once the credential is proven dead: usage lookup, copies search, the vault
  // entry's deletion. Its own queue (same function), so that tracing — CloudTrail allows 2 lookups a
  // second per account and Region — never holds back the revocation of the next leaked credential.
  tracing: {
    name: 'leakstop-tracing',
    visibilityTimeoutSeconds: 6 * FUNCTIONS.contain.timeoutSeconds,
    maxReceiveCount: 5,
    consumer: 'contain',
    batchSize: 10,
  },
  scope: {
    name: 'leakstop-scope',
    visibilityTimeoutSeconds: 360,
    maxReceiveCount: 5,
    consumer: undefined,
    batchSize: 10,
  },
  notifications: {
    name: 'leakstop-notifications',
    visibilityTimeoutSeconds: 6 * FUNCTIONS.notify.timeoutSeconds,
    maxReceiveCount: 8,
    consumer: 'notify',
    batchSize: 10,
  },
} as const satisfies Record<string, QueueDefinition>;

export type QueueKey = keyof typeof QUEUES;

/** Name prefix of the vault's Secrets Manager secrets (one per leaked credential, named by fingerprint). */
export const VAULT_PREFIX = 'leakstop/vault/';

/** Dead-letter queues keep failed messages for the maximum SQS retention so nothing is lost. */
export const DEAD_LETTER_RETENTION_DAYS = 14;

export function deadLetterQueueName(queue: QueueDefinition): string {
  return `${queue.name}-dlq`;
}

/**
 * Environment variables that wire a function to its resources. In Lambda the CDK stack sets them;
 * locally the runtime sets them before the handlers load.
 */
export const ENV = {
  tableName: 'TABLE_NAME',
  queueUrl: {
    scanJobs: 'SCAN_JOBS_QUEUE_URL',
    containment: 'CONTAINMENT_QUEUE_URL',
    scope: 'SCOPE_QUEUE_URL',
    notifications: 'NOTIFICATIONS_QUEUE_URL',
    tracing: 'TRACING_QUEUE_URL',
  } satisfies Record<QueueKey, string>,
  /** dry-run | enforce | approval — the default containment mode for every provider. */
  mode: 'LEAKSTOP_MODE',
  /** JSON object of per-provider modes, e.g. {"aws":"enforce","github":"approval"}. */
  providerModes: 'LEAKSTOP_PROVIDER_MODES',
  /** secrets-manager (AWS) | file (local, encrypted) | memory (tests, --in-memory). */
  vaultBackend: 'LEAKSTOP_VAULT',
  vaultDir: 'LEAKSTOP_VAULT_DIR',
  vaultKmsKeyId: 'LEAKSTOP_VAULT_KMS_KEY_ID',
  slackChannel: 'SLACK_CHANNEL',
  /** Comma-separated Slack user ids allowed to press incident buttons; empty means everyone. */
  slackAllowedUsers: 'SLACK_ALLOWED_USERS',
  slackApiUrl: 'SLACK_API_URL',
  githubApiUrl: 'GITHUB_API_URL',
  /** Not secret: the GitHub App's numeric id. */
  githubAppId: 'GITHUB_APP_ID',
  /** Usage lookup and copies search: comma-separated AWS Regions searched, e.g. `us-east-1,eu-west-1`. */
  traceRegions: 'LEAKSTOP_TRACE_REGIONS',
  /** Comma-separated 12-digit AWS account ids leakstop may read (its role exists there). */
  traceAccounts: 'LEAKSTOP_TRACE_ACCOUNTS',
  /** Comma-separated CloudWatch log group names, or prefixes ending in `*`, searched for copies. */
  traceLogGroups: 'LEAKSTOP_TRACE_LOG_GROUPS',
  /** Days back the log search looks (default 7). */
  traceWindowDays: 'LEAKSTOP_TRACE_WINDOW_DAYS',
  /** Pages each tracer reads per account/region, log group or organisation before it stops (default 40). */
  tracePageBudget: 'LEAKSTOP_TRACE_PAGE_BUDGET',
  /** `auto` (default: every tracer whose settings are present), `all`, `none`, or comma-separated names. */
  tracers: 'LEAKSTOP_TRACERS',
  /** Comma-separated GitHub organisations whose secret-scanning alerts are searched, besides the incident's own. */
  githubOrgs: 'LEAKSTOP_GITHUB_ORGS',
  /** The role containment assumes in the account that owns a leaked AWS key (CONTAINMENT_ROLE). */
  awsRoleName: 'LEAKSTOP_AWS_ROLE_NAME',
  /** The external id that role's trust policy requires, if any (not secret: a confused-deputy guard). */
  awsExternalId: 'LEAKSTOP_AWS_EXTERNAL_ID',
  /** GitLab instance whose personal access tokens are self-revoked. */
  gitlabApiUrl: 'GITLAB_API_URL',
  /** npm registry whose tokens are revoked. */
  npmRegistryUrl: 'NPM_REGISTRY_URL',
  /** How long a GitHub revocation batch stays open for more tokens (milliseconds). */
  githubRevokeWindowMs: 'LEAKSTOP_GITHUB_REVOKE_WINDOW_MS',
  /** Grace period after verified containment before an AWS key is deleted: `never` (default), `36h`, `7d`. */
  awsKeyDeleteAfter: 'LEAKSTOP_AWS_KEY_DELETE_AFTER',
} as const;

/** The role leakstop assumes in member accounts to deactivate and quarantine leaked IAM user keys. */
export const CONTAINMENT_ROLE = {
  defaultName: 'leakstop-containment',
  /** Session name, visible in the member account's CloudTrail. */
  sessionName: 'leakstop-containment',
} as const;

/** Defaults for the containment settings in ENV. */
export const CONTAINMENT_DEFAULTS = {
  gitlabApiUrl: 'https://gitlab.com',
  npmRegistryUrl: 'https://registry.npmjs.org',
  githubRevokeWindowMs: 250,
} as const;

/**
 * Secrets. Each is read from its plain environment variable when set (local runs), else from the
 * Secrets Manager secret whose ARN is in `<VAR>_ARN` (AWS). Never logged.
 */
export const SECRETS = {
  githubWebhookSecret: {
    env: 'GITHUB_WEBHOOK_SECRET',
    description: 'GitHub webhook secret (HMAC key for X-Hub-Signature-256)',
  },
  githubAppPrivateKey: { env: 'GITHUB_APP_PRIVATE_KEY', description: 'GitHub App private key (PEM)' },
  slackBotToken: {
    env: 'SLACK_BOT_TOKEN',
    description: 'Slack bot token (xoxb-…) used to post and update cards',
  },
  slackSigningSecret: {
    env: 'SLACK_SIGNING_SECRET',
    description: 'Slack signing secret for interaction requests',
  },
  fingerprintKey: {
    env: 'LEAKSTOP_FINGERPRINT_KEY',
    description: 'HMAC-SHA256 key for credential fingerprints',
  },
} as const;

export type SecretName = keyof typeof SECRETS;
