/**
 * Plumbing shared by the sandbox's AWS stand-ins (CloudTrail, CloudWatch Logs, Lambda, SSM,
 * Secrets Manager): the caller's account and region from the SigV4 `Authorization` header, AWS error
 * shapes as the SDK's deserializers read them, the JSON 1.1 protocol (`POST /`, `X-Amz-Target`),
 * injected faults, opaque page tokens, call records and the seeding routes' body parsing.
 *
 * Signatures are not verified (the stand-ins hold no secrets); a request without a SigV4
 * `Authorization` header is refused as AWS refuses it. Nothing here logs a request body: seeds and
 * answers hold planted credentials.
 */
import { createHash, randomUUID } from 'node:crypto';
import { json, type HttpRequest, type HttpResponse } from '../http.ts';
import { SANDBOX_AWS_ACCOUNT } from './credentials.ts';

/** The account every caller is in unless `accountOf` says otherwise: the credential registry's. */
export { SANDBOX_AWS_ACCOUNT } from './credentials.ts';
export const SANDBOX_AWS_REGION = 'us-east-1';

export interface AwsStandInOptions {
  readonly now?: () => Date;
  /**
   * Consulted before every API call (not seeds): an HTTP status to fail this call with, e.g. the
   * sandbox's fault injection (`POST /sandbox/faults`). 429 (and 400) answer with the service's
   * throttling error, 403 with AccessDeniedException, 5xx with the service's internal error.
   * The second argument says who is calling what, for faults aimed at one account or operation.
   */
  readonly fault?: (service: string, call: AwsCaller & { readonly operation: string }) => number | undefined;
  /** The account a request is made in, from its access key id. @default SANDBOX_AWS_ACCOUNT */
  readonly accountOf?: (accessKeyId: string) => string | undefined;
}

export interface AwsCaller {
  readonly account: string;
  readonly region: string;
}

/** An error as AWS answers it: HTTP status, error code (`__type` / `x-amzn-errortype`), message. */
export class AwsServiceError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export interface RecordedAwsCall {
  readonly service: string;
  readonly operation: string;
  readonly account: string;
  readonly region: string;
  readonly status: number;
  readonly error?: string;
  readonly at: string;
}

const SIGV4 = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request/;

/** Account and region of a signed request, or an error AWS would answer with. */
export function callerOf(req: HttpRequest, options: AwsStandInOptions): AwsCaller {
  const match = SIGV4.exec(req.headers.authorization ?? '');
  if (!match)
    throw new AwsServiceError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  const [, accessKeyId, region] = match as unknown as [string, string, string];
  return { account: options.accountOf?.(accessKeyId) ?? SANDBOX_AWS_ACCOUNT, region };
}

/** How a service names its errors for an injected fault. */
export interface FaultShapes {
  readonly throttling: () => AwsServiceError;
  readonly internal: (status: number) => AwsServiceError;
}

export function faultError(status: number, shapes: FaultShapes): AwsServiceError {
  if (status === 429 || status === 400) return shapes.throttling();
  if (status >= 500) return shapes.internal(status);
  if (status === 401 || status === 403)
    return new AwsServiceError(403, 'AccessDeniedException', 'User is not authorized to perform this action');
  return new AwsServiceError(status, 'ValidationException', `injected fault (${status})`);
}

export const jsonThrottling = (): AwsServiceError =>
  new AwsServiceError(400, 'ThrottlingException', 'Rate exceeded');

export const jsonInternal = (status: number): AwsServiceError =>
  status === 503
    ? new AwsServiceError(503, 'ServiceUnavailable', 'Service is unavailable. Please try again later.')
    : new AwsServiceError(
        status,
        'InternalFailure',
        'The request processing has failed because of an unknown error.',
      );

const JSON_11 = 'application/x-amz-json-1.1';

