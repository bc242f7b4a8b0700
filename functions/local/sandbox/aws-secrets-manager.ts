/**
 * Secrets Manager stand-in (JSON 1.1, target `secretsmanager`): secrets with versions and staging
 * labels per account and Region, optional rotation configuration. ListSecrets (≤ 100 per page),
 * GetSecretValue (by name or ARN; AWSCURRENT unless a version or stage is given) and RotateSecret,
 * which runs a simulated rotation function: a new random value becomes AWSCURRENT, the old one
 * AWSPREVIOUS — at once, or (with `completeRotations: false`) not until later, the new version
 * waiting as AWSPENDING. A repeated `ClientRequestToken` names the same rotation and starts no
 * other; a different one while a rotation is pending is refused, as Secrets Manager refuses it.
 *
 * Seed: `POST /sandbox/aws/secretsmanager/seed`
 * `{ "account"?, "region"?, "name", "value", "rotation"?: { "days"?: 30, "lambdaArn"? } }` — a seed of
 * an existing name adds a version that becomes AWSCURRENT. `GET /sandbox/aws/secretsmanager/rotations`
 * lists the rotations started (names and version ids, never values).
 */
import { randomBytes, randomUUID } from 'node:crypto';
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

interface SecretVersion {
  readonly id: string;
  readonly value: string;
  readonly created: Date;
  stages: string[];
}

interface Secret {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly arn: string;
  readonly created: Date;
  changed: Date;
  readonly versions: SecretVersion[];
  rotation?: { readonly lambdaArn: string; readonly days: number };
  lastRotated?: Date;
}

export interface RotationRecord {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly versionId: string;
  readonly at: string;
}

export interface SecretsManagerStandInOptions extends AwsStandInOptions {
  /** Finish each rotation at once (AWSCURRENT moves); false leaves it pending. @default true */
  readonly completeRotations?: boolean;
}

export interface SecretsManagerStandIn extends AwsStandIn {
  rotations(): readonly RotationRecord[];
}

