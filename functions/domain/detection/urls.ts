/**
 * Connection URLs that carry a password: postgres, mysql, mongodb(+srv), redis, amqp and any
 * other `scheme://user:password@host`. Templates (`${DB_PASS}`, `<password>`), documented
 * defaults (`guest:guest`, `postgres:postgres`) and placeholders stay quiet.
 */
import { charClasses, looksLikePlaceholder, shannonEntropy } from './heuristics.ts';
import type { Hit } from './model.ts';
import { PRIORITY } from './model.ts';

const URL_AT =
  /([A-Za-z][A-Za-z0-9+.-]{1,20}):\/\/([^\s:@/?#"'`<>\\]{0,128}):([^\s@/?#"'`<>\\]{1,256})@([A-Za-z0-9.-]{1,253}|\[[0-9a-fA-F:.]+\])(?::(\d{1,5}))?/y;

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

/** Default or dictionary passwords that tutorials and compose files use; not leaks. */
const DEFAULT_PASSWORDS =
  /^(?:pass(?:word)?\d{0,3}|passwd|pwd|pw|secret\d{0,3}|changeme|changeit|admin\d{0,3}|root|toor|guest|test\d{0,3}|testing|user|username|usr|postgres|mysql|redis|mongo(?:db)?|rabbit(?:mq)?|amqp|default|example|foo|bar|baz|qwerty\d*|letmein|welcome\d*|p@ssw0rd|passw0rd|hunter2|token|apikey|api_key|key|pass123|password123|123456\d*|dbpass|dbpassword|mypassword|mysecret|yourpassword|dev|local|docker|app|demo|sa|x+|\*+)$/i;

export function isDefaultPassword(value: string): boolean {
  return DEFAULT_PASSWORDS.test(value);
}

function schemeStart(text: string, at: number): number {
  let i = at;
  while (i > 0 && at - i < 21) {
    const c = text.charCodeAt(i - 1);
    const ok =
      (c >= 97 && c <= 122) ||
      (c >= 65 && c <= 90) ||
      (c >= 48 && c <= 57) ||
      c === 43 ||
      c === 46 ||
      c === 45;
    if (!ok) break;
    i--;
  }
  return i;
}

/** `at` is the position of `://`. */
export function matchUrlWithPassword(text: string, at: number): Hit | undefined {
  // Cheap reject: a password-bearing URL has an `@` before the next whitespace or quote.
  const limit = Math.min(text.length, at + 400);
  let i = at + 3;
  for (; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 64 /* @ */) break;
    if (c <= 32 || c === 34 || c === 39 || c === 96 || c === 60 || c === 62) return undefined;
  }
  if (i >= limit) return undefined;
  const start = schemeStart(text, at);
  if (start === at) return undefined;
  URL_AT.lastIndex = start;
  const m = URL_AT.exec(text);
  if (!m) return undefined;
  const scheme = (m[1] ?? '').toLowerCase();
  const user = m[2] ?? '';
  const rawPassword = m[3] ?? '';
  const host = (m[4] ?? '').toLowerCase();
  let password = rawPassword;
  try {
    password = decodeURIComponent(rawPassword);
  } catch {
    // Not percent-encoded after all: judge it as written.
  }
  if (!acceptablePassword(password, user)) return undefined;
  if (host === '' || host.startsWith('.') || host.endsWith('.')) return undefined;
  const kind = SCHEME_TYPES[scheme] ?? { type: 'url_with_password', provider: 'generic' };
  // The vault gets the whole URL up to the next delimiter: that is what connects.
  let end = start + m[0].length;
  while (end < text.length && !/[\s"'`<>\\]/.test(text[end] as string)) end++;
  const secret = text.slice(start, end).replace(/[.,;)]+$/, '');
  const port = m[5] ? `:${m[5]}` : '';
  return {
    type: kind.type,
    provider: kind.provider,
    revocable: false,
    start,
    end: start + m[0].length,
    secret,
    identity: `${scheme}://${user}:${password}@${host}${port}`,
    preview: { value: password, prefix: `${scheme}://` },
    confidence: /^(?:localhost|127\.|0\.0\.0\.0|\[::1\])/.test(host) ? 'medium' : 'high',
    priority: PRIORITY.specific,
  };
}

function acceptablePassword(password: string, user: string): boolean {
  if (password.length < 6 || password.length > 200) return false;
  if (password === user || isDefaultPassword(password)) return false;
  if (looksLikePlaceholder(password)) return false;
  if (/^[$%{[(]|[{}]|\$\(|%[sd]/.test(password)) return false;
  if (/^[A-Z][A-Z0-9_]*$/.test(password) && password.includes('_')) return false; // an env var name
  if (/password|passwd|secret|token/i.test(password)) return false;
  const classes = charClasses(password);
  if (shannonEntropy(password) < 2.5) return false;
  return password.length >= 10 || classes.count >= 2;
}
