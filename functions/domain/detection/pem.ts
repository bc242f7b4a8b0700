/**
 * Private keys: PEM blocks (RSA, EC, DSA, OpenSSH, PKCS#8, PGP), also when embedded in a JSON
 * or code string with `\n` escapes, GCP service-account key files (a PKCS#8 key inside a
 * `"type": "service_account"` JSON object) and PuTTY key files. Public keys and certificates
 * never match (only `PRIVATE KEY` headers do); a header without a key body (parsers, docs,
 * `...` elisions) does not count.
 */
import { createHash } from 'node:crypto';
import { longestRun, shannonEntropy } from './heuristics.ts';
import type { Hit } from './model.ts';
import { makeHit, PRIORITY, withHit } from './model.ts';
import { openSshCipher } from './tokens.ts';

const BEGIN = /-----BEGIN ((?:RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----/y;
const TYPES: Record<string, string> = {
  'RSA ': 'rsa_private_key',
  'EC ': 'ec_private_key',
  'DSA ': 'dsa_private_key',
  'OPENSSH ': 'openssh_private_key',
  'ENCRYPTED ': 'pkcs8_private_key',
  'PGP ': 'pgp_private_key',
  '': 'pkcs8_private_key',
};

/** How far a key body may run; a 16384-bit RSA key is ~12 KB of base64. */
const MAX_BODY = 16_000;

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

export function matchPrivateKey(text: string, at: number): Hit | undefined {
  BEGIN.lastIndex = at;
  const m = BEGIN.exec(text);
  if (!m) return undefined;
  const kind = m[1] ?? '';
  const headerEnd = at + m[0].length;
  if (!bodyFollows(text, headerEnd)) return undefined;
  const endMarker = `-----END ${kind}PRIVATE KEY${m[2] ?? ''}-----`;
  // Look for the END marker only as far as a key body can run (a file of headers must not go quadratic).
  const window = text.slice(headerEnd, headerEnd + MAX_BODY + endMarker.length);
  const rel = window.indexOf(endMarker);
  let endAt = rel < 0 ? -1 : headerEnd + rel;
  let blockEnd: number;
  const closed = endAt >= 0;
  if (!closed) {
    // No END marker (a truncated paste or diff): accept only a substantial base64 body.
    endAt = Math.min(text.length, headerEnd + MAX_BODY);
    blockEnd = endAt;
  } else {
    blockEnd = endAt + endMarker.length;
  }
  const { body, headers } = keyBody(text.slice(headerEnd, endAt));
  // An Ed25519 PKCS#8 key is 64 base64 characters; without an END marker ask for more.
  if (body.length < (closed ? 40 : 200)) return undefined;
  // DER is full of short zero runs (`AAAAAAAB`); long runs and low entropy mean a placeholder.
  if (longestRun(body) >= 24 || shannonEntropy(body) < (body.length < 200 ? 4.0 : 4.5)) return undefined;
  const attributes: Record<string, string | number | boolean> = { encrypted: false };
  if (kind === 'ENCRYPTED ' || /Proc-Type:\s*4,\s*ENCRYPTED/.test(headers)) attributes.encrypted = true;
  if (kind === 'OPENSSH ') {
    const cipher = openSshCipher(body);
    if (cipher === undefined) return undefined;
    if (cipher !== 'none') {
      attributes.encrypted = true;
      attributes.cipher = cipher;
    }
  }
  const pem = normalizePem(text.slice(at, blockEnd));
  const base = makeHit({
    type: TYPES[kind] ?? 'pkcs8_private_key',
    provider: 'crypto',
    revocable: false,
    start: at,
    end: headerEnd,
    secret: pem,
    identity: `${TYPES[kind] ?? 'pkcs8_private_key'}:${sha256(body)}`,
    preview: { value: body, prefix: m[0] },
    confidence: attributes.encrypted ? 'medium' : 'high',
    priority: PRIORITY.specific,
    attributes,
  });
  return kind === '' ? (serviceAccount(text, at, base) ?? base) : base;
}

/**
 * A PKCS#8 key that is the `private_key` of a GCP service-account JSON object becomes one
 * finding for the key file: the vault gets the whole JSON (that is what authenticates), the
 * identity is the account and key id.
 */
function serviceAccount(text: string, at: number, key: Hit): Hit | undefined {
  const lead = text.slice(Math.max(0, at - 40), at);
  if (!/["']private_key["']\s*:\s*["']$/.test(lead)) return undefined;
  const from = Math.max(0, at - 4000);
  const window = text.slice(from, Math.min(text.length, at + MAX_BODY));
  if (!/["']type["']\s*:\s*["']service_account["']/.test(window)) return undefined;
  const json = enclosingJson(text, at, from);
  const account = json && typeof json.client_email === 'string' ? json.client_email : undefined;
  const keyId = json && typeof json.private_key_id === 'string' ? json.private_key_id : undefined;
  return withHit(key, {
    type: 'gcp_service_account_key',
    provider: 'gcp',
    secret: json ? JSON.stringify(json) : key.secret,
    identity: account && keyId ? `gcp_service_account_key:${account}:${keyId}` : key.identity,
    attributes: { ...key.attributes, ...(account ? { account } : {}) },
  });
}

/** The JSON object that contains offset `at`, parsed, or undefined. */
function enclosingJson(text: string, at: number, limit: number): Record<string, unknown> | undefined {
  let open = at;
  for (let tries = 0; tries < 4; tries++) {
    open = text.lastIndexOf('{', open - 1);
    if (open < limit) return undefined;
    const close = matchingBrace(text, open);
    if (close < at) continue;
    try {
      const parsed = JSON.parse(text.slice(open, close + 1)) as unknown;
      if (
        parsed &&
        typeof parsed === 'object' &&
        (parsed as Record<string, unknown>).type === 'service_account'
      )
        return parsed as Record<string, unknown>;
    } catch {
      // Not JSON from this brace (a template, a comment): try an outer one.
    }
  }
  return undefined;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  let inString = false;
  const limit = Math.min(text.length, open + 40_000);
  for (let i = open; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */) depth++;
    else if (c === 125 /* } */ && --depth === 0) return i;
  }
  return -1;
}

/**
 * What may follow a key line in source: quotes, spaces, `,` `;`, and a `+` joining strings — only
 * after a quote or a space (`"MIIE…" +`): a `+` right after base64 is the body's own last character.
 */
const LINE_END = /(?:[\s"'`,;]|(?<=[\s"'`])\+)+$/;

/**
 * A PEM line a patch file removes: `-` before its base64 (a key body line never starts with `-`).
 * The file still holds the key: a `.patch` in a repository is scanned as text, every line counts.
 */
const DIFF_REMOVED = /^-(?=[A-Za-z0-9+/]|-----END )/;

/** A CI log's line timestamp (GitHub Actions: `2024-09-04T02:31:50.9460009Z `), printed before each line of an echoed key. */
const LOG_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z[ \t]+/;

/**
 * Cheap check before any search: the first line after the header (past `\n` escapes, quotes and
 * string concatenation) is base64 or a PEM header (`Proc-Type: …`). Parsers, docs and files
 * full of bare headers stop here.
 */
function bodyFollows(text: string, headerEnd: number): boolean {
  const head = text
    .slice(headerEnd, headerEnd + 200)
    .replace(/\\r|\\n|\\t/g, '\n')
    .replace(/^[\s"'`+,;\\]+/, '')
    .replace(LOG_TIMESTAMP, '')
    .replace(DIFF_REMOVED, '');
  return /^(?:[A-Za-z0-9+/=]{16}|[A-Za-z-]+:)/.test(head);
}

/** The base64 of a key body, with escapes, quotes, string concatenation and PEM headers removed. */
function keyBody(raw: string): { body: string; headers: string } {
  let headers = '';
  let body = '';
  const unescaped = raw.replace(/\\r|\\n|\\t/g, '\n');
  for (const line of unescaped.split('\n')) {
    // Quotes, commas and `+` around each line, spaces between them: `  , "MIIE…"` in a
    // Haskell or Elm list, `"MIIE…\\n" +` in Java.
    // Zig's multi-line string lines start `\\`.
    const trimmed = line
      .replace(/^[\s"'`+,]+/, '')
      .replace(LOG_TIMESTAMP, '')
      .replace(LINE_END, '')
      .replace(/^\\\\|\\$/g, '')
      .trim()
      .replace(DIFF_REMOVED, '');
    if (trimmed === '') continue;
    if (/^[A-Za-z-]+:/.test(trimmed)) {
      headers += `${trimmed}\n`;
      continue;
    }
    // The body starts right after the header lines; anything else first means there is no key here.
    if (!/^[A-Za-z0-9+/=]+$/.test(trimmed)) break;
    body += trimmed;
  }
  return { body, headers };
}

/** A PEM with real newlines, so the vault holds a usable key whatever escaping the file used. */
function normalizePem(block: string): string {
  return block
    .replace(/\\r\\n|\\n/g, '\n')
    .split('\n')
    .map((l) =>
      l
        .replace(/^[\s"'`+,]+/, '')
        .replace(LOG_TIMESTAMP, '')
        .replace(LINE_END, '')
        .replace(/^\\\\/, '')
        .replace(DIFF_REMOVED, ''),
    )
    .filter((l) => l !== '')
    .join('\n');
}

const OPENVPN_BEGIN = /-----BEGIN OpenVPN Static key V1-----/y;
const OPENVPN_END = '-----END OpenVPN Static key V1-----';

/**
 * OpenVPN's static key (`openvpn --genkey`: a `ta.key` file, or inline in a `.ovpn` profile's
 * `<tls-auth>`/`<tls-crypt>`): 256 random bytes as 16 lines of hex. It passes the tunnel's HMAC
 * firewall, and in a static-key tunnel (`secret`) it decrypts the traffic.
 */
export function matchOpenVpnStaticKey(text: string, at: number): Hit | undefined {
  OPENVPN_BEGIN.lastIndex = at;
  if (!OPENVPN_BEGIN.exec(text)) return undefined;
  const headerEnd = OPENVPN_BEGIN.lastIndex;
  const rel = text.slice(headerEnd, headerEnd + 2000).indexOf(OPENVPN_END);
  if (rel < 0) return undefined;
  const body = text.slice(headerEnd, headerEnd + rel).replace(/\\r|\\n|[\s"',+]/g, '');
  if (!/^[0-9a-f]{512}$/i.test(body) || longestRun(body) >= 8 || shannonEntropy(body) < 3.5) return undefined;
  return makeHit({
    type: 'openvpn_static_key',
    provider: 'openvpn',
    revocable: false,
    start: at,
    end: headerEnd,
    secret: normalizePem(text.slice(at, headerEnd + rel + OPENVPN_END.length)),
    identity: `openvpn_static_key:${sha256(body.toLowerCase())}`,
    preview: { value: body, prefix: '-----BEGIN OpenVPN Static key V1----- ' },
    confidence: 'high',
    priority: PRIORITY.specific,
    attributes: {},
  });
}

const PUTTY = /PuTTY-User-Key-File-[23]: ([a-z0-9-]+)/y;

export function matchPuttyKey(text: string, at: number): Hit | undefined {
  PUTTY.lastIndex = at;
  const m = PUTTY.exec(text);
  if (!m) return undefined;
  const window = text.slice(at, at + 12_000);
  const priv = /Private-Lines: (\d+)\r?\n((?:[A-Za-z0-9+/=]+\r?\n?){1,200})/.exec(window);
  if (!priv || !priv[2] || priv[2].replace(/\s/g, '').length < 40) return undefined;
  const encryption = /Encryption: ([a-z0-9-]+)/.exec(window)?.[1] ?? 'none';
  const body = priv[2].replace(/\s/g, '');
  if (shannonEntropy(body) < 4.0) return undefined;
  return makeHit({
    type: 'putty_private_key',
    provider: 'crypto',
    revocable: false,
    start: at,
    end: at + m[0].length,
    secret: window.slice(0, (priv.index ?? 0) + priv[0].length).trimEnd(),
    identity: `putty_private_key:${sha256(body)}`,
    preview: { value: body, prefix: 'PuTTY-User-Key-File ' },
    confidence: encryption === 'none' ? 'high' : 'medium',
    priority: PRIORITY.specific,
    attributes: { encrypted: encryption !== 'none', algorithm: m[1] ?? '' },
  });
}

/** The private member of a JSON Web Key: `"d"` (RSA, EC, OKP private exponent or scalar), base64url. */
const JWK_D = /(?:^|[\s{,"'])d["']?\s*:\s*["']([A-Za-z0-9_-]{32,})["']/;
const JWK_KTY = /kty["']?\s*:\s*["'](RSA|EC|OKP)["']/y;

/**
 * A private JSON Web Key (RFC 7517/7518): an object with `"kty"` and the private member `"d"`.
 * A public JWK (`n`/`e`, or `x`/`y`, no `d`) and a symmetric `oct` key's `k` are not reported
 * here. `at` is the position of `kty`; the object is the braces around it.
 */
export function matchJwkPrivateKey(text: string, at: number): Hit | undefined {
  JWK_KTY.lastIndex = at;
  const kty = JWK_KTY.exec(text);
  if (!kty) return undefined;
  const open = text.lastIndexOf('{', at);
  if (open < 0 || at - open > 4000) return undefined;
  const close = text.indexOf('}', at);
  if (close < 0 || close - at > 8000) return undefined;
  const object = text.slice(open, close);
  const d = JWK_D.exec(object);
  const value = d?.[1];
  if (!d || !value || shannonEntropy(value) < 4.0 || longestRun(value) >= 8) return undefined;
  const start = open + (d.index ?? 0) + d[0].length - value.length - 1;
  return makeHit({
    type: 'jwk_private_key',
    provider: 'crypto',
    revocable: false,
    start,
    end: start + value.length,
    secret: text.slice(open, close + 1),
    identity: `jwk_private_key:${sha256(value)}`,
    preview: { value, prefix: '' },
    confidence: 'high',
    priority: PRIORITY.specific,
    attributes: { keyType: kty[1] ?? '' },
  });
}

/** `-----BEGIN ` in base64 at any of the three alignments a value can start with. */
export const ENCODED_PEM_ANCHOR = 'LS0tLS1CRUdJTi';
const BASE64_RUN = /[A-Za-z0-9+/]{40,24000}={0,2}/y;

/**
 * A PEM private key stored base64-encoded: a kubeconfig's `client-key-data`, a Kubernetes TLS
 * Secret's `tls.key`, an environment variable. The finding is on the encoded value; the vault
 * gets the decoded PEM, which is what a key is used as. Certificates decode to no private key.
 */
export function matchEncodedPrivateKey(text: string, at: number): Hit | undefined {
  BASE64_RUN.lastIndex = at;
  const m = BASE64_RUN.exec(text);
  if (!m) return undefined;
  const decoded = Buffer.from(m[0], 'base64').toString('latin1');
  const inner = decoded.startsWith('-----BEGIN ') ? matchPrivateKey(decoded, 0) : undefined;
  if (!inner) return undefined;
  return withHit(inner, {
    start: at,
    end: at + m[0].length,
    preview: { value: m[0], prefix: '' },
    attributes: { ...inner.attributes, encoding: 'base64' },
  });
}
