/**
 * The AWS Query protocol, as STS and IAM speak it and the SDK's AwsQueryProtocol expects it:
 * a form-encoded POST (`Action=…&Version=…&Param=…`), answered with
 * `<{Action}Response xmlns="…"><{Action}Result>…</{Action}Result><ResponseMetadata>…` or, on error,
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
 */
import { randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponse } from '../http.ts';
import { applyFault, type FaultInjector } from './faults.ts';
import { authenticate, AwsAuthError, type AwsAuthContext, type AwsPrincipal } from './aws-auth.ts';

export class AwsQueryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
  }
}

export type XmlValue = string | number | boolean | Date | undefined | XmlObject | XmlValue[];
export interface XmlObject {
  readonly [name: string]: XmlValue;
}

function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Elements from an object; arrays become `<member>` lists, as the Query protocol serialises them. */
export function toXml(value: XmlValue): string {
  if (value === undefined) return '';
  if (value instanceof Date) return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (typeof value === 'object')
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  return escapeXml(String(value));
}

function xmlResponse(status: number, body: string, requestId: string): HttpResponse {
  return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

export function errorXml(namespace: string, error: AwsQueryError): HttpResponse {
  const requestId = randomUUID();
  const body = `<ErrorResponse xmlns="${namespace}"><Error><Type>${error.type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return xmlResponse(error.status, body, requestId);
}

export type QueryParams = ReadonlyMap<string, string>;

export interface QueryService {
  /** Service name in fault injection and the SigV4 scope, e.g. `sts`. */
  readonly service: string;
  readonly namespace: string;
  readonly version: string;
  readonly actions: Readonly<
    Record<string, (params: QueryParams, principal: AwsPrincipal) => XmlObject | undefined>
  >;
}

export function required(params: QueryParams, name: string): string {
  const value = params.get(name);
  if (value === undefined || value === '')
    throw new AwsQueryError(
      400,
      'ValidationError',
      `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
    );
  return value;
}

function faultError(status: number): AwsQueryError {
  if (status === 429) return new AwsQueryError(400, 'Throttling', 'Rate exceeded');
  if (status === 503)
    return new AwsQueryError(503, 'ServiceUnavailable', 'Service is unavailable (sandbox fault)');
  if (status >= 500)
    return new AwsQueryError(status, 'InternalFailure', 'We encountered an internal error (sandbox fault)');
  return new AwsQueryError(status, 'ValidationError', 'sandbox fault');
}

/** Serves one Query-protocol service: faults first (they never reach a credential), then SigV4, then the action. */
export async function serveQuery(
  req: HttpRequest,
  spec: QueryService,
  auth: AwsAuthContext,
  faults: FaultInjector | undefined,
): Promise<HttpResponse> {
  const faulted = await applyFault(faults, spec.service, (status) =>
    errorXml(spec.namespace, faultError(status)),
  );
  if (faulted) return faulted;
  try {
    if (req.method.toUpperCase() !== 'POST' && req.method.toUpperCase() !== 'GET')
      throw new AwsQueryError(405, 'InvalidAction', 'use POST');
    const params = new Map<string, string>(req.query.entries());
    for (const [key, value] of new URLSearchParams(req.body).entries()) params.set(key, value);
    const action = params.get('Action') ?? '';
    const handler = spec.actions[action];
    if (!handler)
      throw new AwsQueryError(
        400,
        'InvalidAction',
        `Could not find operation ${action} for version ${spec.version}`,
      );
    let principal: AwsPrincipal;
    try {
      principal = authenticate(req, spec.service, auth);
    } catch (error) {
      if (error instanceof AwsAuthError) throw new AwsQueryError(error.status, error.code, error.message);
      throw error;
    }
    const result = handler(params, principal);
    const requestId = randomUUID();
    const body = `<${action}Response xmlns="${spec.namespace}">${result ? `<${action}Result>${toXml(result)}</${action}Result>` : ''}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
    return xmlResponse(200, body, requestId);
  } catch (error) {
    if (error instanceof AwsQueryError) return errorXml(spec.namespace, error);
    throw error;
  }
}
