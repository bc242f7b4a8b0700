/**
 * The GitHub stand-in's App identity and token checks, as GitHub does them:
 * - the App signs a JWT (RS256, `iss` = App id, `exp` at most 10 minutes ahead) with its private key;
 *   the stand-in verifies it with the App's public key against the machine clock (the clock the JWT
 *   was signed with), and only a valid one buys an installation token;
 * - an installation token (`ghs_…`) is valid until its `expires_at` (1 hour by default, on the
 *   stand-in's own clock); an expired or unknown token gets 401 Bad credentials.
 * The key pair is made once per process (RSA keygen takes a few hundred milliseconds) and never leaves it.
 */
import { createPublicKey, createVerify, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';

export interface SandboxAppIdentity {
  readonly id: number;
  readonly slug: string;
  /** PKCS#1 PEM, the format GitHub issues App keys in. */
  readonly privateKey: string;
}

const APP_ID = 900_001;
let identity: (SandboxAppIdentity & { readonly publicKey: KeyObject }) | undefined;

export function sandboxApp(): SandboxAppIdentity & { readonly publicKey: KeyObject } {
  if (!identity) {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    identity = { id: APP_ID, slug: 'leakstop', privateKey, publicKey: createPublicKey(privateKey) };
  }
  return identity;
}

/** GitHub's messages for the JWT problems auth-app knows how to react to. */
const JWT_UNDECODABLE = 'A JSON web token could not be decoded';
const JWT_EXP_TOO_FAR = "'Expiration time' claim ('exp') is too far in the future";
const JWT_EXPIRED =
  "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
const JWT_IAT_INVALID =
  "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued";

function bearer(authorization: string | undefined): string | undefined {
  const match = /^(?:bearer|token)\s+(\S+)$/i.exec(authorization ?? '');
  return match?.[1];
}

/** Why a JWT is refused, or undefined when it is valid for the App. */
export function jwtProblem(authorization: string | undefined, app = sandboxApp()): string | undefined {
  const jwt = bearer(authorization);
  const parts = jwt?.split('.') ?? [];
  if (parts.length !== 3) return JWT_UNDECODABLE;
  const [header, payload, signature] = parts as [string, string, string];
  let claims: { iat?: unknown; exp?: unknown; iss?: unknown };
  try {
    const head = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown };
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    if (head.alg !== 'RS256') return JWT_UNDECODABLE;
  } catch {
    return JWT_UNDECODABLE;
  }
  const verifier = createVerify('RSA-SHA256');
  verifier.update(`${header}.${payload}`);
  if (!verifier.verify(app.publicKey, Buffer.from(signature, 'base64url'))) return JWT_UNDECODABLE;
  if (String(claims.iss) !== String(app.id)) return JWT_UNDECODABLE;
  const now = Math.floor(Date.now() / 1000);
  if (!Number.isInteger(claims.iat) || (claims.iat as number) > now + 60) return JWT_IAT_INVALID;
  if (!Number.isInteger(claims.exp) || (claims.exp as number) <= now) return JWT_EXPIRED;
  if ((claims.exp as number) > now + 600 + 60) return JWT_EXP_TOO_FAR;
  return undefined;
}

export interface IssuedToken {
  readonly installationId: number;
  readonly issuedAt: string;
  readonly expiresAt: string;
}

/** Installation tokens the stand-in issued, and the check of a request's `Authorization` header. */
export class InstallationTokens {
  private readonly tokens = new Map<string, { installationId: number; expiresAt: number }>();
  private readonly log: IssuedToken[] = [];

  constructor(
    private readonly now: () => Date,
    private readonly lifetimeMs: number,
  ) {}

  issue(installationId: number): { token: string; expiresAt: Date } {
    const token = `ghs_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'x').slice(0, 36)}`;
    const issued = this.now();
    const expiresAt = new Date(issued.getTime() + this.lifetimeMs);
    this.tokens.set(token, { installationId, expiresAt: expiresAt.getTime() });
    this.log.push({ installationId, issuedAt: issued.toISOString(), expiresAt: expiresAt.toISOString() });
    return { token, expiresAt };
  }

  /** `anonymous` without a header, `installation` for a live token, `invalid` for anything else. */
  check(authorization: string | undefined): 'anonymous' | 'installation' | 'invalid' {
    if (authorization === undefined || authorization === '') return 'anonymous';
    const token = bearer(authorization);
    const known = token ? this.tokens.get(token) : undefined;
    if (!known || known.expiresAt <= this.now().getTime()) return 'invalid';
    return 'installation';
  }

  issued(): readonly IssuedToken[] {
    return [...this.log];
  }
}
