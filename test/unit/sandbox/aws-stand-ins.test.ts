/**
 * The AWS stand-ins speak the wire protocols the SDK clients parse: JSON 1.1 (`X-Amz-Target`,
 * `__type` errors) for CloudTrail, CloudWatch Logs, SSM and Secrets Manager, REST-JSON
 * (`x-amzn-errortype`) for Lambda — checked here through the real clients.
 */
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConfigurationCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import {
  GetSecretValueCommand,
  ListSecretsCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesTerms, parseFilterPattern } from '../../../functions/local/sandbox/aws-logs.ts';
import { awsKeyPair, githubToken } from '../../helpers/credentials.ts';
import { startStandIns, type RunningStandIns } from '../../helpers/tracing.ts';

let sandbox: RunningStandIns;
const config = {
  region: 'us-east-1',
  maxAttempts: 1,
  credentials: { accessKeyId: 'LOCAL123456789012', secretAccessKey: 'local' },
};
beforeAll(async () => {
  sandbox = await startStandIns({ lookupsPerSecond: 0 });
});
afterAll(async () => {
  await sandbox.close();
});

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: { name: string; message: string; $metadata?: { httpStatusCode?: number }; Reason?: string }) => e,
  );

describe('AWS stand-ins: protocol plumbing', () => {
  it('refuses a request without a SigV4 Authorization header', async () => {
    const response = await fetch(`${sandbox.url}/sandbox/aws/cloudtrail/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'CloudTrail_20131101.LookupEvents',
      },
      body: '{}',
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });

  it('answers an unknown operation with UnknownOperationException', async () => {
    const e = await failure(new SSMClient(config).send(new PutParameterCommand({ Name: 'x', Value: 'y' })));
    expect(e.name).toBe('UnknownOperationException');
  });

  it('answers injected faults with each service’s own error shapes', async () => {
    sandbox.fail('cloudtrail', 500);
    expect((await failure(new CloudTrailClient(config).send(new LookupEventsCommand({})))).name).toBe(
      'InternalFailure',
    );
    sandbox.fail('cloudtrail', 503);
    expect((await failure(new CloudTrailClient(config).send(new LookupEventsCommand({})))).name).toBe(
      'ServiceUnavailable',
    );
    sandbox.fail('ssm', 429);
    const throttled = await failure(new SSMClient(config).send(new GetParametersCommand({ Names: ['x'] })));
    expect([throttled.name, throttled.$metadata?.httpStatusCode]).toEqual(['ThrottlingException', 400]);
    sandbox.fail('lambda', 429);
    const lambda = await failure(new LambdaClient(config).send(new ListFunctionsCommand({})));
    expect([lambda.name, lambda.$metadata?.httpStatusCode, lambda.Reason]).toEqual([
      'TooManyRequestsException',
      429,
      'CallerRateLimitExceeded',
    ]);
  });

  it('lists calls (operation, account, Region, status) and never their bodies', async () => {
    const token = githubToken();
    await sandbox.seed('ssm', { name: '/calls/t', value: token, type: 'SecureString' });
    await new SSMClient(config).send(new GetParametersCommand({ Names: ['/calls/t'], WithDecryption: true }));
    const response = await fetch(`${sandbox.url}/sandbox/aws/ssm/calls`);
    const text = await response.text();
    expect(JSON.parse(text).calls.at(-1)).toMatchObject({
      operation: 'GetParameters',
      account: '123456789012',
      region: 'us-east-1',
      status: 200,
    });
    expect(text).not.toContain(token);
  });

  it('rejects a malformed seed with a 400 that says why', async () => {
    const response = await fetch(`${sandbox.url}/sandbox/aws/lambda/seed`, {
      method: 'POST',
      body: JSON.stringify({ functionName: 'bad name!' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: '"functionName" must be 1-64 letters, digits, - or _' });
  });
});

describe('CloudTrail stand-in', () => {
  it('allows one lookup attribute, MaxResults up to 50, and tokens only for the query that made them', async () => {
    const client = new CloudTrailClient(config);
    const two = await failure(
      client.send(
        new LookupEventsCommand({
          LookupAttributes: [
            { AttributeKey: 'EventName', AttributeValue: 'a' },
            { AttributeKey: 'Username', AttributeValue: 'b' },
          ],
        }),
      ),
    );
    expect(two.name).toBe('InvalidLookupAttributesException');
    expect((await failure(client.send(new LookupEventsCommand({ MaxResults: 51 })))).name).toBe(
      'InvalidMaxResultsException',
    );
    await sandbox.seed('cloudtrail', {
      events: Array.from({ length: 3 }, () => ({
        accessKeyId: awsKeyPair().accessKeyId,
        eventName: 'X',
        eventSource: 's3.amazonaws.com',
      })),
    });
    const first = await client.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'X' }],
        MaxResults: 1,
      }),
    );
    expect(first.NextToken).toBeDefined();
    const replay = await failure(
      client.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'Y' }],
          NextToken: first.NextToken,
        }),
      ),
    );
    expect(replay.name).toBe('InvalidNextTokenException');
  });
});

describe('CloudWatch Logs stand-in', () => {
  it('parses term filter patterns: all plain terms, any ?term, no -term, quoted phrases', () => {
    const terms = parseFilterPattern('ERROR -DEBUG ?"a b" ?c');
    expect(matchesTerms('ERROR in a b', terms)).toBe(true);
    expect(matchesTerms('ERROR c', terms)).toBe(true);
    expect(matchesTerms('ERROR only', terms)).toBe(false);
    expect(matchesTerms('ERROR DEBUG c', terms)).toBe(false);
    expect(matchesTerms('error c', terms)).toBe(false);
  });

  it('refuses both a group name and identifier, and pattern syntaxes it does not model', async () => {
    const client = new CloudWatchLogsClient(config);
    await sandbox.seed('logs', { logGroupName: '/standin/x', events: [{ message: 'm' }] });
    const both = await failure(
      client.send(
        new FilterLogEventsCommand({ logGroupName: '/standin/x', logGroupIdentifier: '/standin/x' }),
      ),
    );
    expect(both.name).toBe('InvalidParameterException');
    const json = await failure(
      client.send(new FilterLogEventsCommand({ logGroupName: '/standin/x', filterPattern: '{ $.a = 1 }' })),
    );
    expect(json.name).toBe('InvalidParameterException');
    const missing = await failure(client.send(new FilterLogEventsCommand({ logGroupName: '/standin/none' })));
    expect(missing.name).toBe('ResourceNotFoundException');
  });
});

describe('Lambda stand-in', () => {
  it('answers a missing function with a 404 ResourceNotFoundException', async () => {
    const e = await failure(
      new LambdaClient(config).send(new GetFunctionConfigurationCommand({ FunctionName: 'missing' })),
    );
    expect([e.name, e.$metadata?.httpStatusCode]).toEqual(['ResourceNotFoundException', 404]);
  });

  it('returns a published version’s configuration by qualifier', async () => {
    await sandbox.seed('lambda', { functionName: 'qualified', environment: { A: '1' }, publish: true });
    await sandbox.seed('lambda', { functionName: 'qualified', environment: { A: '2' } });
    const v1 = await new LambdaClient(config).send(
      new GetFunctionConfigurationCommand({ FunctionName: 'qualified', Qualifier: '1' }),
    );
    expect(v1.Environment?.Variables).toEqual({ A: '1' });
  });
});

describe('SSM stand-in', () => {
  it('returns a SecureString encrypted unless decryption is asked for', async () => {
    const token = githubToken();
    await sandbox.seed('ssm', { name: '/secure/t', value: token, type: 'SecureString' });
    const client = new SSMClient(config);
    const sealed = await client.send(new GetParametersCommand({ Names: ['/secure/t'] }));
    expect(sealed.Parameters?.[0]?.Value).not.toContain(token);
    const open = await client.send(new GetParametersCommand({ Names: ['/secure/t'], WithDecryption: true }));
    expect(open.Parameters?.[0]?.Value).toBe(token);
  });
});

describe('Secrets Manager stand-in', () => {
  it('reads a secret by name or ARN, refuses rotation without a rotation function, and rotates once per token', async () => {
    const client = new SecretsManagerClient(config);
    const plain = await sandbox.seed('secretsmanager', { name: 'standin/plain', value: 'v1' });
    expect((await client.send(new GetSecretValueCommand({ SecretId: String(plain.arn) }))).SecretString).toBe(
      'v1',
    );
    const refused = await failure(client.send(new RotateSecretCommand({ SecretId: 'standin/plain' })));
    expect(refused.name).toBe('InvalidRequestException');

    await sandbox.seed('secretsmanager', { name: 'standin/rotating', value: 'v1', rotation: { days: 7 } });
    const token = 'a'.repeat(64);
    const first = await client.send(
      new RotateSecretCommand({ SecretId: 'standin/rotating', ClientRequestToken: token }),
    );
    const again = await client.send(
      new RotateSecretCommand({ SecretId: 'standin/rotating', ClientRequestToken: token }),
    );
    expect(again.VersionId).toBe(first.VersionId);
    expect(sandbox.aws.secretsManager.rotations().filter((r) => r.name === 'standin/rotating')).toHaveLength(
      1,
    );
    const listed = await client.send(new ListSecretsCommand({}));
    expect(listed.SecretList?.find((s) => s.Name === 'standin/rotating')).toMatchObject({
      RotationEnabled: true,
      RotationRules: { AutomaticallyAfterDays: 7 },
    });
    expect(
      (await client.send(new GetSecretValueCommand({ SecretId: 'standin/rotating' }))).SecretString,
    ).not.toBe('v1');
  });
});
