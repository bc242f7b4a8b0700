/**
 * Credentials an issuer defines as a pair: Twilio's REST API takes the account SID (`AC` + 32
 * hex) or an API key SID (`SK` + 32 hex) as the user and the auth token (32 hex) or API key
 * secret (32 alphanumerics) as the password. The SID alone is not secret; written next to its
 * secret, the two are one credential: in `https://AC…:…@api.twilio.com`, `curl -u AC…:…`, and
 * as a client's first two arguments, `Client("AC…", "…")`.
 */
import { looksLikePlaceholder, shannonEntropy } from './heuristics.ts';
import type { Hit } from './model.ts';
import { makeHit, PRIORITY } from './model.ts';

/** The kind of a user/password pair an issuer defines, or undefined. */
export function issuerOfUserinfo(
  user: string,
  password: string,
): { type: string; provider: string } | undefined {
  if (/^AC[0-9a-f]{32}$/.test(user) && /^[0-9a-f]{32}$/.test(password))
    return { type: 'twilio_auth_token', provider: 'twilio' };
  if (/^SK[0-9a-f]{32}$/.test(user) && /^[A-Za-z0-9]{32}$/.test(password) && shannonEntropy(password) >= 3.5)
    return { type: 'twilio_api_key_secret', provider: 'twilio' };
  return undefined;
}

/** Issuers whose SIDs this file may hold as arguments; the file must name one. */
export const PAIR_ARGUMENT_ISSUER = 'twilio';

/** A quoted SID, a comma, and the quoted secret (the next argument or list element). */
const SID_THEN_SECRET = /(["'`])((?:AC|SK)[0-9a-f]{32})\1\s*,\s*(["'`])([A-Za-z0-9]{32})\3/g;

/**
 * `Client("AC…", "…")`, `TwilioClient.Init("AC…", "…")`, `twilio('SK…', '…', 'AC…')`: the
 * SID and its secret as two literals in a row. The finding spans both when they share a line
 * (as the userinfo form does); a secret on the next line is the finding by itself, on its line.
 */
export function matchPairArguments(text: string, hits: Hit[]): void {
  const re = SID_THEN_SECRET;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const user = m[2] as string;
    const value = m[4] as string;
    const issued = issuerOfUserinfo(user, value);
    if (!issued || looksLikePlaceholder(value) || shannonEntropy(value) < 3) continue;
    const valueAt = m.index + m[0].length - 1 - value.length;
    const sidAt = m.index + 1;
    const sameLine = !text.slice(sidAt, valueAt).includes('\n');
    hits.push(
      makeHit({
        ...issued,
        revocable: false,
        start: sameLine ? sidAt : valueAt,
        end: valueAt + value.length,
        secret: `${user}:${value}`,
        identity: value,
        preview: { value, prefix: '' },
        confidence: 'high',
        priority: PRIORITY.specific,
      }),
    );
  }
}
