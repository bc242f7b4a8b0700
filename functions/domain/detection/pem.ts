/**
 * Private keys: PEM blocks (RSA, EC, DSA, OpenSSH, PKCS#8, PGP), also when embedded in a JSON
 * or code string with `\n` escapes, and PuTTY key files. Public keys and certificates never
 * match (only `PRIVATE KEY` headers do); a header without a key body (parsers, docs) does not
 * count.
 */
import { createHash } from 'node:crypto';
import { longestRun, shannonEntropy } from './heuristics.ts';
import type { Hit } from './model.ts';
import { PRIORITY } from './model.ts';
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

export function matchPrivateKey(text: string, at: number): Hit | undefined {
  BEGIN.lastIndex = at;
  const m = BEGIN.exec(text);
  if (!m) return undefined;
  const kind = m[1] ?? '';
  const headerEnd = at + m[0].length;
  const endMarker = `-----END ${kind}PRIVATE KEY${m[2] ?? ''}-----`;
  let endAt = text.indexOf(endMarker, headerEnd);
  let blockEnd: number;
  if (endAt < 0 || endAt - headerEnd > MAX_BODY) {
    // No END marker (a truncated paste or diff): accept only a substantial base64 body.
    endAt = Math.min(text.length, headerEnd + MAX_BODY);
    blockEnd = endAt;
  } else {
    blockEnd = endAt + endMarker.length;
  }
  const raw = text.slice(headerEnd, endAt);
  const { body, headers } = keyBody(raw);
  const minBody = endAt === blockEnd ? 400 : 64;
  // DER is full of zero runs (`AAAAAAAAAAAB`), so look only for long runs and low entropy.
  if (body.length < minBody || longestRun(body) >= 24 || shannonEntropy(body) < 4.5) return undefined;
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
  const type = TYPES[kind] ?? 'pkcs8_private_key';
  const secret = normalizePem(text.slice(at, blockEnd));
  return {
    type,
    provider: 'crypto',
    revocable: false,
    start: at,
    end: headerEnd,
    secret,
    identity: `${type}:${createHash('sha256').update(body).digest('hex')}`,
    preview: { value: body, prefix: m[0] },
    confidence: attributes.encrypted ? 'medium' : 'high',
    priority: PRIORITY.specific,
    attributes,
  };
}

/** The base64 of a key body, with escapes, quotes, string concatenation and PEM headers removed. */
function keyBody(raw: string): { body: string; headers: string } {
  let headers = '';
  let body = '';
  const unescaped = raw.replace(/\\r|\\n|\\t/g, '\n');
  for (const line of unescaped.split('\n')) {
    const trimmed = line
      .trim()
      .replace(/^["'`+,]+|["'`+,;]+$/g, '')
      .replace(/\\$/, '')
      .trim();
    if (trimmed === '') continue;
    if (/^[A-Za-z-]+:/.test(trimmed)) {
      headers += `${trimmed}\n`;
      continue;
    }
    if (!/^[A-Za-z0-9+/=]+$/.test(trimmed)) {
      // A non-base64 line inside the block (a PGP checksum `=abcd` is base64-ish and fine).
      if (body.length > 0) break;
      continue;
    }
    body += trimmed;
  }
  return { body, headers };
}

/** A PEM with real newlines, so the vault holds a usable key whatever escaping the file used. */
function normalizePem(block: string): string {
  return block
    .replace(/\\r\\n|\\n/g, '\n')
    .split('\n')
    .map((l) => l.trim().replace(/^["'`+,]+|["'`+,;]+$/g, ''))
    .filter((l) => l !== '')
    .join('\n');
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
  return {
    type: 'putty_private_key',
    provider: 'crypto',
    revocable: false,
    start: at,
    end: at + m[0].length,
    secret: window.slice(0, (priv.index ?? 0) + priv[0].length).trimEnd(),
    identity: `putty_private_key:${createHash('sha256').update(body).digest('hex')}`,
    preview: { value: body, prefix: 'PuTTY-User-Key-File ' },
    confidence: encryption === 'none' ? 'high' : 'medium',
    priority: PRIORITY.specific,
    attributes: { encrypted: encryption !== 'none', algorithm: m[1] ?? '' },
  };
}
