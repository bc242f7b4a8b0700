/**
 * Calls in source code whose argument is a credential by its position, with no key name beside
 * it:
 * - database clients that take the password third: PHP's `new PDO($dsn, 'user', '…')`,
 *   `mysqli_connect('host', 'user', '…')` and `new mysqli(…)`, Java's
 *   `DriverManager.getConnection(url, "user", "…")`;
 * - basic-auth credentials kept base64-encoded and decoded where used: Swift's
 *   `Data(base64Encoded: "…")`, Python's `base64.b64decode("…")`, Java's
 *   `Base64.getDecoder().decode("…")`, `atob("…")`, .NET's `Convert.FromBase64String("…")`,
 *   when the literal decodes to `user:password`.
 */
import { judgeBarePassword, printableBase64 } from './generic.ts';
import type { Hit } from './model.ts';
import { makeHit, PRIORITY, valueHit } from './model.ts';

const CONNECT_CALL =
  /(?:\bnew\s+\\?PDO|\bmysqli_connect|\bnew\s+mysqli|\bDriverManager\.getConnection)\s*\(\s*(["'])[^"'\n]*\1\s*,\s*(["'])[^"'\n]*\2\s*,\s*(["'])([^"'\n]+)\3/g;

const PASSWORD = { type: 'generic_password', provider: 'generic', revocable: false };

const DECODE_CALL =
  /(?:base64Encoded:|b64decode\(|getDecoder\(\)\.decode\(|\batob\(|FromBase64String\()\s*\\?(["'])([A-Za-z0-9+/]{12,}={0,2})\\?\1/g;

const USERNAME = /^[\w.@+-]{1,64}$/;

export function matchCredentialCalls(text: string, hits: Hit[]): void {
  matchConnectCalls(text, hits);
  matchDecodedBasicAuth(text, hits);
}

function matchDecodedBasicAuth(text: string, hits: Hit[]): void {
  const re = DECODE_CALL;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const encoded = m[2] as string;
    const decoded = printableBase64(encoded);
    const colon = decoded?.indexOf(':') ?? -1;
    if (!decoded || colon <= 0 || !USERNAME.test(decoded.slice(0, colon))) continue;
    if (!judgeBarePassword(decoded.slice(colon + 1))) continue;
    const start = m.index + m[0].lastIndexOf(encoded);
    hits.push(
      makeHit({
        ...PASSWORD,
        start,
        end: start + encoded.length,
        secret: decoded,
        identity: decoded,
        preview: { value: decoded.slice(colon + 1), prefix: '' },
        confidence: 'medium',
        priority: PRIORITY.generic,
        attributes: { encoding: 'base64' },
      }),
    );
  }
}

function matchConnectCalls(text: string, hits: Hit[]): void {
  if (!text.includes('PDO') && !text.includes('mysqli') && !text.includes('getConnection')) return;
  const re = CONNECT_CALL;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const password = m[4] as string;
    if (!judgeBarePassword(password)) continue;
    hits.push(
      valueHit(PASSWORD, m.index + m[0].length - 1 - password.length, password, 'medium', PRIORITY.generic),
    );
  }
}
