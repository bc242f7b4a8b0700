import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Match } from 'aws-cdk-lib/assertions';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROJECT_ROOT } from '../../lib/constructs/leakstop-function.ts';
import {
  DEAD_LETTER_RETENTION_DAYS,
  ENV,
  FUNCTIONS,
  type FunctionName,
  QUEUES,
  type QueueKey,
  SECRETS,
  type SecretName,
  TABLE,
} from '../../functions/shared/resources.ts';
import {
  arnOf,
  bundleDirOf,
  type CfnResourceJson,
  functionLogicalId,
  logicalId,
  ofType,
  ref,
  type Statement,
  synthesize,
  type Synthesized,
} from './helpers.ts';

const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];
const QUEUE_KEYS = Object.keys(QUEUES) as QueueKey[];
const SECRET_NAMES = Object.keys(SECRETS) as SecretName[];

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize();
});

const fnProps = (name: FunctionName): Record<string, unknown> =>
  synth.resources[functionLogicalId(synth.stack, name)]?.Properties ?? {};
const envOf = (name: FunctionName): Record<string, unknown> =>
  (fnProps(name).Environment as { Variables: Record<string, unknown> }).Variables;
const queueId = (key: QueueKey): string =>
  logicalId(synth.stack, synth.stack.queues[key].queue.node.defaultChild);
const dlqId = (key: QueueKey): string =>
  logicalId(synth.stack, synth.stack.queues[key].deadLetterQueue.node.defaultChild);
const secretId = (name: SecretName): string =>
  logicalId(synth.stack, synth.stack.secrets[name].node.defaultChild);
const tableId = (): string => logicalId(synth.stack, synth.stack.table.node.defaultChild);
const topicId = (): string => logicalId(synth.stack, synth.stack.alarmTopic.node.defaultChild);

