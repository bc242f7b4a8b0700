import { beforeAll, describe, expect, it } from 'vitest';
import { TRACING_ACTIONS } from '../../lib/constructs/leakstop-function.ts';
import { KEY_OWNER_LOOKUP_ACTIONS } from '../../lib/leakstop-stack.ts';
import {
  VAULT_READ_DELETE_ACTIONS,
  VAULT_SECRET_PREFIX,
  VAULT_WRITE_ACTIONS,
} from '../../lib/constructs/credential-vault.ts';
import {
  FUNCTIONS,
  type FunctionDefinition,
  type FunctionName,
  QUEUES,
  type QueueKey,
  SECRETS,
  type SecretName,
} from '../../functions/shared/resources.ts';
import {
  actionsOf,
  allowedActions,
  arnOf,
  logicalId,
  ofType,
  ref,
  resourcesFor,
  resourcesOf,
  roleLogicalId,
  roleStatements,
  type Statement,
  synthesize,
  type Synthesized,
} from './helpers.ts';

const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];
const TABLE_READ = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:Query',
  'dynamodb:Scan',
];
const TABLE_WRITE = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];
const QUEUE_SEND = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];
const QUEUE_CONSUME = [
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:ReceiveMessage',
];
const SECRET_READ = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];
const LOG_WRITE = ['logs:CreateLogStream', 'logs:PutLogEvents'];

/** The queues a function consumes (QUEUES[x].consumer): contain consumes containment and tracing. */
function consumedQueues(name: FunctionName): QueueKey[] {
  return (Object.keys(QUEUES) as QueueKey[]).filter((key) => QUEUES[key].consumer === name);
}

/** Every action `FUNCTIONS[name].access` implies, and nothing else. */
function expectedActions(definition: FunctionDefinition): string[] {
  const { access } = definition;
  return [
    ...LOG_WRITE,
    ...TRACING_ACTIONS,
    ...TABLE_READ,
    ...(access.table === 'readWrite' ? TABLE_WRITE : []),
    ...(access.sendsTo.length ? QUEUE_SEND : []),
    ...(consumedQueues(definition.name).length ? QUEUE_CONSUME : []),
    ...(access.secrets.length || access.vault === 'readDelete' ? SECRET_READ : []),
    ...(access.vault === 'write' ? [...VAULT_WRITE_ACTIONS, 'kms:GenerateDataKey', 'kms:Decrypt'] : []),
    ...(access.vault === 'readDelete' ? [...VAULT_READ_DELETE_ACTIONS, 'kms:Decrypt'] : []),
    ...(access.memberAccounts ? [...KEY_OWNER_LOOKUP_ACTIONS, 'sts:AssumeRole'] : []),
  ];
}

let synth: Synthesized;
const statements = {} as Record<FunctionName, Statement[]>;
beforeAll(() => {
  synth = synthesize();
  for (const name of FUNCTION_NAMES) statements[name] = roleStatements(synth, name);
});

const queueId = (key: QueueKey) => logicalId(synth.stack, synth.stack.queues[key].queue.node.defaultChild);
const secretRef = (name: SecretName) =>
  ref(logicalId(synth.stack, synth.stack.secrets[name].node.defaultChild));
const tableArn = () => arnOf(logicalId(synth.stack, synth.stack.table.node.defaultChild));
const vaultKeyArn = () => arnOf(logicalId(synth.stack, synth.stack.vault.key.node.defaultChild));
// The adapter's prefix, spelled out here too: the IAM grant must not drift from what the docs promise.
const VAULT_PATTERN = /:secret:leakstop\/vault\/\*"/;