const invalidParameter = (message: string) => new AwsServiceError(400, 'InvalidParameterException', message);
const invalidRequest = (message: string) => new AwsServiceError(400, 'InvalidRequestException', message);
const notFound = () =>
  new AwsServiceError(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
const internal = (status: number) =>
  new AwsServiceError(status, 'InternalServiceError', 'An error occurred on the server side.');

/** The new version becomes AWSCURRENT; the old current one AWSPREVIOUS, as PutSecretValue and rotation do. */
function promote(secret: Secret, version: SecretVersion, at: Date): void {
  for (const v of secret.versions) {
    v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
    if (v.stages.includes('AWSCURRENT'))
      v.stages = [...v.stages.filter((s) => s !== 'AWSCURRENT'), 'AWSPREVIOUS'];
  }
  secret.versions.push(version);
  secret.changed = at;
}

export function createSecretsManagerStandIn(
  options: SecretsManagerStandInOptions = {},
): SecretsManagerStandIn {
  const now = options.now ?? (() => new Date());
  const secrets = new Map<string, Secret>();
  const rotations: RotationRecord[] = [];
  const tokens = new PageTokens(() => invalidParameter('The specified NextToken is not valid.'));

  function find(caller: AwsCaller, id: unknown): Secret {
    if (typeof id !== 'string' || id === '') throw invalidParameter('SecretId must be specified.');
    const byName = secrets.get(scoped(caller, id));
    if (byName) return byName;
    const byArn = [...secrets.values()].find(
      (s) => s.arn === id && s.account === caller.account && s.region === caller.region,
    );
    if (!byArn) throw notFound();
    return byArn;
  }

  const stagesMap = (s: Secret) =>
    Object.fromEntries(s.versions.filter((v) => v.stages.length > 0).map((v) => [v.id, [...v.stages]]));

  const listSecrets = (input: Record<string, unknown>, caller: AwsCaller) => {
    const max = intInput(
      input.MaxResults,
      'MaxResults',
      { min: 1, max: 100, fallback: 100 },
      invalidParameter,
    );
    const query = { caller };
    const offset = tokens.decode(input.NextToken, query);
    const all = [...secrets.values()]
      .filter((s) => s.account === caller.account && s.region === caller.region)
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    return {
      SecretList: all.slice(offset, offset + max).map((s) => ({
        ARN: s.arn,
        Name: s.name,
        RotationEnabled: Boolean(s.rotation),
        ...(s.rotation
          ? {
              RotationLambdaARN: s.rotation.lambdaArn,
              RotationRules: { AutomaticallyAfterDays: s.rotation.days },
            }
          : {}),
        ...(s.lastRotated ? { LastRotatedDate: epochSeconds(s.lastRotated) } : {}),
        LastChangedDate: epochSeconds(s.changed),
        CreatedDate: epochSeconds(s.created),
        SecretVersionsToStages: stagesMap(s),
      })),
      ...(offset + max < all.length ? { NextToken: tokens.encode(offset + max, query) } : {}),
    };
  };

  const getSecretValue = (input: Record<string, unknown>, caller: AwsCaller) => {
    const secret = find(caller, input.SecretId);
    const stage = typeof input.VersionStage === 'string' ? input.VersionStage : undefined;
    const versionId = typeof input.VersionId === 'string' ? input.VersionId : undefined;
    const version = versionId
      ? secret.versions.find((v) => v.id === versionId && (!stage || v.stages.includes(stage)))
      : secret.versions.find((v) => v.stages.includes(stage ?? 'AWSCURRENT'));
    if (!version)
      throw new AwsServiceError(
        400,
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret value for staging label or version.",
      );
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.id,
      SecretString: version.value,
      VersionStages: [...version.stages],
      CreatedDate: epochSeconds(version.created),
    };
  };

  const rotateSecret = (input: Record<string, unknown>, caller: AwsCaller) => {
    const secret = find(caller, input.SecretId);
    const token = input.ClientRequestToken;
    if (token !== undefined && (typeof token !== 'string' || token.length < 32 || token.length > 64))
      throw invalidParameter('ClientRequestToken must be 32 to 64 characters.');
    const existing = typeof token === 'string' ? secret.versions.find((v) => v.id === token) : undefined;
    if (existing) return { ARN: secret.arn, Name: secret.name, VersionId: existing.id };
    if (typeof input.RotationLambdaARN === 'string') {
      const days = (input.RotationRules as { AutomaticallyAfterDays?: unknown } | undefined)
        ?.AutomaticallyAfterDays;
      secret.rotation = { lambdaArn: input.RotationLambdaARN, days: typeof days === 'number' ? days : 30 };
    }
    if (!secret.rotation)
      throw invalidRequest('No Lambda rotation function ARN is associated with this secret.');
    if (secret.versions.some((v) => v.stages.includes('AWSPENDING')))
      throw invalidRequest("A previous rotation isn't complete. That rotation will be reattempted.");
    const at = now();
    const version: SecretVersion = {
      id: typeof token === 'string' ? token : randomUUID(),
      value: `rotated-${randomBytes(18).toString('base64url')}`,
      created: at,
      stages: ['AWSCURRENT'],
    };
    if (options.completeRotations === false) {
      // The rotation function has not finished: the new value waits as AWSPENDING.
      secret.versions.push({ ...version, stages: ['AWSPENDING'] });
    } else {
      promote(secret, version, at);
      secret.lastRotated = at;
    }
    rotations.push({
      account: secret.account,
      region: secret.region,
      name: secret.name,
      versionId: version.id,
      at: at.toISOString(),
    });
    return { ARN: secret.arn, Name: secret.name, VersionId: version.id };
  };

  function seed(body: Record<string, unknown>, at: Date) {
    const scope = seedScope(body);
    const name = seedString(body, 'name')!;
    if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name)) seedFail('"name" is not a valid secret name');
    const value = seedString(body, 'value')!;
    const rotation = body.rotation;
    if (rotation !== undefined && (typeof rotation !== 'object' || rotation === null))
      seedFail('"rotation" must be an object such as { "days": 30 }');
    const key = scoped(scope, name);
    let secret = secrets.get(key);
    if (!secret) {
      const suffix = randomBytes(3).toString('hex');
      secret = {
        ...scope,
        name,
        arn: `arn:aws:secretsmanager:${scope.region}:${scope.account}:secret:${name}-${suffix}`,
        created: at,
        changed: at,
        versions: [],
      };
      secrets.set(key, secret);
    }
    if (rotation) {
      const r = rotation as { days?: unknown; lambdaArn?: unknown };
      secret.rotation = {
        lambdaArn:
          typeof r.lambdaArn === 'string'
            ? r.lambdaArn
            : `arn:aws:lambda:${scope.region}:${scope.account}:function:sandbox-rotation`,
        days: typeof r.days === 'number' ? r.days : 30,
      };
    }
    const version: SecretVersion = { id: randomUUID(), value, created: at, stages: ['AWSCURRENT'] };
    promote(secret, version, at);
    return { name, arn: secret.arn, versionId: version.id, rotationEnabled: Boolean(secret.rotation) };
  }

  const standIn = createStandIn(
    {
      service: 'secretsmanager',
      prefix: '/sandbox/aws/secretsmanager',
      faults: { throttling: jsonThrottling, internal },
      ...jsonRpc('secretsmanager', {
        ListSecrets: listSecrets,
        GetSecretValue: getSecretValue,
        RotateSecret: rotateSecret,
      }),
      seed,
      views: { rotations: () => ({ rotations }) },
    },
    options,
  );
  return { ...standIn, rotations: () => [...rotations] };
}