export function jsonOk(value: unknown): HttpResponse {
  return {
    status: 200,
    headers: { 'content-type': JSON_11, 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify(value),
  };
}

/** JSON 1.1 error: `{ "__type", "message" }` plus `x-amzn-errortype`, as the SDK's loadJsonRpcErrorCode reads it. */
export function jsonError(error: AwsServiceError): HttpResponse {
  return {
    status: error.status,
    headers: {
      'content-type': JSON_11,
      'x-amzn-requestid': randomUUID(),
      'x-amzn-errortype': error.type,
      ...error.headers,
    },
    body: JSON.stringify({ __type: error.type, message: error.message, ...error.extra }),
  };
}

export type JsonOperation = (input: Record<string, unknown>, caller: AwsCaller) => unknown;

/** A token bucket per key, for services whose limits the stand-in enforces (CloudTrail's 2/s). */
export class BucketLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly perSecond: number,
    private readonly capacity: number,
  ) {}
  /** False when the key's bucket is empty: the call is throttled. */
  take(key: string, nowMs: number): boolean {
    const bucket = this.buckets.get(key) ?? { tokens: this.capacity, at: nowMs };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + ((nowMs - bucket.at) / 1000) * this.perSecond);
    bucket.at = nowMs;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

export interface StandInDefinition {
  /** Fault-injection and call-record name: `cloudtrail`, `logs`, `lambda`, `ssm`, `secretsmanager`. */
  readonly service: string;
  /** Mount point, e.g. `/sandbox/aws/cloudtrail`. */
  readonly prefix: string;
  readonly faults: FaultShapes;
  /** Answers an API request (below the prefix, not a control route); `undefined` = not this service's. */
  readonly api: (
    req: HttpRequest,
    caller: AwsCaller,
    record: (operation: string) => void,
  ) => Promise<HttpResponse | undefined>;
  /** Protocol's error rendering. */
  readonly error: (error: AwsServiceError) => HttpResponse;
  /** `POST {prefix}/seed`: creates state from a JSON body. */
  readonly seed: (body: Record<string, unknown>, now: Date) => unknown;
  /** Extra read-only control routes: `GET {prefix}/{name}`. */
  readonly views?: Readonly<Record<string, () => unknown>>;
  /** The operation a request names, for records of requests that failed before dispatch. */
  readonly operationOf: (req: HttpRequest) => string;
}

export interface AwsStandIn {
  readonly service: string;
  handle(req: HttpRequest): Promise<HttpResponse | undefined>;
  /** Every API call (not seeds or views), oldest first: operation, account, region, status — no bodies. */
  calls(): readonly RecordedAwsCall[];
}

/** Seed bodies and control answers: plain JSON, errors as `{ error }` with a 400. */
class SeedError extends Error {}

export function seedFail(message: string): never {
  throw new SeedError(message);
}

export function seedString(body: Record<string, unknown>, name: string, required = true): string | undefined {
  const value = body[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.length === 0) seedFail(`"${name}" must be a non-empty string`);
  return value;
}

export function seedScope(body: Record<string, unknown>): AwsCaller {
  const account = seedString(body, 'account', false) ?? SANDBOX_AWS_ACCOUNT;
  const region = seedString(body, 'region', false) ?? SANDBOX_AWS_REGION;
  if (!/^\d{12}$/.test(account)) seedFail('"account" must be 12 digits');
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) seedFail('"region" must be a region name such as us-east-1');
  return { account, region };
}

export function seedTime(value: unknown, name: string, fallback: Date): Date {
  if (value === undefined) return fallback;
  const at =
    typeof value === 'number' ? new Date(value) : typeof value === 'string' ? new Date(value) : undefined;
  if (!at || Number.isNaN(at.getTime())) seedFail(`"${name}" must be an ISO-8601 time or epoch milliseconds`);
  return at;
}

