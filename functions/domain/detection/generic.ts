/**
 * Keyword-anchored detection: `password = "…"`, `api_key: …`, `Authorization: Bearer …`,
 * `<secret>…</secret>`, `--token …`. The key name decides the kind (and whether a known
 * provider's shape applies: AWS secret keys, Datadog, Twilio, Heroku, npm); the value is judged
 * by shape, entropy and the look-alike rules (templates, placeholders, hashes, UUIDs, paths,
 * identifiers).
 */
import { charClasses, isHex, isUuid, looksLikePlaceholder, shannonEntropy } from './heuristics.ts';
import type { Hit } from './model.ts';
import { PRIORITY } from './model.ts';
import { isDefaultPassword } from './urls.ts';
import type { Confidence } from './types.ts';

/** Case-insensitive words whose presence in a line is worth a closer look. */
export const GENERIC_KEYWORDS =
  /pass(?:w(?:or)?d|phrase)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|authorization|credential|private[_-]?key|signing[_-]?key|encryption[_-]?key|master[_-]?key|datadog|dd_ap[ip]|twilio|heroku|mailgun/gi;

/** Lines longer than this with little whitespace are minified code: only shaped detectors run. */
const MINIFIED_LINE = 1000;

const EXCLUDED_WORDS = new Set([
  'hash',
  'hashed',
  'hashes',
  'sha',
  'sha1',
  'sha256',
  'sha512',
  'md5',
  'digest',
  'checksum',
  'crc',
  'fingerprint',
  'integrity',
  'id',
  'ids',
  'uuid',
  'guid',
  'public',
  'pub',
  'publishable',
  'url',
  'uri',
  'urls',
  'endpoint',
  'host',
  'path',
  'file',
  'filename',
  'files',
  'dir',
  'name',
  'names',
  'type',
  'types',
  'length',
  'len',
  'size',
  'count',
  'max',
  'min',
  'format',
  'field',
  'fields',
  'label',
  'placeholder',
  'example',
  'examples',
  'regex',
  'regexp',
  'pattern',
  'policy',
  'expiry',
  'expires',
  'expiration',
  'expire',
  'expired',
  'timeout',
  'ttl',
  'enabled',
  'enable',
  'required',
  'prefix',
  'suffix',
  'version',
  'mode',
  'provider',
  'method',
  'salt',
  'hint',
  'reset',
  'strength',
  'rule',
  'rules',
  'valid',
  'validation',
  'validator',
  'date',
  'time',
  'limit',
  'index',
  'position',
  'usage',
  'kind',
  'class',
  'icon',
  'style',
  'column',
  'schema',
  'param',
  'params',
  'prompt',
  'message',
  'msg',
  'error',
  'errors',
  'text',
  'title',
  'description',
  'desc',
  'help',
  'input',
  'form',
  'button',
  'env',
  'var',
  'variable',
  'ref',
  'template',
  'lifetime',
  'header',
  'location',
  'encoding',
  'algorithm',
  'alg',
  'duration',
  'rotation',
  'created',
  'updated',
  'last',
  'display',
  'mask',
  'masked',
  'visible',
  'show',
  'hide',
  'toggle',
  'manager',
  'cache',
  'loader',
  'parser',
  'lexer',
  'stream',
  'list',
  'tokens',
  'tokenizer',
  'tokenize',
  'scope',
  'scopes',
  'audience',
  'issuer',
  'event',
  'events',
  'handler',
  'callback',
  'request',
  'response',
  'status',
  'state',
  'hidden',
  'arn',
  'ssm',
  'source',
  'secretref',
]);

export interface AssignmentContext {
  readonly text: string;
  /** Offsets of the line holding the keyword. */
  readonly lineStart: number;
  readonly lineEnd: number;
}

interface Parsed {
  key: string;
  valueStart: number;
  value: string;
  quoted: boolean;
  header?: 'bearer' | 'basic';
  call: boolean;
}

function isKeyChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46
  );
}

