/**
 * Copies search in configuration stores — Lambda environment variables, SSM parameters, Secrets
 * Manager values — through the real SDK clients against the stand-ins, and the Secrets Manager
 * rotation that containment starts for a copy kept there (enforce only).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaEnvCopiesTracer } from '../../../functions/adapters/aws/lambda-copies.ts';
import { SecretsManagerCopiesTracer } from '../../../functions/adapters/aws/secrets-manager-copies.ts';
import { SsmParameterCopiesTracer } from '../../../functions/adapters/aws/ssm-copies.ts';
import { VAULT_PREFIX } from '../../../functions/shared/resources.ts';
import { awsKeyPair, githubToken } from '../../helpers/credentials.ts';
import {
  awsSettings,
  incidentFor,
  startStandIns,
  traceInput,
  type RunningStandIns,
} from '../../helpers/tracing.ts';

let sandbox: RunningStandIns;
beforeAll(async () => {
  sandbox = await startStandIns();
});
afterAll(async () => {
  await sandbox.close();
});

let n = 0;
/** Each test seeds its own account, so earlier tests' resources do not change its counts. */
const freshAccount = () => String(500_000_000_000 + ++n);

/** A token of the same kind and prefix that is not the leaked one. */
function sibling(token: string): string {
  return `${token.slice(0, -7)}${token.slice(-7) === 'AAAAAAA' ? 'BBBBBBB' : 'AAAAAAA'}`;
}

describe('Lambda environment variables', () => {
  it('finds the value in $LATEST and in published versions, and not a sibling value', async () => {
    const account = freshAccount();
    const token = githubToken();
    const { incident, secret } = incidentFor(token);
    await sandbox.seed('lambda', {
      account,
      functionName: 'deployer',
      environment: { GH_TOKEN: token, STAGE: 'prod' },
      publish: true,
    });
    await sandbox.seed('lambda', {
      account,
      functionName: 'deployer',
      environment: { GH_TOKEN: 'rotated', STAGE: 'prod' },
    });
    await sandbox.seed('lambda', {
      account,
      functionName: 'other',
      environment: { GH_TOKEN: sibling(token) },
    });
    const result = await new LambdaEnvCopiesTracer(awsSettings({ accounts: [account] })).trace(
      traceInput(incident, secret),
    );
    expect(result.copies).toEqual([
      {
        repo: `aws:${account}:us-east-1`,
        commit: '1',
        path: 'lambda:deployer:env:GH_TOKEN',
        line: 1,
        source: 'copies_search',
      },
    ]);
    expect(result.detail).toBe(
      `lambda-env: 1 copy in 3 Lambda function versions across 1 account/region pair`,
    );
  });

  it('matches an AWS key by its key id (the fingerprint identity) and by its secret key', async () => {
    const account = freshAccount();
    const pair = awsKeyPair();
    const { incident, secret } = incidentFor(JSON.stringify(pair));
    await sandbox.seed('lambda', {
      account,
      functionName: 'uploader',
      environment: {
        AWS_ACCESS_KEY_ID: pair.accessKeyId,
        AWS_SECRET_ACCESS_KEY: pair.secretAccessKey,
        OTHER_KEY: awsKeyPair().accessKeyId,
      },
    });
    const result = await new LambdaEnvCopiesTracer(awsSettings({ accounts: [account] })).trace(
      traceInput(incident, secret),
    );
    expect(result.copies?.map((c) => c.path)).toEqual([
      'lambda:uploader:env:AWS_ACCESS_KEY_ID',
      'lambda:uploader:env:AWS_SECRET_ACCESS_KEY',
    ]);
  });

  it('counts variables Lambda cannot decrypt for us as unreadable', async () => {
    const account = freshAccount();
    const token = githubToken();
    const { incident, secret } = incidentFor(token);
    await sandbox.seed('lambda', {
      account,
      functionName: 'locked',
      environment: { T: token },
      kmsDenied: true,
    });
    const result = await new LambdaEnvCopiesTracer(awsSettings({ accounts: [account] })).trace(
      traceInput(incident, secret),
    );
    expect(result.copies).toEqual([]);
    expect(result.detail).toContain('1 could not be read (access or KMS denied)');
  });

  it('pages through ListFunctions 50 at a time', async () => {
    const account = freshAccount();
    const token = githubToken();
    const { incident, secret } = incidentFor(token);
    for (let i = 0; i < 60; i++)
      await sandbox.seed('lambda', {
        account,
        functionName: `fn-${String(i).padStart(2, '0')}`,
        environment: { X: i === 59 ? token : 'x' },
      });
    const before = sandbox.aws.lambda.calls().length;
    const result = await new LambdaEnvCopiesTracer(awsSettings({ accounts: [account] })).trace(
      traceInput(incident, secret),
    );
    expect(result.copies?.map((c) => c.path)).toEqual(['lambda:fn-59:env:X']);
    expect(
      sandbox.aws.lambda
        .calls()
        .slice(before)
        .map((c) => c.operation),
    ).toEqual(['ListFunctions', 'ListFunctions']);
  });
});

