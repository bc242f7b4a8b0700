/**
 * Authentication for the sandbox's AWS stand-ins, as AWS does it: the SigV4 `Authorization` header
 * names the signing access key id; the stand-in finds the principal behind it (leakstop's own local
 * credentials, a role session the STS stand-in issued, or a registered IAM user key), recomputes
 * the signature with that principal's secret and rejects what does not match:
 *   unknown, deactivated or deleted key → 403 InvalidClientTokenId
 *   right key, wrong secret            → 403 SignatureDoesNotMatch
 *   expired or unknown session token   → 403 ExpiredToken / InvalidClientTokenId
 * Other AWS stand-ins (CloudTrail, Logs, …) can authenticate with the same function.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { HttpRequest } from '../http.ts';
import type { CredentialRegistry, SandboxCredential } from './credentials.ts';

/** leakstop's own credentials in a local run (emulators.ts LOCAL_AWS): the security account's role. */
export const LEAKSTOP_LOCAL_PRINCIPAL = {
  accessKeyId: 'local',
  secretAccessKey: 'local',
  account: '000000000000',
  arn: 'arn:aws:sts::000000000000:assumed-role/leakstop-contain/local',
} as const;

export type AwsPrincipal =
  | { readonly kind: 'leakstop'; readonly account: string; readonly arn: string; readonly userId: string }
  | {
      readonly kind: 'role';
      readonly account: string;
      readonly arn: string;
      readonly userId: string;
      readonly roleName: string;
    }
  | {
      readonly kind: 'user';
      readonly account: string;
      readonly arn: string;
      readonly userId: string;
      readonly credential: SandboxCredential;
    };

export class AwsAuthError extends Error {
  constructor(
    readonly code:
      | 'InvalidClientTokenId'
      | 'SignatureDoesNotMatch'
      | 'ExpiredToken'
      | 'MissingAuthenticationToken'
      | 'IncompleteSignature',
    message: string,
  ) {
    super(message);
  }
  get status(): number {
    return this.code === 'MissingAuthenticationToken' || this.code === 'IncompleteSignature' ? 400 : 403;
  }
}

export interface RoleSession {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: number;
  readonly account: string;
  readonly roleName: string;
  readonly sessionName: string;
}

/** Role sessions issued by the STS stand-in, by access key id. */
export class RoleSessions {
  private readonly sessions = new Map<string, RoleSession>();

  issue(
    account: string,
    roleName: string,
    sessionName: string,
    durationSeconds: number,
    now: Date,
  ): RoleSession {
    const session: RoleSession = {
      accessKeyId: `ASIA${base32(16)}`,
      secretAccessKey: randomBytes(30).toString('base64').slice(0, 40),
      sessionToken: `FwoGZXIvYXdzE${randomBytes(48).toString('base64')}`,
      expiration: now.getTime() + durationSeconds * 1000,
      account,
      roleName,
      sessionName,
    };
    this.sessions.set(session.accessKeyId, session);
    return session;
  }

  get(accessKeyId: string): RoleSession | undefined {
    return this.sessions.get(accessKeyId);
  }
}

function base32(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return Array.from(randomBytes(length), (b) => alphabet[b % 32]).join('');
}

interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

export function parseAuthorization(header: string | undefined): ParsedAuthorization {
  if (!header)
    throw new AwsAuthError('MissingAuthenticationToken', 'Request is missing Authentication Token');
  const match =
    /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(
      header.trim(),
    );
  if (!match)
    throw new AwsAuthError(
      'IncompleteSignature',
      'Authorization header requires Credential, SignedHeaders and Signature',
    );
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match as unknown as string[];
  return {
    accessKeyId: accessKeyId!,
    date: date!,
    region: region!,
    service: service!,
    signedHeaders: signedHeaders!.split(';'),
    signature: signature!,
  };
}

/** RFC 3986 encoding as SigV4 wants it. */
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The canonical path as the SDK's signer builds it (normalised, then URI-encoded once more). */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

function canonicalQuery(query: URLSearchParams): string {
  return [...query.entries()]
    .filter(([key]) => key.toLowerCase() !== 'x-amz-signature')
    .map(([key, value]) => [escapeUri(key), escapeUri(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');

/** The signature the request should carry if signed with `secret`. */
export function expectedSignature(req: HttpRequest, auth: ParsedAuthorization, secret: string): string {
  const amzDate = req.headers['x-amz-date'] ?? '';
  const headers = auth.signedHeaders
    .map((name) => `${name}:${(req.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const payloadHash = req.headers['x-amz-content-sha256'] ?? sha256(req.body);
  const canonicalRequest = [
    req.method.toUpperCase(),
    canonicalPath(req.path),
    canonicalQuery(req.query),
    headers,
    auth.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, auth.date), auth.region), auth.service), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}

export interface AwsAuthContext {
  readonly registry: CredentialRegistry;
  readonly sessions: RoleSessions;
  readonly now: () => Date;
}

/**
 * Who signed the request. The principal behind a registered key is only returned while the key is
 * live; every authenticated use of it is recorded as its last use (IAM's GetAccessKeyLastUsed).
 */
export function authenticate(req: HttpRequest, service: string, context: AwsAuthContext): AwsPrincipal {
  const auth = parseAuthorization(req.headers.authorization);
  const invalid = () =>
    new AwsAuthError('InvalidClientTokenId', 'The security token included in the request is invalid.');
  const verify = (secret: string) => {
    if (expectedSignature(req, auth, secret) !== auth.signature)
      throw new AwsAuthError(
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      );
  };

  if (auth.accessKeyId === LEAKSTOP_LOCAL_PRINCIPAL.accessKeyId) {
    verify(LEAKSTOP_LOCAL_PRINCIPAL.secretAccessKey);
    return {
      kind: 'leakstop',
      account: LEAKSTOP_LOCAL_PRINCIPAL.account,
      arn: LEAKSTOP_LOCAL_PRINCIPAL.arn,
      userId: 'AROALEAKSTOPLOCAL:local',
    };
  }
  const session = context.sessions.get(auth.accessKeyId);
  if (session) {
    if (req.headers['x-amz-security-token'] !== session.sessionToken) throw invalid();
    if (session.expiration <= context.now().getTime())
      throw new AwsAuthError('ExpiredToken', 'The security token included in the request is expired');
    verify(session.secretAccessKey);
    return {
      kind: 'role',
      account: session.account,
      roleName: session.roleName,
      arn: `arn:aws:sts::${session.account}:assumed-role/${session.roleName}/${session.sessionName}`,
      userId: `AROA${session.accessKeyId.slice(4, 16)}:${session.sessionName}`,
    };
  }
  const credential = context.registry.find(auth.accessKeyId);
  if (!credential || credential.provider !== 'aws' || !credential.live || !credential.account)
    throw invalid();
  verify(credential.secret ?? '');
  context.registry.used(credential, service);
  return {
    kind: 'user',
    account: credential.account,
    arn: `arn:aws:iam::${credential.account}:user/${credential.owner}`,
    userId: `AIDA${createHash('sha256').update(credential.owner).digest('hex').slice(0, 16).toUpperCase()}`,
    credential,
  };
}