/** Split a key into lowercase words: camelCase, snake_case, kebab-case, dotted (last segment). */
function keyWords(key: string): { words: string[]; joined: string; last: string } {
  const segments = key.split('.').filter((s) => s !== '');
  const last = segments[segments.length - 1] ?? key;
  const words = last
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
  return { words, joined: words.join(''), last };
}

/** Parse `key <op> value` around a keyword hit at [kwStart, kwEnd). */
function parseAssignment(ctx: AssignmentContext, kwStart: number, kwEnd: number): Parsed | undefined {
  const { text, lineStart, lineEnd } = ctx;
  let ks = kwStart;
  while (ks > lineStart && isKeyChar(text.charCodeAt(ks - 1))) ks--;
  let ke = kwEnd;
  while (ke < lineEnd && isKeyChar(text.charCodeAt(ke))) ke++;
  let key = text.slice(ks, ke);
  const cli = key.startsWith('--');
  key = key.replace(/^-+/, '');
  const before = ks > lineStart ? text[ks - 1] : '';
  let i = ke;
  // Closing quote / bracket of a quoted or indexed key: "password": …, ENV['TOKEN'] = …
  if ((before === '"' || before === "'" || before === '`') && text[i] === before) i++;
  if (text[i] === ']') i++;
  while (i < lineEnd && (text[i] === ' ' || text[i] === '\t')) i++;
  const c0 = text[i];
  const c1 = text[i + 1];
  let call = false;
  if (c0 === '=' && (c1 === '=' || c1 === '~')) return undefined; // comparison
  if (c0 === '!' || c0 === '<' || c0 === '&' || c0 === '|') return undefined;
  if (c0 === ':' && c1 === '=') i += 2;
  else if (c0 === '=' && c1 === '>') i += 2;
  else if (c0 === '?' && c1 === '=') i += 2;
  else if (c0 === '-' && c1 === '>') i += 2;
  else if (c0 === '=' || c0 === ':') i += 1;
  else if (c0 === '>' && before === '<') {
    // <password>value</password>
    const close = text.indexOf('<', i + 1);
    if (close < 0 || close > lineEnd) return undefined;
    return { key, valueStart: i + 1, value: text.slice(i + 1, close).trim(), quoted: true, call: false };
  } else if (c0 === '(') {
    i += 1;
    call = true;
  } else if (cli && (c0 === undefined || i > ke) && i < lineEnd) {
    // --password value
  } else return undefined;
  while (i < lineEnd && (text[i] === ' ' || text[i] === '\t')) i++;
  if (c0 === ':' && !call) {
    // A type annotation before the value: `password: string = "…"`.
    const typed = /[A-Za-z_&][\w<>[\]&' ]{0,40}?\s*=(?![=>])\s*/y;
    typed.lastIndex = i;
    const t = typed.exec(text);
    if (t && i + t[0].length <= lineEnd) i += t[0].length;
  }
  // Authorization: Bearer <token> / Basic <b64>
  const scheme = /(bearer|basic|token)\s+/iy;
  scheme.lastIndex = i + (text[i] === '"' || text[i] === "'" ? 1 : 0);
  const sm = scheme.exec(text);
  let header: Parsed['header'];
  if (sm && /authorization|auth|token|header/i.test(key)) {
    header = (sm[1] ?? '').toLowerCase() === 'basic' ? 'basic' : 'bearer';
    const quote = text[i] === '"' || text[i] === "'" ? text[i] : '';
    i = scheme.lastIndex;
    let j = i;
    while (j < lineEnd && !/[\s"'`,;)}\]<>]/.test(text[j] as string)) j++;
    if (quote && text[j] !== quote && j < lineEnd && text[j] !== ' ') return undefined;
    return { key, valueStart: i, value: text.slice(i, j), quoted: true, header, call: false };
  }
  // String prefixes: b"…", r'…', u"…", @"…"
  if (/[bruBRU@]/.test(text[i] ?? '') && /["']/.test(text[i + 1] ?? '')) i++;
  const q = text[i];
  if (q === '"' || q === "'" || q === '`') {
    let j = i + 1;
    while (j < lineEnd && text[j] !== q) j += text[j] === '\\' ? 2 : 1;
    if (j >= lineEnd) return undefined;
    return { key, valueStart: i + 1, value: text.slice(i + 1, j), quoted: true, call };
  }
  if (call) return undefined;
  let j = i;
  while (j < lineEnd && !/[\s,;)}\]"'<>&]/.test(text[j] as string)) j++;
  if (j === i) return undefined;
  return { key, valueStart: i, value: text.slice(i, j), quoted: false, call };
}

type Category = 'password' | 'secret' | 'token' | 'api_key' | 'authorization';

function categorize(words: string[], joined: string): Category | undefined {
  for (const w of words) if (EXCLUDED_WORDS.has(w)) return undefined;
  if (words.includes('authorization')) return 'authorization';
  if (
    words.some(
      (w) => w === 'pass' || w === 'pwd' || w === 'passwd' || w.endsWith('password') || w === 'passphrase',
    )
  )
    return 'password';
  if (/apikey|accesskey|authkey|signingkey|encryptionkey|masterkey|appkey|privatekey|licensekey/.test(joined))
    return 'api_key';
  if (words.some((w) => w.includes('secret')) || words.some((w) => w.startsWith('credential')))
    return 'secret';
  if (words.some((w) => w === 'token' || w.endsWith('token') || w === 'authtoken')) return 'token';
  return undefined;
}

const TEMPLATE =
  /\$\{|\{\{|\}\}|%\(|#\{|\$\(|%[sd]\b|\{\d*\}|^\$[A-Za-z_]|^%[A-Za-z_]+%$|^@[A-Za-z_]+@$|^<.*>$/;
const CODE_REFERENCE =
  /^(?:process\.env|os\.environ|os\.getenv|env|ENV|System\.getenv|secrets|vars|config|settings|self|this|props|req|request|ctx|params|args|options|opts)\b/;
const HASH_SHAPE =
  /^(?:\$2[abxy]?\$\d\d\$|\$argon2|\$[156]\$|\$pbkdf2|pbkdf2_sha|sha\d+[$:-]|\{S?SHA\d*\}|\{bcrypt\}|md5[$:])/i;
const WEAK_WORDS =
  /passw|p[a@4]ssw[o0]rd|secret|s3cr3t|token|apikey|api_key|test|demo|mock|stub|sample|lorem|ipsum|hunter|todo|fixme|none|null|undefined|admin|guest|default|qwerty|letmein|welcome|changeit|abc123|foobar|pa55/i;

function looksLikeIdentifier(value: string): boolean {
  // Member access, calls, indexing or a bare identifier without digits are code, not secrets.
  if (/[()[\]{}]|\?\.|=>|^[!~+\-*&]/.test(value)) return true;
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value)) return true;
  if (/^[A-Za-z_$][A-Za-z_$]*$/.test(value)) return true;
  if (/^[A-Z][A-Z0-9_]*$/.test(value) && value.includes('_')) return true;
  return false;
}

/** `SignatureV4SignWithCredentials`: words glued in CamelCase, not random characters. */
function isCamelCaseWords(value: string): boolean {
  const words = value.match(/[A-Z][a-z]{2,}/g);
  if (!words || words.length < 3) return false;
  return words.join('').length / value.length >= 0.6;
}

function looksLikePathOrUrl(value: string): boolean {
  if (value.includes('://')) return true;
  if (/^(?:\/|\.\.?\/|~\/|[A-Za-z]:\\)/.test(value)) return true;
  if (
    /\.(?:pem|key|json|txt|p12|pfx|crt|cer|env|ya?ml|ini|conf|cfg|properties|js|ts|py|rb|gpg|asc|jks|keystore)$/i.test(
      value,
    )
  )
    return true;
  if (/^[\w.+-]+@[\w-]+\.[\w.-]+$/.test(value)) return true; // email
  if (/^(?:[a-z0-9-]+\.)+[a-z]{2,}$/i.test(value) && !/\d/.test(value)) return true; // hostname
  return false;
}

/** Judge a generic value. */
function judgeValue(category: Category, value: string, quoted: boolean): Confidence | undefined {
  const v = value;
  if (v.length === 0 || /\s/.test(v)) return undefined;
  if (TEMPLATE.test(v) || CODE_REFERENCE.test(v) || HASH_SHAPE.test(v)) return undefined;
  if (looksLikePlaceholder(v) || isDefaultPassword(v) || WEAK_WORDS.test(v)) return undefined;
  if (!quoted && looksLikeIdentifier(v)) return undefined;
  if (v.endsWith('\\') || /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(v)) return undefined; // escapes, CONSTANT_NAMES
  if (isCamelCaseWords(v)) return undefined;
  if (quoted && /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(v) && !/\d/.test(v)) return undefined; // i18n keys
  if (looksLikePathOrUrl(v) || isUuid(v)) return undefined;
  if (/^\d+(?:\.\d+)*$/.test(v) || /^v?\d+\.\d+/.test(v)) return undefined; // numbers, versions
  if (/^(?:sha\d+|md5)-/.test(v)) return undefined; // SRI integrity
  if (/^[a-z]+(?:[-_.][a-z]+)+$/.test(v)) return undefined; // kebab/snake words
  const classes = charClasses(v);
  const entropy = shannonEntropy(v);
  if (category === 'password') {
    if (v.length < 8 || v.length > 128) return undefined;
    if (/^[a-z]+$|^[A-Z][a-z]+$/.test(v)) return undefined; // a dictionary-looking word
    if (classes.count >= 3 && entropy >= 2.5) return 'medium';
    if (classes.count >= 2 && v.length >= 12 && entropy >= 3.0) return 'medium';
    return undefined;
  }
  if (v.length < 16 || v.length > 512) return undefined;
  if (isHex(v)) {
    // Hex under a secret-ish key is a key (Rails/Django secrets, Datadog, GitHub OAuth secrets);
    // hashes are excluded by their key names above.
    return entropy >= 3.0 && /[0-9]/.test(v) && /[a-f]/i.test(v) ? 'medium' : undefined;
  }
  if (entropy < 3.3) return undefined;
  if (!classes.digit) {
    // Letters only: random mixed case passes, CamelCase identifiers do not.
    const upper = v.replace(/[^A-Z]/g, '').length;
    const letters = v.replace(/[^A-Za-z]/g, '').length;
    if (v.length < 20 || letters === 0 || upper / letters < 0.25 || upper / letters > 0.75) return undefined;
  }
  if (classes.count < 2) return undefined;
  return 'medium';
}

const B64_40 = /^[A-Za-z0-9/+]{40}$/;
const DD_CONTEXT = /datadog|\bdd_/i;

/** Provider-specific values recognised by key name. */
function keyed(
  joined: string,
  value: string,
  nearby: () => string,
): { type: string; provider: string } | undefined {
  if ((joined.includes('aws') && joined.includes('secret')) || joined.includes('secretaccesskey')) {
    if (B64_40.test(value) && !isHex(value)) return { type: 'aws_secret_access_key', provider: 'aws' };
  }
  if (joined.includes('sessiontoken') || joined.includes('securitytoken')) {
    if (/^[A-Za-z0-9/+=]{100,}$/.test(value)) return { type: 'aws_session_token', provider: 'aws' };
  }
  if (/(?:dd|datadog)(?:api)?key|apikey/.test(joined) && /^[0-9a-f]{32}$/.test(value)) {
    if (/^(?:dd|datadog)/.test(joined) || joined.includes('datadog') || DD_CONTEXT.test(nearby()))
      return { type: 'datadog_api_key', provider: 'datadog' };
  }
  if (/(?:dd|datadog)?app(?:lication)?key/.test(joined) && /^[0-9a-f]{40}$/.test(value)) {
    if (/^(?:dd|datadog)/.test(joined) || DD_CONTEXT.test(nearby()))
      return { type: 'datadog_app_key', provider: 'datadog' };
  }
  if (joined.includes('twilio') && /^[0-9a-f]{32}$/.test(value))
    return { type: 'twilio_auth_token', provider: 'twilio' };
  if (joined.includes('heroku') && (isUuid(value) || /^HRKU-[A-Za-z0-9_-]{20,}$/.test(value)))
    return { type: 'heroku_api_key', provider: 'heroku' };
  if (joined.endsWith('authtoken') && isUuid(value) && /npm|registry|yarn/i.test(nearby()))
    return { type: 'npm_legacy_token', provider: 'npm' };
  if (joined.includes('mailgun') && /^[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}$/.test(value))
    return { type: 'mailgun_api_key', provider: 'mailgun' };
  return undefined;
}

/** Analyse the assignment around one keyword hit. */
export function matchGeneric(ctx: AssignmentContext, kwStart: number, kwEnd: number): Hit | undefined {
  const parsed = parseAssignment(ctx, kwStart, kwEnd);
  if (!parsed) return undefined;
  const { words, joined } = keyWords(parsed.key);
  if (words.length === 0 || words.length > 8) return undefined;
  let value = parsed.value;
  // Trailing punctuation of unquoted values in prose or configs.
  if (!parsed.quoted) value = value.replace(/[.,;:]+$/, '');
  const nearby = (): string => ctx.text.slice(Math.max(0, ctx.lineStart - 300), ctx.lineEnd);
  const provider = keyed(joined, value, nearby);
  if (provider) {
    if (looksLikePlaceholder(value)) return undefined;
    return {
      type: provider.type,
      provider: provider.provider,
      revocable: provider.type === 'npm_legacy_token',
      start: parsed.valueStart,
      end: parsed.valueStart + value.length,
      secret: value,
      identity: value,
      preview: { value, prefix: '' },
      confidence: 'high',
      priority: PRIORITY.keyed,
    };
  }
  const category = categorize(words, joined);
  if (!category) return undefined;
  if (category === 'authorization' || parsed.header) {
    return judgeHeader(parsed, value);
  }
  const confidence = judgeValue(category, value, parsed.quoted);
  if (!confidence) return undefined;
  const type = `generic_${category}`;
  return {
    type,
    provider: 'generic',
    revocable: false,
    start: parsed.valueStart,
    end: parsed.valueStart + value.length,
    secret: value,
    identity: value,
    preview: { value, prefix: '' },
    confidence: parsed.call ? 'low' : confidence,
    priority: PRIORITY.generic,
  };
}

function judgeHeader(parsed: Parsed, value: string): Hit | undefined {
  if (!parsed.header) return undefined;
  let ok = false;
  if (parsed.header === 'basic') {
    if (!/^[A-Za-z0-9+/]{8,}={0,2}$/.test(value)) return undefined;
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return undefined;
    const password = decoded.slice(colon + 1);
    ok =
      judgeValue('password', password, true) !== undefined ||
      judgeValue('token', password, true) !== undefined;
  } else {
    ok = judgeValue('token', value, true) !== undefined && value.length >= 20;
  }
  if (!ok) return undefined;
  return {
    type: 'authorization_header',
    provider: 'generic',
    revocable: false,
    start: parsed.valueStart,
    end: parsed.valueStart + value.length,
    secret: value,
    identity: value,
    preview: { value, prefix: '' },
    confidence: 'medium',
    priority: PRIORITY.generic,
  };
}

/** True when a line is minified code (long, little whitespace): generic analysis is skipped there. */
export function isMinifiedLine(text: string, lineStart: number, lineEnd: number): boolean {
  const len = lineEnd - lineStart;
  if (len < MINIFIED_LINE) return false;
  let spaces = 0;
  for (let i = lineStart; i < lineEnd; i += 7) if (text.charCodeAt(i) === 32) spaces++;
  return spaces / (len / 7) < 0.08;
}
