/**
 * Connection URLs that carry a password: postgres, mysql, mongodb(+srv), redis, amqp and any
 * other `scheme://user:password@host`. Templates (`${DB_PASS}`, `<password>`), documented
 * defaults (`guest:guest`, `postgres:postgres`) and placeholders stay quiet.
 */
import { charClasses, isRedaction, looksLikePlaceholder, shannonEntropy } from './heuristics.ts';
import type { Hit } from './model.ts';
import { makeHit, PRIORITY } from './model.ts';
import { issuerOfUserinfo } from './issuer-pairs.ts';

const SCHEME_TYPES: Record<string, { type: string; provider: string }> = {
  postgres: { type: 'postgres_uri', provider: 'postgres' },
  postgresql: { type: 'postgres_uri', provider: 'postgres' },
  mysql: { type: 'mysql_uri', provider: 'mysql' },
  mysqlx: { type: 'mysql_uri', provider: 'mysql' },
  mariadb: { type: 'mysql_uri', provider: 'mysql' },
  mongodb: { type: 'mongodb_uri', provider: 'mongodb' },
  'mongodb+srv': { type: 'mongodb_uri', provider: 'mongodb' },
  redis: { type: 'redis_uri', provider: 'redis' },
  rediss: { type: 'redis_uri', provider: 'redis' },
  amqp: { type: 'amqp_uri', provider: 'amqp' },
  amqps: { type: 'amqp_uri', provider: 'amqp' },
};

/** Default or dictionary passwords that tutorials, compose files and installers (Harbor's) use; not leaks. */
const DEFAULT_PASSWORDS =
  /^(?:pass(?:word)?\d{0,3}|passwd|pwd|pw|secret\d{0,3}|changeme|changeit|admin\d{0,3}|root|toor|guest|test\d{0,3}|testing|user|username|usr|postgres|mysql|redis|mongo(?:db)?|rabbit(?:mq)?|amqp|default|example|foo|bar|baz|qwerty\d*|letmein|welcome\d*|p@ssw0rd|passw0rd|hunter2|token|apikey|api_key|key|pass123|password123|123456\d*|dbpass|dbpassword|mypassword|mysecret|yourpassword|dev|local|docker|app|demo|sa|harbor12345|x+|\*+)$/i;

/**
 * Words behind the leetspeak passwords of tests and tutorials (`S3CuR1Ty`, `Tr0ub4dor`, `M0nk3y!`,
 * `s3cre3t!`), kept with doubled letters collapsed so a doubled or dropped letter still matches.
 */
const LEET_WORDS = new Set(
  (
    'security secure password secret welcome monkey dragon master sunshine princess football ' +
    'baseball shadow superman batman letmein iloveyou trustno troubador troubadour qwerty admin ' +
    'administrator access login summer winter spring autumn hello freedom computer internet ' +
    'whatever starwars cheese banana orange pokemon michael jordan charlie mustang ranger hunter ' +
    'killer soccer hockey tigger ninja azerty changeme default private server database service ' +
    'system super supersecret topsecret mysecret'
  )
    .split(' ')
    .map(collapseDoubles),
);
const LEET = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '!': 'i',
} as const;

function collapseDoubles(word: string): string {
  return word.replace(/(.)\1+/g, '$1');
}

export function isDefaultPassword(value: string): boolean {
  if (DEFAULT_PASSWORDS.test(value)) return true;
  // A word written in leetspeak, a trailing number or symbol at most: a human's test password.
  // Only when a letter was swapped: `Summer2024!` may be a real (weak) password, and is reported.
  const lower = value.toLowerCase();
  return [lower, lower.replace(/[\d!@#$%^&*.?_-]{1,4}$/, '')].some((w) => {
    const word = w.replace(/[013457@$!]/g, (c) => LEET[c as keyof typeof LEET]);
    return word !== w && /^[a-z]+$/.test(word) && LEET_WORDS.has(collapseDoubles(word));
  });
}

function isSchemeChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 43 || c === 46 || c === 45
  );
}

/** Characters that end a URL's authority when written in text or code. */
function endsAuthority(c: number): boolean {
  return c <= 32 || c === 34 || c === 39 || c === 96 || c === 60 || c === 62 || c === 47 || c === 92;
}

const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::\d{1,5})?(?:,[A-Za-z0-9.-]+(?::\d{1,5})?)*$/;

