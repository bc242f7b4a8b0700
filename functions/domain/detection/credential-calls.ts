/**
 * Calls in source code (and notebooks and logs) whose argument is a credential by its position, with no key name beside
 * it:
 * - database clients that take the password third: PHP's `new PDO($dsn, 'user', '…')`,
 *   `mysqli_connect('host', 'user', '…')` and `new mysqli(…)`, Java's
 *   `DriverManager.getConnection(url, "user", "…")`, and the same PDO call as a PHP stack trace
 *   prints it in a log (`PDO->__construct('mysql:…', 'user', '…', Array)`);
 * - basic-auth credentials kept base64-encoded and decoded where used: Swift's
 *   `Data(base64Encoded: "…")`, Python's `base64.b64decode("…")`, Java's
 *   `Base64.getDecoder().decode("…")`, .NET's `Convert.FromBase64String("…")`,
 *   when the literal decodes to `user:password`.
 */
import { judgeBarePassword, printableBase64 } from './generic.ts';
import type { Hit } from './model.ts';
import { GENERIC_PASSWORD, makeHit, PRIORITY, valueHit } from './model.ts';

const THIRD_ARGUMENT = String.raw`\s*\(\s*(["'])[^"'\n]*\1\s*,\s*(["'])[^"'\n]*\2\s*,\s*(["'])([^"'\n]+)\3`;
/** Each client's call, for the source files of its language (chosen by path: no pass over other texts). */
const CONNECT_CALLS: ReadonlyArray<{ path: RegExp; call: RegExp }> = [
  {
    path: /\.(?:php|phtml|inc)$/i,
    call: new RegExp(String.raw`(?:\bnew\s+\\?PDO|\bmysqli_connect|\bnew\s+mysqli)${THIRD_ARGUMENT}`, 'g'),
  },
  // PHP stack traces print the arguments: `PDO->__construct('mysql:…', 'user', '…', Array)` in a log.
  { path: /\.log(?:\.\d+)?$/i, call: new RegExp(String.raw`\bPDO->__construct${THIRD_ARGUMENT}`, 'g') },
  {
    path: /\.(?:java|kt|kts|scala|groovy|gradle)$/i,
    call: new RegExp(String.raw`\bDriverManager\.getConnection${THIRD_ARGUMENT}`, 'g'),
  },
];

const DECODE_CALL =
  /(?:base64Encoded:|b64decode\(|getDecoder\(\)\.decode\(|FromBase64String\()\s*\\?(["'])([A-Za-z0-9+/]{12,}={0,2})\\?\1/g;

const USERNAME = /^[\w.@+-]{1,64}$/;

export function matchCredentialCalls(text: string, path: string, hits: Hit[]): void {
  for (const { path: language, call } of CONNECT_CALLS)
    if (language.test(path)) matchConnectCalls(text, call, hits);
  // Every decoder named here but atob has `64` in its name or class (`Base64.getDecoder()`).
  if (text.includes('64')) matchDecodedBasicAuth(text, hits);
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
        ...GENERIC_PASSWORD,
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

function matchConnectCalls(text: string, re: RegExp, hits: Hit[]): void {
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const password = m[4] as string;
    if (!judgeBarePassword(password)) continue;
    hits.push(
      valueHit(
        GENERIC_PASSWORD,
        m.index + m[0].length - 1 - password.length,
        password,
        'medium',
        PRIORITY.generic,
      ),
    );
  }
}