describe('each function may do exactly what FUNCTIONS[name].access in resources.ts lists', () => {
  it.each(FUNCTION_NAMES)('%s: its role allows exactly the actions its access implies', (name) => {
    expect([...allowedActions(statements[name])].sort()).toEqual(
      [...new Set(expectedActions(FUNCTIONS[name]))].sort(),
    );
  });

  it.each(FUNCTION_NAMES)('%s: table actions apply to the incidents table and its indexes only', (name) => {
    for (const action of [...TABLE_READ, ...TABLE_WRITE]) {
      for (const resource of resourcesFor(statements[name], action)) {
        expect(
          resource.startsWith(tableArn()) || resource.includes(`${tableArn()},"/index/*"`),
          resource,
        ).toBe(true);
      }
    }
  });

  it.each(FUNCTION_NAMES)('%s: sends only to the queues in access.sendsTo', (name) => {
    expect(resourcesFor(statements[name], 'sqs:SendMessage').sort()).toEqual(
      FUNCTIONS[name].access.sendsTo.map((key) => arnOf(queueId(key))).sort(),
    );
  });

  it.each(FUNCTION_NAMES)('%s: receives only from the queues it consumes', (name) => {
    expect(resourcesFor(statements[name], 'sqs:ReceiveMessage').sort()).toEqual(
      consumedQueues(name)
        .map((queue) => arnOf(queueId(queue)))
        .sort(),
    );
  });

  it.each(FUNCTION_NAMES)(
    '%s: reads only the secrets in access.secrets (and the vault if it contains)',
    (name) => {
      const { access } = FUNCTIONS[name];
      const readable = resourcesFor(statements[name], 'secretsmanager:GetSecretValue');
      const ownSecrets = readable.filter((resource) => !VAULT_PATTERN.test(resource));
      expect(ownSecrets.sort()).toEqual(access.secrets.map(secretRef).sort());
      expect(readable.some((resource) => VAULT_PATTERN.test(resource))).toBe(access.vault === 'readDelete');
    },
  );

  it.each(FUNCTION_NAMES)('%s: writes only its own log group', (name) => {
    const group = synth.stack.functions[name].logGroup.node.defaultChild;
    expect(resourcesFor(statements[name], 'logs:PutLogEvents')).toEqual([
      arnOf(logicalId(synth.stack, group)),
    ]);
  });

  it.each(FUNCTION_NAMES)(
    '%s: no action wildcards, and `*` resources only for actions without resource-level permissions',
    (name) => {
      for (const statement of statements[name]) {
        for (const action of actionsOf(statement)) expect(action).not.toContain('*');
        if (resourcesOf(statement).includes('*'))
          expect([[...TRACING_ACTIONS].sort(), [...KEY_OWNER_LOOKUP_ACTIONS]]).toContainEqual(
            actionsOf(statement).sort(),
          );
      }
    },
  );
});

describe('the vault', () => {
  it('is the prefix the vault adapter writes under', () => {
    expect(VAULT_SECRET_PREFIX).toBe('leakstop/vault/');
  });

  const canDo = (name: FunctionName, action: string) => resourcesFor(statements[name], action).length > 0;

  it('only detect can create vault secrets, only under leakstop/vault/ and only with the vault key', () => {
    expect(FUNCTION_NAMES.filter((name) => canDo(name, 'secretsmanager:CreateSecret'))).toEqual(['detect']);
    const create = statements.detect.filter((s) => actionsOf(s).includes('secretsmanager:CreateSecret'));
    expect(create).toHaveLength(1);
    expect(JSON.stringify(create[0]?.Resource)).toMatch(VAULT_PATTERN);
    expect(create[0]?.Condition).toEqual({
      StringEquals: { 'secretsmanager:KmsKeyId': JSON.parse(vaultKeyArn()) },
    });
  });

  it('only contain can read vault secrets and delete them', () => {
    expect(FUNCTION_NAMES.filter((name) => canDo(name, 'secretsmanager:DeleteSecret'))).toEqual(['contain']);
    expect(
      FUNCTION_NAMES.filter((name) =>
        resourcesFor(statements[name], 'secretsmanager:GetSecretValue').some((r) => VAULT_PATTERN.test(r)),
      ),
    ).toEqual(['contain']);
  });

  it('the vault key is usable only through Secrets Manager on vault secrets, to encrypt by detect and decrypt by contain', () => {
    const keyUsers = (action: string) =>
      FUNCTION_NAMES.filter((name) => resourcesFor(statements[name], action).includes(vaultKeyArn()));
    expect(keyUsers('kms:GenerateDataKey')).toEqual(['detect']);
    expect(keyUsers('kms:Decrypt').sort()).toEqual(['contain', 'detect']);
    for (const name of ['detect', 'contain'] as const) {
      for (const statement of statements[name].filter((s) =>
        resourcesOf(s).some((r) => JSON.stringify(r) === vaultKeyArn()),
      )) {
        expect(JSON.stringify(statement.Condition?.StringEquals?.['kms:ViaService'])).toContain(
          'secretsmanager.',
        );
        expect(JSON.stringify(statement.Condition?.StringLike?.['kms:EncryptionContext:SecretARN'])).toMatch(
          VAULT_PATTERN,
        );
      }
    }
  });
});

const canAssume = (name: FunctionName) => resourcesFor(statements[name], 'sts:AssumeRole').length > 0;

