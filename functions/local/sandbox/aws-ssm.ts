/**
 * SSM Parameter Store stand-in (JSON 1.1, `AmazonSSM.*`): String, StringList and SecureString
 * parameters with versions, per account and Region. DescribeParameters (≤ 50 per page, `NextToken`)
 * and GetParameters (≤ 10 names; SecureString values come back encrypted unless `WithDecryption`).
 *
 * Seed: `POST /sandbox/aws/ssm/seed`
 * `{ "account"?, "region"?, "name", "value", "type"?: "String" | "StringList" | "SecureString" }` —
 * each seed of an existing name adds a version.
 */
import { createHash } from 'node:crypto';
import {
  AwsServiceError,
  PageTokens,
  createStandIn,
  epochSeconds,
  intInput,
  jsonRpc,
  jsonThrottling,
  scoped,
  seedFail,
  seedScope,
  seedString,
  type AwsCaller,
  type AwsStandIn,
  type AwsStandInOptions,
} from './aws-json.ts';

const TYPES = ['String', 'StringList', 'SecureString'] as const;
type ParameterType = (typeof TYPES)[number];

interface ParameterVersion {
  readonly version: number;
  readonly value: string;
  readonly modified: Date;
}

interface Parameter {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  type: ParameterType;
  readonly versions: ParameterVersion[];
}

const validation = (message: string) => new AwsServiceError(400, 'ValidationException', message);
const internal = (status: number) =>
  new AwsServiceError(status, 'InternalServerError', 'An error occurred on the server side.');

export function createSsmStandIn(options: AwsStandInOptions = {}): AwsStandIn {
  const parameters = new Map<string, Parameter>();
  const tokens = new PageTokens(
    () => new AwsServiceError(400, 'InvalidNextToken', 'The specified token is not valid.'),
  );

  const arnOf = (p: Parameter) =>
    `arn:aws:ssm:${p.region}:${p.account}:parameter${p.name.startsWith('/') ? '' : '/'}${p.name}`;
  const current = (p: Parameter) => p.versions[p.versions.length - 1]!;

  const describeParameters = (input: Record<string, unknown>, caller: AwsCaller) => {
    const max = intInput(input.MaxResults, 'MaxResults', { min: 1, max: 50, fallback: 50 }, validation);
    const query = { caller };
    const offset = tokens.decode(input.NextToken, query);
    const all = [...parameters.values()]
      .filter((p) => p.account === caller.account && p.region === caller.region)
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    return {
      Parameters: all.slice(offset, offset + max).map((p) => ({
        Name: p.name,
        ARN: arnOf(p),
        Type: p.type,
        ...(p.type === 'SecureString' ? { KeyId: 'alias/aws/ssm' } : {}),
        LastModifiedDate: epochSeconds(current(p).modified),
        LastModifiedUser: `arn:aws:iam::${p.account}:user/sandbox-admin`,
        Version: current(p).version,
        Tier: 'Standard',
        Policies: [],
        DataType: 'text',
      })),
      ...(offset + max < all.length ? { NextToken: tokens.encode(offset + max, query) } : {}),
    };
  };

  const getParameters = (input: Record<string, unknown>, caller: AwsCaller) => {
    const names = input.Names;
    if (
      !Array.isArray(names) ||
      names.length < 1 ||
      names.length > 10 ||
      !names.every((n) => typeof n === 'string')
    )
      throw validation(
        "1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length between 1 and 10",
      );
    const decrypt = input.WithDecryption === true;
    const found: Parameter[] = [];
    const invalid: string[] = [];
    for (const name of names as string[]) {
      const p = parameters.get(scoped(caller, name));
      if (p) found.push(p);
      else invalid.push(name);
    }
    return {
      Parameters: found.map((p) => {
        const v = current(p);
        return {
          Name: p.name,
          Type: p.type,
          // Without decryption a SecureString reads as ciphertext, never as the value.
          Value:
            p.type === 'SecureString' && !decrypt
              ? createHash('sha256').update(`kms:${p.name}:${v.version}`).digest('base64')
              : v.value,
          Version: v.version,
          LastModifiedDate: epochSeconds(v.modified),
          ARN: arnOf(p),
          DataType: 'text',
        };
      }),
      InvalidParameters: invalid,
    };
  };

  function seed(body: Record<string, unknown>, at: Date) {
    const scope = seedScope(body);
    const name = seedString(body, 'name')!;
    if (!/^[a-zA-Z0-9_.\-/]{1,2048}$/.test(name)) seedFail('"name" is not a valid parameter name');
    const value = seedString(body, 'value')!;
    const type = (seedString(body, 'type', false) ?? 'String') as ParameterType;
    if (!TYPES.includes(type)) seedFail(`"type" must be one of ${TYPES.join(', ')}`);
    const key = scoped(scope, name);
    const parameter = parameters.get(key) ?? { ...scope, name, type, versions: [] };
    parameter.type = type;
    parameter.versions.push({ version: parameter.versions.length + 1, value, modified: at });
    parameters.set(key, parameter);
    return { name, version: parameter.versions.length };
  }

  return createStandIn(
    {
      service: 'ssm',
      prefix: '/sandbox/aws/ssm',
      faults: { throttling: jsonThrottling, internal },
      ...jsonRpc('AmazonSSM', { DescribeParameters: describeParameters, GetParameters: getParameters }),
      seed,
    },
    options,
  );
}