describe('SSM parameters', () => {
  it('reads SecureString values decrypted and compares StringList items', async () => {
    const account = freshAccount();
    const token = githubToken();
    const { incident, secret } = incidentFor(token);
    await sandbox.seed('ssm', { account, name: '/ci/github-token', value: token, type: 'SecureString' });
    await sandbox.seed('ssm', { account, name: '/ci/tokens', value: `a,${token},b`, type: 'StringList' });
    await sandbox.seed('ssm', { account, name: '/ci/other', value: sibling(token) });
    const result = await new SsmParameterCopiesTracer(awsSettings({ accounts: [account] })).trace(
      traceInput(incident, secret),
    );
    expect(result.copies?.map((c) => `${c.path}@${c.commit}`)).toEqual([
      'ssm:/ci/github-token@1',
      'ssm:/ci/tokens@1',
    ]);
  });

  it('pages DescribeParameters and batches GetParameters by 10', async () => {
    const account = freshAccount();
    const token = githubToken();
    const { incident, secret } = incidentFor(token);
    for (let i = 0; i < 55; i++)
      await sandbox.seed('ssm', {
        account,
        name: `/p/${String(i).padStart(2, '0')}`,
        value: i === 54 ? `prefix ${token}` : 'v',
      });
    const before = sandbox.aws.ssm.calls().length;
    const result = await new SsmParameterCopiesTracer(awsSettings({ accounts: [account] })).trace(
      traceInput(incident, secret),
    );
    expect(result.copies?.map((c) => c.path)).toEqual(['ssm:/p/54']);
    const operations = sandbox.aws.ssm
      .calls()
      .slice(before)
      .map((c) => c.operation);
    expect(operations.filter((o) => o === 'DescribeParameters')).toHaveLength(2);
    expect(operations.filter((o) => o === 'GetParameters')).toHaveLength(6);
    expect(result.detail).toContain('in 55 SSM parameters');
  });
});