describe('key negative cases', () => {
  it('ingest sends only to scan-jobs and cannot touch the vault', () => {
    expect(resourcesFor(statements.ingest, 'sqs:SendMessage')).toEqual([arnOf(queueId('scanJobs'))]);
    expect(allowedActions(statements.ingest)).not.toContain('secretsmanager:CreateSecret');
    expect(allowedActions(statements.ingest)).not.toContain('kms:Decrypt');
    expect(resourcesFor(statements.ingest, 'secretsmanager:GetSecretValue')).toEqual([
      secretRef('githubWebhookSecret'),
    ]);
  });

  it('only contain and the key-deletion sweep may assume a role, and only the containment role by name', () => {
    expect(FUNCTION_NAMES.filter((name) => canAssume(name))).toEqual(['contain', 'sweep']);
    for (const name of ['contain', 'sweep'] as const)
      expect(resourcesFor(statements[name], 'sts:AssumeRole')).toEqual([
        JSON.stringify({
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/leakstop-containment']],
        }),
      ]);
  });

  it('the sweep never touches the vault: it finds a key by fingerprint, not by value', () => {
    const actions = [...allowedActions(statements.sweep)];
    expect(actions.filter((a) => /^secretsmanager:(Create|Delete|Put)/.test(a))).toEqual([]);
    expect(resourcesFor(statements.sweep, 'secretsmanager:GetSecretValue')).toEqual([
      secretRef('fingerprintKey'),
    ]);
  });

  it('history only reads the table: no write, no queue, no secret, no key', () => {
    const actions = [...allowedActions(statements.history)];
    for (const write of TABLE_WRITE) expect(actions).not.toContain(write);
    expect(actions.filter((a) => /^(sqs|secretsmanager|kms):/.test(a))).toEqual([]);
    expect(actions).toContain('dynamodb:Query');
  });

  it('notify reads only the Slack bot token and the GitHub App key (for write-back)', () => {
    expect(resourcesFor(statements.notify, 'secretsmanager:GetSecretValue').sort()).toEqual(
      [secretRef('slackBotToken'), secretRef('githubAppPrivateKey')].sort(),
    );
  });

  // detect reads repositories, notify writes back, contain searches organisation alerts for copies.
  it('the GitHub App key is readable by detect, notify and contain only', () => {
    expect(
      FUNCTION_NAMES.filter((name) =>
        resourcesFor(statements[name], 'secretsmanager:GetSecretValue').includes(
          secretRef('githubAppPrivateKey'),
        ),
      ).sort(),
    ).toEqual(['contain', 'detect', 'notify']);
  });

  it('detect may re-queue scan work (fan-out steps, file pages) but ingest cannot reach containment', () => {
    expect(resourcesFor(statements.detect, 'sqs:SendMessage')).toContain(arnOf(queueId('scanJobs')));
    expect(resourcesFor(statements.ingest, 'sqs:SendMessage')).not.toContain(arnOf(queueId('containment')));
  });

  it('the fingerprint key is readable by detect, contain (copies) and the sweep (keys to delete) alone', () => {
    expect(
      FUNCTION_NAMES.filter((name) =>
        resourcesFor(statements[name], 'secretsmanager:GetSecretValue').includes(secretRef('fingerprintKey')),
      ),
    ).toEqual(['detect', 'contain', 'sweep']);
  });

  it('only functions with secrets may decrypt with the secrets key, and only through Secrets Manager', () => {
    const [, key] =
      ofType(synth.resources, 'AWS::KMS::Key').find(([id]) => id.startsWith('SecretsKey')) ?? [];
    const grants = (key?.Properties?.KeyPolicy as { Statement: Statement[] }).Statement.filter((s) => {
      const principal = JSON.stringify(s.Principal);
      return principal.includes('Role') && actionsOf(s).includes('kms:Decrypt');
    });
    const roles = JSON.stringify(grants.map((s) => s.Principal));
    for (const name of FUNCTION_NAMES) {
      expect(roles.includes(roleLogicalId(synth.stack, name)), name).toBe(
        FUNCTIONS[name].access.secrets.length > 0,
      );
    }
    for (const grant of grants) {
      expect(actionsOf(grant)).toEqual(['kms:Decrypt']);
      expect(JSON.stringify(grant.Condition)).toContain('secretsmanager.');
    }
    expect(Object.keys(SECRETS)).toHaveLength(5);
  });

  it('no role has an AWS managed policy', () => {
    for (const [id, role] of ofType(synth.resources, 'AWS::IAM::Role')) {
      expect(role.Properties?.ManagedPolicyArns, id).toBeUndefined();
    }
  });
});