/** `at` is the position of `://`. */
export function matchUrlWithPassword(text: string, at: number): Hit | undefined {
  // Cheap reject: a password-bearing URL has an `@` before the authority ends.
  // `://`, or `:\/\/` in JSON that escapes slashes (a Slack export).
  const authority = at + (text.charCodeAt(at + 1) === 92 /* \ */ ? 5 : 3);
  const limit = Math.min(text.length, at + 300);
  let atSign = -1;
  for (let i = authority; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 64 /* @ */) atSign = i;
    else if (endsAuthority(c)) break;
  }
  if (atSign < 0) return undefined;
  let start = at;
  while (start > 0 && at - start < 21 && isSchemeChar(text.charCodeAt(start - 1))) start--;
  if (start === at) return undefined;
  const scheme = text.slice(start, at).toLowerCase();
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) return undefined;
  // The userinfo ends at the last `@` of the authority (an unencoded `@` in a password happens).
  const userinfo = text.slice(authority, atSign);
  const colon = userinfo.indexOf(':');
  if (colon < 0) return undefined;
  const user = userinfo.slice(0, colon);
  const rawPassword = userinfo.slice(colon + 1);
  let hostEnd = atSign + 1;
  while (
    hostEnd < text.length &&
    !endsAuthority(text.charCodeAt(hostEnd)) &&
    !/[?#;)\]]/.test(text[hostEnd] as string)
  )
    hostEnd++;
  // Prose and code put punctuation right after a URL: `…@db.internal.`, `…@host,`.
  while (hostEnd > atSign + 1 && /[.,:]/.test(text[hostEnd - 1] as string)) hostEnd--;
  const host = text.slice(atSign + 1, hostEnd);
  if (!HOST.test(host) || !/[A-Za-z0-9]/.test(host)) return undefined;
  let password = rawPassword;
  try {
    password = decodeURIComponent(rawPassword);
  } catch {
    // Not percent-encoded after all: judge it as written.
  }
  const issued = issuerOfUserinfo(user, password);
  const kind = issued ?? SCHEME_TYPES[scheme] ?? { type: 'url_with_password', provider: 'generic' };
  if (!issued && !acceptablePassword(password, user, kind.type === 'url_with_password')) return undefined;
  // The vault gets the whole URL up to the next delimiter: that is what connects.
  let end = hostEnd;
  while (end < text.length && !/[\s"'`<>\\]/.test(text[end] as string)) end++;
  const secret = text.slice(start, end).replace(/[.,;)]+$/, '');
  const hostName = host.toLowerCase();
  return makeHit({
    type: kind.type,
    provider: kind.provider,
    revocable: false,
    start,
    end: hostEnd,
    secret,
    identity: `${scheme}://${user}:${password}@${hostName}`,
    preview: { value: password, prefix: `${scheme}://` },
    confidence: /^(?:localhost|127\.|0\.0\.0\.0|\[::1\])/.test(hostName) ? 'medium' : 'high',
    priority: PRIORITY.specific,
  });
}

function acceptablePassword(password: string, user: string, otherScheme: boolean): boolean {
  if (password.length < 6 || password.length > 200) return false;
  if (password === user || isDefaultPassword(password) || isRedaction(password)) return false;
  if (looksLikePlaceholder(password)) return false;
  // Templates: `${DB_PASS}`, `$(cat …)`, `%(password)s`, `%DB_PASS%`, `<password>`; a generated
  // password may still begin with `%` when it is not percent-encoding (`%wWuV…`).
  // A format directive is the whole password of a template (`mysql://%s:%s@%s`); inside a
  // generated one (`frdaC*RuF%d=1`) it is just two characters.
  if (/^[${[(<]|^%(?:\(|\w+%$|[sd]$)|[{}]|\$\(|^:/.test(password)) return false;
  if (/^[A-Z][A-Z0-9_]*$/.test(password) && password.includes('_')) return false; // an env var name
  if (/p[a@4#][s5$]{2}w[o0]r?d|passwd|secret|token/i.test(password)) return false;
  if (user.toLowerCase() === 'scott' && /^tiger/i.test(password)) return false; // Oracle's demo account
  if (shannonEntropy(password) < 2.5) return false;
  const classes = charClasses(password);
  // Outside database and queue URLs (proxies, ftp, docs), ask for a password that looks generated.
  // `dotenv://:key_1234@dotenv.org` in an error message is a word and a number, not generated;
  // two capitalised words and a number (`Wombattoucan3998`) are how people choose passwords.
  // A token as the password (an Azure DevOps PAT: 52 lower-case base32 characters) is generated
  // with two classes.
  if (otherScheme)
    return (
      !password.includes(':') &&
      password.length >= 8 &&
      (classes.count >= 3 || (password.length >= 20 && classes.digit && shannonEntropy(password) >= 4.0)) &&
      !/^(?:[a-z]{1,10}|[A-Za-z]{1,6})[_-]?\d{1,6}$/.test(password)
    );
  return password.length >= 10 || classes.count >= 2;
}