describe('Secrets Manager', () => {
  async function seedSecrets(account: string, token: string) {
    await sandbox.seed('secretsmanager', {
      account,
      name: 'ci/github',
      value: JSON.stringify({ user: 'bot', token }),
      rotation: { days: 30 },
    });
    await sandbox.seed('secretsmanager', { account, name: 'legacy/github', value: token });
    await sandbox.seed('secretsmanager', { account, name: 'unrelated', value: sibling(token) });
    // leakstop's own vault holds the value by design: never a copy, never rotated.
    await sandbox.seed('secretsmanager', { account, name: `${VAULT_PREFIX}abc`, value: token, rotation: {} });
  }

  it('finds the value in a JSON field and as a whole value, never in leakstop’s vault', async () => {
    const account = freshAccount();
    const token = githubToken();
    const { incident, secret } = incidentFor(token);
    await seedSecrets(account, token);
    const result = await new SecretsManagerCopiesTracer(awsSettings({ accounts: [account] })).trace(
      traceInput(incident, secret, { mode: 'dry-run' }),
    );
    expect(result.copies?.map((c) => c.path).sort()).toEqual([
      'secretsmanager:ci/github:$.token',
      'secretsmanager:legacy/github',
    ]);
    expect(result.detail).toContain('in 3 secrets');
  });

  it('finds a value rotated out to AWSPREVIOUS, names that version, and starts no rotation for it', async () => {
    const account = freshAccount();
    const token = githubToken();
    const { incident, secret } = incidentFor(token);
    const old = await sandbox.seed('secretsmanager', {
      account,
      name: 'rotated/github',
      value: token,
      rotation: {},
    });
    // A second value under the same name becomes AWSCURRENT; the leaked one is now AWSPREVIOUS.
    await sandbox.seed('secretsmanager', {
      account,
      name: 'rotated/github',
      value: sibling(token),
      rotation: {},
    });
    await sandbox.seed('secretsmanager', { account, name: 'current/github', value: token, rotation: {} });
    const result = await new SecretsManagerCopiesTracer(awsSettings({ accounts: [account] })).trace(
      traceInput(incident, secret, { mode: 'enforce' }),
    );
    expect(result.copies?.map((c) => [c.path, c.commit]).sort()).toEqual([
      ['secretsmanager:current/github', expect.any(String)],
      ['secretsmanager:rotated/github', (old as { versionId: string }).versionId],
    ]);
    expect(result.detail).toContain(
      `only the previous version (AWSPREVIOUS) of Secrets Manager secret rotated/github (aws:${account}:us-east-1) holds it`,
    );
    const rotations = sandbox.aws.secretsManager.rotations().filter((r) => r.account === account);
    expect(rotations.map((r) => r.name)).toEqual(['current/github']);
  });

  it('in dry-run says which rotation it would start, and starts none', async () => {
    const account = freshAccount();
    const token = githubToken();
    const { incident, secret } = incidentFor(token);
    await seedSecrets(account, token);
    const result = await new SecretsManagerCopiesTracer(awsSettings({ accounts: [account] })).trace(
      traceInput(incident, secret, { mode: 'dry-run' }),
    );
    expect(result.actions).toBeUndefined();
    expect(result.detail).toContain(
      `dry-run: would start rotation of Secrets Manager secret ci/github (aws:${account}:us-east-1)`,
    );
    expect(result.detail).toContain('no rotation configured for Secrets Manager secret legacy/github');
    expect(sandbox.aws.secretsManager.rotations().filter((r) => r.account === account)).toEqual([]);
  });

  it('in approval mode starts no rotation either', async () => {
    const account = freshAccount();
    const token = githubToken();
    const { incident, secret } = incidentFor(token);
    await seedSecrets(account, token);
    await new SecretsManagerCopiesTracer(awsSettings({ accounts: [account] })).trace(
      traceInput(incident, secret, { mode: 'approval' }),
    );
    expect(sandbox.aws.secretsManager.rotations().filter((r) => r.account === account)).toEqual([]);
  });

  it('in enforce starts rotation of the secret with rotation configured', async () => {
    const account = freshAccount();
    const token = githubToken();
    const { incident, secret } = incidentFor(token);
    await seedSecrets(account, token);
    const result = await new SecretsManagerCopiesTracer(awsSettings({ accounts: [account] })).trace(
      traceInput(incident, secret, { mode: 'enforce' }),
    );
    const rotations = sandbox.aws.secretsManager.rotations().filter((r) => r.account === account);
    expect(rotations.map((r) => r.name)).toEqual(['ci/github']);
    expect(result.actions).toEqual([
      `started rotation of Secrets Manager secret ci/github (aws:${account}:us-east-1) (new version ${rotations[0]!.versionId})`,
    ]);
    expect(result.detail).toContain('no rotation configured for Secrets Manager secret legacy/github');
  });

  it('reports a rotation that fails in the detail and keeps the copies', async () => {
    const account = freshAccount();
    const token = githubToken();
    const { incident, secret } = incidentFor(token);
    await sandbox.seed('secretsmanager', { account, name: 'ci/rotating', value: token, rotation: {} });
    sandbox.fail('secretsmanager', 403, { operation: 'RotateSecret' });
    const result = await new SecretsManagerCopiesTracer(awsSettings({ accounts: [account] })).trace(
      traceInput(incident, secret),
    );
    expect(result.copies?.map((c) => c.path)).toEqual(['secretsmanager:ci/rotating']);
    expect(result.actions).toBeUndefined();
    expect(result.detail).toMatch(
      /rotation of Secrets Manager secret ci\/rotating .* failed: AccessDeniedException \(HTTP 403\)/,
    );
  });
});

describe('Secrets Manager rotation across redeliveries', () => {
  let pending: RunningStandIns;
  beforeAll(async () => {
    // Rotations stay pending, as while a real rotation function runs: the value is still AWSCURRENT.
    pending = await startStandIns({ completeRotations: false });
  });
  afterAll(async () => {
    await pending.close();
  });

  it('names the same rotation when containment runs again, so only one starts', async () => {
    const token = githubToken();
    const { incident, secret } = incidentFor(token);
    await pending.seed('secretsmanager', { name: 'ci/github', value: token, rotation: {} });
    const tracer = new SecretsManagerCopiesTracer(awsSettings());
    const first = await tracer.trace(traceInput(incident, secret));
    const again = await tracer.trace(traceInput(incident, secret));
    expect(pending.aws.secretsManager.rotations()).toHaveLength(1);
    expect(again.actions).toEqual(first.actions);
    expect(first.actions?.[0]).toMatch(/^started rotation of Secrets Manager secret ci\/github/);
  });

  it('reports a rotation already running (started by someone else) as in progress', async () => {
    const token = githubToken();
    const { incident, secret } = incidentFor(token);
    await pending.seed('secretsmanager', { name: 'ci/scheduled', value: token, rotation: {} });
    const other = incidentFor(githubToken());
    // Another incident's rotation of the same secret is pending (a different request token).
    await new SecretsManagerCopiesTracer(awsSettings()).trace(
      traceInput({ ...other.incident, fingerprint: incident.fingerprint }, secret),
    );
    const result = await new SecretsManagerCopiesTracer(awsSettings()).trace(traceInput(incident, secret));
    expect(result.actions).toContain(
      'rotation of Secrets Manager secret ci/scheduled (aws:123456789012:us-east-1) already in progress',
    );
  });
});
