/**
 * Lambda stand-in (REST-JSON, API version 2015-03-31): functions with environment variables per
 * account and Region, `$LATEST` plus published versions. ListFunctions (`FunctionVersion=ALL`,
 * `Marker`/`NextMarker`, at most 50 per page whatever `MaxItems` says) and GetFunctionConfiguration.
 * Errors carry `x-amzn-errortype` and `{ "Type", "message" }`, as Lambda answers.
 *
 * Seed: `POST /sandbox/aws/lambda/seed`
 * `{ "account"?, "region"?, "functionName", "environment"?: { "NAME": "value" }, "publish"?: true,
 *    "kmsDenied"?: true }` — updates `$LATEST` (creating the function), and with `publish` also
 * publishes it as the next numbered version; `kmsDenied` makes its variables unreadable (as with a
 * customer-managed key the caller may not use).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponse } from '../http.ts';
import {
  AwsServiceError,
  PageTokens,
  createStandIn,
  scoped,
  seedFail,
  seedScope,
  seedString,
  type AwsCaller,
  type AwsStandIn,
  type AwsStandInOptions,
} from './aws-json.ts';

interface FunctionVersion {
  readonly version: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly kmsDenied: boolean;
  readonly lastModified: Date;
}

interface LambdaFunction {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  latest: FunctionVersion;
  readonly published: FunctionVersion[];
}

const API = '/2015-03-31/functions';

function lambdaError(error: AwsServiceError): HttpResponse {
  return {
    status: error.status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-requestid': randomUUID(),
      'x-amzn-errortype': error.type,
      ...error.headers,
    },
    body: JSON.stringify({
      Type: error.status >= 500 ? 'Service' : 'User',
      message: error.message,
      ...error.extra,
    }),
  };
}

const throttling = () =>
  new AwsServiceError(
    429,
    'TooManyRequestsException',
    'Rate exceeded',
    { Reason: 'CallerRateLimitExceeded' },
    { 'retry-after': '1' },
  );
const internal = (status: number) =>
  new AwsServiceError(status, 'ServiceException', 'An internal error occurred.');
const invalidParameter = (message: string) =>
  new AwsServiceError(400, 'InvalidParameterValueException', message);

/** Lambda's `LastModified`: `2024-11-22T08:00:00.000+0000`. */
const lambdaTime = (date: Date) => date.toISOString().replace('Z', '+0000');