describe('the key-deletion sweep', () => {
  it('runs every hour on an EventBridge schedule that invokes the sweep function', () => {
    const rules = ofType(synth.resources, 'AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0]!;
    expect(rule.Properties?.ScheduleExpression).toBe('rate(1 hour)');
    expect(JSON.stringify(rule.Properties?.Targets)).toContain(functionLogicalId(synth.stack, 'sweep'));
  });

  it('deletes nothing unless a grace period is configured', () => {
    expect(envOf('sweep')[ENV.awsKeyDeleteAfter]).toBe('never');
    for (const name of FUNCTION_NAMES.filter((n) => n !== 'sweep'))
      expect(envOf(name)).not.toHaveProperty(ENV.awsKeyDeleteAfter);
  });
});

describe('functions', () => {
  it.each(FUNCTION_NAMES)('%s runs nodejs22.x or nodejs24.x on arm64 with active tracing', (name) => {
    const props = fnProps(name);
    expect(['nodejs22.x', 'nodejs24.x']).toContain(props.Runtime);
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.TracingConfig).toEqual({ Mode: 'Active' });
  });

  it.each(FUNCTION_NAMES)('%s takes timeout and memory from resources.ts', (name) => {
    expect(fnProps(name).Timeout).toBe(FUNCTIONS[name].timeoutSeconds);
    expect(fnProps(name).MemorySize).toBe(FUNCTIONS[name].memoryMb);
  });

  it.each(FUNCTION_NAMES)('%s logs to its own encrypted log group with a retention', (name) => {
    const logging = fnProps(name).LoggingConfig as { LogGroup: { Ref: string } };
    const group = synth.resources[logging.LogGroup.Ref];
    expect(group?.Type).toBe('AWS::Logs::LogGroup');
    expect(group?.Properties?.RetentionInDays).toBeGreaterThan(0);
    expect(group?.Properties?.KmsKeyId).toBeDefined();
    const others = FUNCTION_NAMES.filter((other) => other !== name).map(
      (other) => (fnProps(other).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref,
    );
    expect(others).not.toContain(logging.LogGroup.Ref);
  });

  it.each(FUNCTION_NAMES)('%s gets exactly the environment its access in resources.ts implies', (name) => {
    const { access } = FUNCTIONS[name];
    const env = envOf(name);
    expect(env[ENV.tableName]).toEqual({ Ref: tableId() });
    expect(env[ENV.mode]).toBe('dry-run');
    expect(env[ENV.vaultBackend]).toBe('secrets-manager');
    expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
    expect(env.POWERTOOLS_SERVICE_NAME).toBe('leakstop');
    for (const key of QUEUE_KEYS) {
      if (access.sendsTo.includes(key)) expect(env[ENV.queueUrl[key]]).toEqual({ Ref: queueId(key) });
      else expect(env).not.toHaveProperty(ENV.queueUrl[key]);
    }
    for (const secret of SECRET_NAMES) {
      const variable = `${SECRETS[secret].env}_ARN`;
      if (access.secrets.includes(secret)) expect(env[variable]).toEqual({ Ref: secretId(secret) });
      else expect(env).not.toHaveProperty(variable);
      // Secret values never travel in the environment, only the ARN of where they live.
      expect(env).not.toHaveProperty(SECRETS[secret].env);
    }
    if (access.vault) {
      expect(env[ENV.vaultKmsKeyId]).toEqual({
        'Fn::GetAtt': [logicalId(synth.stack, synth.stack.vault.key.node.defaultChild), 'Arn'],
      });
    } else expect(env).not.toHaveProperty(ENV.vaultKmsKeyId);
  });
});

describe('handler entries', () => {
  const originalEnv = { ...process.env };
  afterEach(() => {
    process.env = { ...originalEnv };
  });

  /** The function's environment from the template, with CloudFormation references made concrete. */
  function concreteEnv(name: FunctionName): Record<string, string> {
    const env: Record<string, string> = {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    };
    for (const [key, value] of Object.entries(envOf(name))) {
      if (typeof value === 'string') env[key] = value;
      else if (key.endsWith('_URL'))
        env[key] = `https://sqs.us-east-1.amazonaws.com/123456789012/${key.toLowerCase()}`;
      else if (key.endsWith('_ARN'))
        env[key] = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${key}-AbCdEf`;
      else if (key === ENV.vaultKmsKeyId)
        env[key] = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000';
      else env[key] = `test-${key.toLowerCase()}`;
    }
    return env;
  }

  it.each(FUNCTION_NAMES)(
    "%s: the module at FUNCTIONS entry exports the function CloudFormation's Handler names",
    async (name) => {
      const definition = FUNCTIONS[name];
      // Prepare: Handler is "<file>.<export>"; NodejsFunction always names the bundle index.
      const [file, exported] = String(fnProps(name).Handler).split('.');
      expect(file).toBe('index');
      expect(exported).toBe(definition.handler);
      vi.resetModules();
      process.env = { ...originalEnv, ...concreteEnv(name) };
      // Act: load the entry with only the environment the stack gives it.
      const mod = (await import(pathToFileURL(join(PROJECT_ROOT, definition.entry)).href)) as Record<
        string,
        unknown
      >;
      // Assess
      expect(typeof mod[exported as string]).toBe('function');
    },
  );

  it.each(FUNCTION_NAMES)('%s: the bundled asset is an ES module that exports handler', (name) => {
    const assetDir = bundleDirOf(synth.outdir, synth.stack, fnProps(name));
    const bundle = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    expect(bundle).toMatch(
      new RegExp(
        `export\\s*\\{[^}]*\\bas ${FUNCTIONS[name].handler}\\b|export\\s*\\{[^}]*\\b${FUNCTIONS[name].handler}\\b`,
      ),
    );
    expect(bundle).toContain('createRequire');
    expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
  });
});

describe('queues', () => {
  it.each(QUEUE_KEYS)('%s has a dead-letter queue with the receive count from resources.ts', (key) => {
    const queue = synth.resources[queueId(key)]?.Properties ?? {};
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: JSON.parse(arnOf(dlqId(key))),
      maxReceiveCount: QUEUES[key].maxReceiveCount,
    });
    expect(synth.resources[dlqId(key)]?.Properties?.MessageRetentionPeriod).toBe(
      DEAD_LETTER_RETENTION_DAYS * 24 * 3600,
    );
  });

  it('every queue in the stack is either a work queue with a DLQ or the DLQ of one', () => {
    const dlqs = new Set(QUEUE_KEYS.map(dlqId));
    for (const [id, queue] of ofType(synth.resources, 'AWS::SQS::Queue')) {
      if (dlqs.has(id)) continue;
      expect(queue.Properties?.RedrivePolicy, id).toBeDefined();
    }
    expect(ofType(synth.resources, 'AWS::SQS::Queue')).toHaveLength(2 * QUEUE_KEYS.length);
  });

  it.each(QUEUE_KEYS)(
    '%s: visibility timeout comes from resources.ts and is ≥ 6 × its consumer timeout',
    (key) => {
      const visibility = synth.resources[queueId(key)]?.Properties?.VisibilityTimeout as number;
      expect(visibility).toBe(QUEUES[key].visibilityTimeoutSeconds);
      const consumer = QUEUES[key].consumer;
      if (consumer) expect(visibility).toBeGreaterThanOrEqual(6 * (fnProps(consumer).Timeout as number));
    },
  );

  it.each(QUEUE_KEYS)('%s and its DLQ are encrypted and refuse requests without TLS', (key) => {
    for (const id of [queueId(key), dlqId(key)]) {
      const props = synth.resources[id]?.Properties ?? {};
      expect(props.SqsManagedSseEnabled === true || props.KmsMasterKeyId !== undefined, id).toBe(true);
      const policies = ofType(synth.resources, 'AWS::SQS::QueuePolicy').filter(([, policy]) =>
        (policy.Properties?.Queues as unknown[]).some((q) => JSON.stringify(q) === ref(id)),
      );
      const statements = policies.flatMap(
        ([, policy]) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement,
      );
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('every SQS event source reports partial batch failures and uses the batch size from resources.ts', () => {
    const mappings = ofType(synth.resources, 'AWS::Lambda::EventSourceMapping');
    const consumed = QUEUE_KEYS.filter((key) => QUEUES[key].consumer);
    expect(mappings).toHaveLength(consumed.length);
    for (const [, mapping] of mappings) {
      expect(mapping.Properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    }
    for (const key of consumed) {
      const definition = QUEUES[key];
      const mapping = mappings.find(
        ([, m]) => JSON.stringify(m.Properties?.EventSourceArn) === arnOf(queueId(key)),
      )?.[1];
      expect(mapping?.Properties?.FunctionName).toEqual({
        Ref: functionLogicalId(synth.stack, definition.consumer as FunctionName),
      });
      expect(mapping?.Properties?.BatchSize).toBe(definition.batchSize);
    }
  });

  it('the scope queue exists without a consumer (a later issue adds it)', () => {
    const mappings = ofType(synth.resources, 'AWS::Lambda::EventSourceMapping');
    expect(
      mappings.some(([, m]) => JSON.stringify(m.Properties?.EventSourceArn) === arnOf(queueId('scope'))),
    ).toBe(false);
    expect(synth.resources[queueId('scope')]).toBeDefined();
  });

  it.each(QUEUE_KEYS)(
    '%s: its DLQ alarms on one visible message, its queue on message age, both to the topic',
    (key) => {
      const alarms = ofType(synth.resources, 'AWS::CloudWatch::Alarm').map(
        ([, alarm]) => alarm.Properties ?? {},
      );
      const on = (id: string, metric: string) =>
        alarms.filter(
          (alarm) =>
            alarm.MetricName === metric &&
            JSON.stringify(alarm.Dimensions) ===
              JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id, 'QueueName'] } }]),
        );
      const [dlqAlarm] = on(dlqId(key), 'ApproximateNumberOfMessagesVisible');
      expect(dlqAlarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      expect(dlqAlarm?.AlarmActions).toEqual([{ Ref: topicId() }]);
      const [ageAlarm] = on(queueId(key), 'ApproximateAgeOfOldestMessage');
      expect(ageAlarm).toMatchObject({ Threshold: 900, ComparisonOperator: 'GreaterThanThreshold' });
      expect(ageAlarm?.AlarmActions).toEqual([{ Ref: topicId() }]);
    },
  );
});

describe('incidents table', () => {
  it('has the keys, TTL and indexes of TABLE in resources.ts', () => {
    const table = synth.resources[tableId()]?.Properties ?? {};
    expect(table.KeySchema).toEqual([
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ]);
    expect(table.TimeToLiveSpecification).toEqual({
      AttributeName: TABLE.timeToLiveAttribute,
      Enabled: true,
    });
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    const indexes = table.GlobalSecondaryIndexes as {
      IndexName: string;
      KeySchema: unknown;
      Projection: unknown;
    }[];
    expect(indexes.map((index) => index.IndexName).sort()).toEqual(
      TABLE.indexes.map((index) => index.name).sort(),
    );
    for (const index of TABLE.indexes) {
      expect(indexes.find((i) => i.IndexName === index.name)).toMatchObject({
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      });
    }
    const stringAttributes = [
      TABLE.partitionKey,
      TABLE.sortKey,
      ...TABLE.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
    ];
    expect(table.AttributeDefinitions).toEqual(
      expect.arrayContaining(stringAttributes.map((name) => ({ AttributeName: name, AttributeType: 'S' }))),
    );
  });

  it('is encrypted, point-in-time recoverable, deletion-protected and retained', () => {
    const table = synth.resources[tableId()];
    expect(table?.Properties?.SSESpecification).toMatchObject({ SSEEnabled: true });
    expect(table?.Properties?.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table?.Properties?.DeletionProtectionEnabled).toBe(true);
    expect(table?.DeletionPolicy).toBe('Retain');
  });
});

describe('secrets and keys', () => {
  it.each(SECRET_NAMES)('%s is a Secrets Manager secret encrypted with the secrets key', (name) => {
    const secret = synth.resources[secretId(name)]?.Properties ?? {};
    expect(secret.KmsKeyId).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^SecretsKey/), 'Arn'],
    });
    expect(secret.Description).toContain(SECRETS[name].description);
    expect(secret.GenerateSecretString).toBeDefined();
    expect(secret).not.toHaveProperty('SecretString');
  });

  it('keeps the fingerprint key when the stack is deleted (a new key would split incidents)', () => {
    expect(synth.resources[secretId('fingerprintKey')]?.DeletionPolicy).toBe('Retain');
  });

  it('rotates every customer managed KMS key', () => {
    const keys = ofType(synth.resources, 'AWS::KMS::Key');
    expect(keys.length).toBeGreaterThanOrEqual(3);
    for (const [id, key] of keys) expect(key.Properties?.EnableKeyRotation, id).toBe(true);
  });

  it('encrypts the alarm topic with a customer managed key and refuses publishing without TLS', () => {
    const topic = synth.resources[topicId()];
    expect(topic?.Properties?.KmsMasterKeyId).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^OperationsKey/), 'Arn'],
    });
    synth.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId() }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('leaves physical names to CloudFormation', () => {
    const named: Record<string, string> = {
      'AWS::DynamoDB::Table': 'TableName',
      'AWS::SQS::Queue': 'QueueName',
      'AWS::Lambda::Function': 'FunctionName',
      'AWS::IAM::Role': 'RoleName',
      'AWS::SecretsManager::Secret': 'Name',
      'AWS::SNS::Topic': 'TopicName',
      'AWS::Logs::LogGroup': 'LogGroupName',
    };
    for (const [id, resource] of Object.entries(synth.resources) as [string, CfnResourceJson][]) {
      const property = named[resource.Type];
      if (property) expect(resource.Properties ?? {}, id).not.toHaveProperty(property);
    }
  });
});

describe('ingress', () => {
  const urlOf = (name: FunctionName) =>
    ofType(synth.resources, 'AWS::Lambda::Url').find(
      ([, url]) =>
        JSON.stringify(url.Properties?.TargetFunctionArn) === arnOf(functionLogicalId(synth.stack, name)),
    )?.[1];
  const permissionsOf = (name: FunctionName) =>
    ofType(synth.resources, 'AWS::Lambda::Permission')
      .map(([, permission]) => permission.Properties ?? {})
      .filter((p) => JSON.stringify(p.FunctionName) === arnOf(functionLogicalId(synth.stack, name)));

  it.each(['ingest', 'slack'] as const)(
    '%s has a public function URL that both InvokeFunctionUrl and InvokeFunction allow (required since Oct 2025)',
    (name) => {
      expect(urlOf(name)?.Properties).toMatchObject({ AuthType: 'NONE', InvokeMode: 'BUFFERED' });
      const permissions = permissionsOf(name);
      expect(permissions).toContainEqual(
        expect.objectContaining({
          Action: 'lambda:InvokeFunctionUrl',
          Principal: '*',
          FunctionUrlAuthType: 'NONE',
        }),
      );
      expect(permissions).toContainEqual(
        expect.objectContaining({
          Action: 'lambda:InvokeFunction',
          Principal: '*',
          InvokedViaFunctionUrl: true,
        }),
      );
    },
  );

  it.each(['history', 'actions'] as const)(
    '%s has an IAM-authorised URL and no public permission',
    (name) => {
      expect(urlOf(name)?.Properties).toMatchObject({ AuthType: 'AWS_IAM' });
      expect(permissionsOf(name)).toEqual([]);
    },
  );

  it('the approver policy lets its holders call the actions URL and nothing else', () => {
    const [, policy] =
      ofType(synth.resources, 'AWS::IAM::ManagedPolicy').find(([id]) =>
        id.startsWith('IncidentApproverPolicy'),
      ) ?? [];
    const statements = (
      policy?.Properties?.PolicyDocument as { Statement: { Action: string; Resource: unknown }[] }
    ).Statement;
    expect(statements.map((s) => s.Action).sort()).toEqual([
      'lambda:InvokeFunction',
      'lambda:InvokeFunctionUrl',
    ]);
    for (const statement of statements)
      expect(JSON.stringify(statement.Resource)).toBe(arnOf(functionLogicalId(synth.stack, 'actions')));
  });

  it('no other function has a URL or a resource policy', () => {
    for (const name of ['detect', 'contain', 'notify'] as const) {
      expect(urlOf(name)).toBeUndefined();
      expect(permissionsOf(name)).toEqual([]);
    }
  });

  it('outputs the webhook, Slack and history URLs', () => {
    const outputs = synth.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'GitHubWebhookUrl',
        'SlackInteractionsUrl',
        'SlackCommandsUrl',
        'HistoryUrl',
        'ActionsUrl',
        'ContainFunctionRoleArn',
        'AlarmTopicArn',
      ]),
    );
    expect(JSON.stringify(outputs.SlackInteractionsUrl?.Value)).toContain('slack/interactions');
    expect(JSON.stringify(outputs.SlackCommandsUrl?.Value)).toContain('slack/commands');
  });
});