export function createStandIn(definition: StandInDefinition, options: AwsStandInOptions): AwsStandIn {
  const now = options.now ?? (() => new Date());
  const log: RecordedAwsCall[] = [];
  const { prefix, service } = definition;

  async function handle(req: HttpRequest): Promise<HttpResponse | undefined> {
    if (req.path !== prefix && !req.path.startsWith(`${prefix}/`)) return undefined;
    const rest = req.path.slice(prefix.length).replace(/^\/+/, '');
    if (rest === 'seed') {
      if (req.method !== 'POST') return json(405, { error: 'use POST' });
      return seed(req);
    }
    const view = definition.views?.[rest] ?? (rest === 'calls' ? () => ({ calls: log }) : undefined);
    if (view && req.method === 'GET') return json(200, view());
    let operation = definition.operationOf(req);
    let caller: AwsCaller = { account: SANDBOX_AWS_ACCOUNT, region: SANDBOX_AWS_REGION };
    const record = (response: HttpResponse, error?: string) =>
      log.push({
        service,
        operation,
        account: caller.account,
        region: caller.region,
        status: response.status,
        ...(error ? { error } : {}),
        at: now().toISOString(),
      });
    try {
      caller = callerOf(req, options);
      const status = options.fault?.(service, { ...caller, operation });
      if (status !== undefined) throw faultError(status, definition.faults);
      const response = await definition.api(req, caller, (name) => (operation = name));
      if (!response) return undefined;
      record(response);
      return response;
    } catch (error) {
      const failure =
        error instanceof AwsServiceError
          ? error
          : // Unexpected: answer without echoing anything from the request (it may hold a credential).
            definition.faults.internal(500);
      const response = definition.error(failure);
      record(response, failure.type);
      return response;
    }
  }

  function seed(req: HttpRequest): HttpResponse {
    let body: unknown;
    try {
      body = JSON.parse(req.body);
    } catch {
      return json(400, { error: 'the body must be JSON' });
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return json(400, { error: 'the body must be a JSON object' });
    try {
      return json(201, definition.seed(body as Record<string, unknown>, now()));
    } catch (error) {
      if (error instanceof SeedError) return json(400, { error: error.message });
      return json(500, { error: 'seed failed' });
    }
  }

  return { service, handle, calls: () => [...log] };
}

/** JSON 1.1 API dispatch: `POST {prefix}/` with `X-Amz-Target: {target}.{Operation}`. */
export function jsonRpc(
  target: string,
  operations: Readonly<Record<string, JsonOperation>>,
): Pick<StandInDefinition, 'api' | 'error' | 'operationOf'> {
  const operationOf = (req: HttpRequest) => {
    const header = req.headers['x-amz-target'] ?? '';
    return header.startsWith(`${target}.`) ? header.slice(target.length + 1) : header || '(none)';
  };
  return {
    operationOf,
    error: jsonError,
    async api(req, caller, record) {
      if (req.method !== 'POST') return undefined;
      const name = operationOf(req);
      record(name);
      const operation = Object.hasOwn(operations, name) ? operations[name] : undefined;
      if (!operation) throw new AwsServiceError(400, 'UnknownOperationException', 'Unknown operation');
      let input: unknown;
      try {
        input = req.body.length ? JSON.parse(req.body) : {};
      } catch {
        throw new AwsServiceError(
          400,
          'SerializationException',
          'Start of structure or map found where not expected',
        );
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input))
        throw new AwsServiceError(
          400,
          'SerializationException',
          'Start of structure or map found where not expected',
        );
      return jsonOk(operation(input as Record<string, unknown>, caller) ?? {});
    },
  };
}

/**
 * Opaque page tokens bound to the query that produced them: a token replayed with different
 * parameters is refused, as AWS refuses it.
 */
export class PageTokens {
  constructor(private readonly invalid: () => AwsServiceError) {}

  private static key(query: unknown): string {
    return createHash('sha256').update(JSON.stringify(query)).digest('hex').slice(0, 16);
  }

  encode(offset: number, query: unknown): string {
    return Buffer.from(JSON.stringify({ o: offset, k: PageTokens.key(query) })).toString('base64url');
  }

  /** The offset a token stands for (0 without a token). */
  decode(token: unknown, query: unknown): number {
    if (token === undefined || token === null || token === '') return 0;
    if (typeof token !== 'string') throw this.invalid();
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
        o?: unknown;
        k?: unknown;
      };
      if (typeof parsed.o !== 'number' || parsed.k !== PageTokens.key(query)) throw this.invalid();
      return parsed.o;
    } catch (error) {
      if (error instanceof AwsServiceError) throw error;
      throw this.invalid();
    }
  }
}

/** Integer input within bounds, or the service's validation error. */
export function intInput(
  value: unknown,
  name: string,
  bounds: { min: number; max: number; fallback: number },
  invalid: (message: string) => AwsServiceError,
): number {
  if (value === undefined || value === null) return bounds.fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < bounds.min || value > bounds.max)
    throw invalid(`${name} must be an integer between ${bounds.min} and ${bounds.max}`);
  return value;
}

export const epochSeconds = (date: Date): number => date.getTime() / 1000;

/** `account:region:name`, the key of a resource's state. */
export const scoped = (caller: AwsCaller, name: string): string =>
  `${caller.account}:${caller.region}:${name}`;