export function createLambdaStandIn(options: AwsStandInOptions = {}): AwsStandIn {
  const functions = new Map<string, LambdaFunction>();
  const markers = new PageTokens(() => invalidParameter('Invalid marker'));

  function configuration(fn: LambdaFunction, version: FunctionVersion) {
    const arn = `arn:aws:lambda:${fn.region}:${fn.account}:function:${fn.name}`;
    const variables = Object.keys(version.environment).length > 0;
    return {
      FunctionName: fn.name,
      FunctionArn: version.version === '$LATEST' ? arn : `${arn}:${version.version}`,
      Runtime: 'nodejs22.x',
      Role: `arn:aws:iam::${fn.account}:role/${fn.name}-role`,
      Handler: 'index.handler',
      CodeSize: 1024,
      Description: '',
      Timeout: 3,
      MemorySize: 128,
      LastModified: lambdaTime(version.lastModified),
      CodeSha256: createHash('sha256').update(`${fn.name}:${version.version}`).digest('base64'),
      Version: version.version,
      ...(variables
        ? {
            Environment: version.kmsDenied
              ? {
                  Error: {
                    ErrorCode: 'AccessDeniedException',
                    Message:
                      'Lambda was unable to decrypt the environment variables because KMS access was denied.',
                  },
                }
              : { Variables: { ...version.environment } },
          }
        : {}),
      TracingConfig: { Mode: 'PassThrough' },
      PackageType: 'Zip',
      Architectures: ['arm64'],
      EphemeralStorage: { Size: 512 },
    };
  }

  function listFunctions(req: HttpRequest, caller: AwsCaller) {
    const all = req.query.get('FunctionVersion');
    if (all !== null && all !== 'ALL') throw invalidParameter('FunctionVersion must be ALL');
    const rawMax = req.query.get('MaxItems');
    const max = rawMax === null ? 50 : Number(rawMax);
    if (!Number.isInteger(max) || max < 1 || max > 10_000)
      throw invalidParameter('MaxItems must be between 1 and 10000');
    const query = { all, caller };
    const offset = markers.decode(req.query.get('Marker') ?? undefined, query);
    const entries = [...functions.values()]
      .filter((fn) => fn.account === caller.account && fn.region === caller.region)
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .flatMap((fn) =>
        (all === 'ALL' ? [fn.latest, ...fn.published] : [fn.latest]).map((v) => configuration(fn, v)),
      );
    const size = Math.min(max, 50);
    return {
      Functions: entries.slice(offset, offset + size),
      ...(offset + size < entries.length ? { NextMarker: markers.encode(offset + size, query) } : {}),
    };
  }

  function getConfiguration(req: HttpRequest, caller: AwsCaller, name: string) {
    const arn = /^arn:aws:lambda:[^:]+:\d{12}:function:([^:]+)(?::(.+))?$/.exec(name);
    const fnName = arn ? arn[1]! : name;
    const qualifier = req.query.get('Qualifier') ?? arn?.[2] ?? '$LATEST';
    const fn = functions.get(scoped(caller, fnName));
    const version =
      fn && (qualifier === '$LATEST' ? fn.latest : fn.published.find((v) => v.version === qualifier));
    if (!fn || !version)
      throw new AwsServiceError(
        404,
        'ResourceNotFoundException',
        `Function not found: arn:aws:lambda:${caller.region}:${caller.account}:function:${fnName}${qualifier === '$LATEST' ? '' : `:${qualifier}`}`,
      );
    return configuration(fn, version);
  }

  function seed(body: Record<string, unknown>, at: Date) {
    const scope = seedScope(body);
    const name = seedString(body, 'functionName')!;
    if (!/^[a-zA-Z0-9-_]{1,64}$/.test(name)) seedFail('"functionName" must be 1-64 letters, digits, - or _');
    const env = body.environment ?? {};
    if (typeof env !== 'object' || env === null || Array.isArray(env))
      seedFail('"environment" must be an object');
    for (const [key, value] of Object.entries(env)) {
      if (!/^[a-zA-Z][a-zA-Z0-9_]*$/.test(key)) seedFail(`environment variable name "${key}" is not valid`);
      if (typeof value !== 'string') seedFail(`environment.${key} must be a string`);
    }
    const version: FunctionVersion = {
      version: '$LATEST',
      environment: { ...(env as Record<string, string>) },
      kmsDenied: body.kmsDenied === true,
      lastModified: at,
    };
    const key = scoped(scope, name);
    const fn = functions.get(key) ?? { ...scope, name, latest: version, published: [] };
    fn.latest = version;
    functions.set(key, fn);
    if (body.publish === true) fn.published.push({ ...version, version: String(fn.published.length + 1) });
    return { functionName: name, versions: ['$LATEST', ...fn.published.map((v) => v.version)] };
  }

  const ok = (value: unknown): HttpResponse => ({
    status: 200,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify(value),
  });

  const operationOf = (req: HttpRequest): string => {
    const path = req.path.replace(/^\/sandbox\/aws\/lambda/, '');
    if (path === `${API}` || path === `${API}/`) return 'ListFunctions';
    if (/^\/2015-03-31\/functions\/[^/]+\/configuration$/.test(path)) return 'GetFunctionConfiguration';
    return `${req.method} ${path}`;
  };

  return createStandIn(
    {
      service: 'lambda',
      prefix: '/sandbox/aws/lambda',
      faults: { throttling, internal },
      error: lambdaError,
      operationOf,
      async api(req, caller, record) {
        const operation = operationOf(req);
        record(operation);
        if (req.method === 'GET' && operation === 'ListFunctions') return ok(listFunctions(req, caller));
        if (req.method === 'GET' && operation === 'GetFunctionConfiguration') {
          const name = decodeURIComponent(req.path.split('/').slice(-2)[0]!);
          return ok(getConfiguration(req, caller, name));
        }
        throw new AwsServiceError(
          404,
          'ResourceNotFoundException',
          'The resource you requested does not exist.',
        );
      },
      seed,
    },
    options,
  );
}
