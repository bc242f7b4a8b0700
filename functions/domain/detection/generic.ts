/**
 * Keyword-anchored detection: `password = "…"`, `api_key: …`, `Authorization: Bearer …`,
 * `<secret>…</secret>`, `<add key="ApiKey" value="…"/>`, `- name: DB_PASSWORD / value: …`,
 * `setdefault("SECRET_KEY", "…")`, `--token …`. The key name decides the kind (and whether a
 * known provider's shape applies: AWS secret keys, Datadog, Twilio, Heroku, npm); the value is
 * judged by shape, entropy and the look-alike rules (templates, placeholders, hashes, UUIDs,
 * paths, identifiers), and by the file it is in: in source code only a string literal is a
 * value, lockfiles and type declarations hold no secrets of their own.
 */
import type { FileContext } from './context.ts';
import {
  ARGUMENT_JOIN,
  charClasses,
  isHashLength,
  isHex,
  isRandomUuid,
  isRedaction,
  isTypedInOrder,
  isUuid,
  joinedLiterals,
  longestRun,
  looksLikePlaceholder,
  shannonEntropy,
} from './heuristics.ts';
import type { Hit } from './model.ts';
import { PRIORITY, valueHit, withHit } from './model.ts';
import { isAzureEmulatorKey, isDocumentedExample, isTooShortForIssuerPrefix } from './tokens.ts';
import { isDefaultPassword } from './urls.ts';
import type { Confidence } from './types.ts';

/** Case-insensitive words whose presence in a key is worth a closer look. */
// `pw` covers `pwd`, slapd's `rootpw` and nslcd's `bindpw` without another first letter to try.
export const GENERIC_KEYWORDS = /secret|token|pass|pw|key|auth|identified|psk/gi;

/** Lines longer than this with little whitespace are minified code: only shaped detectors run. */
const MINIFIED_LINE = 1000;

/** Words that, anywhere in a key, say the value is not the secret itself. */
const EXCLUDED_WORDS = new Set(
  (
    'hash hashed hashes sha sha1 sha256 sha512 md5 digest checksum crc fingerprint integrity id ids uuid guid ' +
    'public pub publishable url uri urls endpoint host path file filename files dir name names type types ' +
    'length len size count max min format field fields label placeholder example examples regex regexp ' +
    'pattern policy expiry expires expiration expire expired timeout ttl enabled enable required prefix ' +
    'suffix version mode provider method salt hint reset strength rule rules valid validation validator ' +
    'date time limit index position usage kind class icon style column schema param params prompt message ' +
    'msg error errors text title description desc help input form button env var variable ref template ' +
    'lifetime header location encoding algorithm alg duration rotation created updated last display mask ' +
    'masked visible show hide toggle manager cache loader parser lexer stream list tokens tokenizer ' +
    'tokenize scope scopes audience issuer event events handler callback request response status state ' +
    'hidden arn ssm source secretref page next cursor continuation csrf xsrf captcha recaptcha sync ' +
    'policies confirm confirmation repeat retype forgot strategy secrets keys passwords credentials ' +
    'mapping map verification starting pagination idempotency subject factory encoder decoder ' +
    'generator builder hasher verifier mgr realm protected'
  ).split(' '),
);

/**
 * Words naming where a password is used; before a password word they qualify it
 * (`EMAIL_HOST_PASSWORD`; `appleIdPassword`, an Apple ID's password).
 */
const PLACE_WORDS = new Set(['host', 'endpoint', 'url', 'uri', 'name', 'file', 'id']);
const PASSWORD_HEADS = new Set(['password', 'passwd', 'pwd', 'pass', 'passphrase']);

/** Words in a key name that make its value a test's own: reported at low confidence. */
const TEST_WORDS = new Set(['test', 'testing', 'dummy', 'fake', 'mock', 'mocked', 'fixture', 'stub']);

/** Services whose name alone before `key` makes it an API key (`OPENAI_KEY`, `SENDGRID_KEY`). */
const SERVICE_NAMES = new Set(
  (
    'openai anthropic claude gemini mistral cohere groq deepseek replicate huggingface hf pinecone ' +
    'stripe sendgrid mailgun mailchimp mandrill postmark resend sparkpost twilio vonage nexmo plivo ' +
    'github gitlab bitbucket slack discord telegram datadog dd newrelic sentry pagerduty opsgenie ' +
    'algolia mapbox maps geocoder geocoding google gcp firebase azure heroku cloudflare vercel ' +
    'netlify digitalocean linode supabase airtable notion linear shopify hubspot zendesk intercom ' +
    'segment mixpanel amplitude pusher okta auth0 circleci travis snyk npm pypi docker dockerhub'
  ).split(' '),
);

/** Last words that make the key name something else: `password_encryption`, `token_signature`. */
const NOT_SECRET_HEADS = new Set(['encryption', 'signature', 'identifier']);

export interface AssignmentContext {
  readonly text: string;
  /** Offsets of the line holding the keyword. */
  readonly lineStart: number;
  readonly lineEnd: number;
  readonly file: FileContext;
}

type Form = 'assign' | 'call' | 'xml' | 'cli' | 'pair' | 'header';

interface Parsed {
  key: string;
  valueStart: number;
  value: string;
  /** The value is a literal: quoted, XML text, or inside a string literal. */
  literal: boolean;
  form: Form;
  header?: 'bearer' | 'basic';
}

function isKeyChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46
  );
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

function isQuote(c: number): boolean {
  return c === 34 || c === 39 || c === 96;
}

/** Split a key into lowercase words: camelCase, snake_case, kebab-case, dotted (last segment). */
function keyWords(key: string): { words: string[]; joined: string } {
  // One pass over the last dotted segment: split at separators, at lower→Upper (dbPassword)
  // and at the last capital of a run before a lowercase letter (APIKey → API, Key).
  let end = key.length;
  while (end > 0 && key.charCodeAt(end - 1) === 46) end--;
  let start = key.lastIndexOf('.', end - 1) + 1;
  // `app.geocoder.api.key`, `stripe.key`: a bare `key` segment is named by the one before it.
  if (start > 1 && end - start === 3 && key.slice(start, end).toLowerCase() === 'key')
    start = key.lastIndexOf('.', start - 2) + 1;
  const words: string[] = [];
  let word = '';
  const kind = (c: number): number =>
    c >= 97 && c <= 122 ? 1 : c >= 65 && c <= 90 ? 2 : c >= 48 && c <= 57 ? 3 : 0;
  for (let i = start; i < end; i++) {
    const c = key.charCodeAt(i);
    const k = kind(c);
    if (k === 0) {
      if (word) words.push(word);
      word = '';
      continue;
    }
    if (word && k === 2) {
      const prev = kind(key.charCodeAt(i - 1));
      const next = i + 1 < end ? kind(key.charCodeAt(i + 1)) : 0;
      if (prev === 1 || prev === 3 || (prev === 2 && next === 1)) {
        words.push(word);
        word = '';
      }
    }
    word += k === 2 ? String.fromCharCode(c + 32) : key[i];
  }
  if (word) words.push(word);
  return { words, joined: words.join('') };
}

/** Whether offset `at` of the line is inside a string literal (an odd number of quotes before it). */
function insideString(text: string, lineStart: number, at: number): boolean {
  let quote = 0;
  // Long lines: look at the last 2000 characters only (a value is rarely further into a string).
  for (let i = Math.max(lineStart, at - 2000); i < at; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) {
      i++;
      continue;
    }
    if (quote === 0) {
      if (isQuote(c)) quote = c;
    } else if (c === quote) quote = 0;
  }
  return quote !== 0;
}

/** The quoted string starting at `i` (the opening quote), or undefined when unterminated on the line. */
function quotedAt(text: string, i: number, lineEnd: number): { start: number; value: string } | undefined {
  const q = text.charCodeAt(i);
  let j = i + 1;
  while (j < lineEnd && text.charCodeAt(j) !== q) j += text.charCodeAt(j) === 92 ? 2 : 1;
  if (j >= lineEnd) return undefined;
  return { start: i + 1, value: text.slice(i + 1, j) };
}

function skipSpaces(text: string, i: number, end: number): number {
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  return i;
}

const UNQUOTED_END = /[\s,;)}\]"'`<>&|]/;

/** An escape that ends an unquoted value in text held in a JSON string: `\n`, `\r`, `\t`, `\"`. */
const isEscapeAt = (text: string, j: number): boolean =>
  text.charCodeAt(j) === 92 && /[nrt"]/.test(text[j + 1] as string);

/** The unquoted value starting at `i`: up to whitespace, a delimiter or a JSON escape. */
function bareAt(text: string, i: number, lineEnd: number): { start: number; value: string } | undefined {
  let j = i;
  while (j < lineEnd && !UNQUOTED_END.test(text[j] as string) && !isEscapeAt(text, j)) j++;
  if (j === i) return undefined;
  return { start: i, value: text.slice(i, j) };
}

/** `<add key="ApiKey" value="…"/>`, `{"name": "DB_PASSWORD", "value": "…"}`, `- name: X` / `value: …`. */
function pairedValue(ctx: AssignmentContext, keyStart: number, keyEnd: number): Parsed | undefined {
  const { text, lineStart } = ctx;
  // Only a key written as the value of name:/key= can be paired: a `:`, `=` or quote just before it.
  let b = keyStart - 1;
  while (b > lineStart && (isSpace(text.charCodeAt(b)) || isQuote(text.charCodeAt(b)))) b--;
  const op = text.charCodeAt(b);
  if (b < lineStart || (op !== 58 && op !== 61)) return undefined;
  const before = text.slice(Math.max(lineStart, keyStart - 24), keyStart);
  const m =
    /(?:^|[\s{,<"'])["']?(?:name|key|Name|Key|ParameterKey|parameter|variable)["']?\s*[:=]\s*["']?$/.exec(
      before,
    );
  if (!m) return undefined;
  const key = text.slice(keyStart, keyEnd);
  const after = text.slice(keyEnd, Math.min(text.length, keyEnd + 300));
  const v =
    /^["']?\s*(?:,\s*|\s+|\r?\n[ \t-]*)["']?(?:value|Value|ParameterValue|default)["']?\s*[:=]\s*/.exec(
      after,
    );
  if (!v) return undefined;
  const at = keyEnd + v[0].length;
  let end = text.indexOf('\n', at);
  if (end < 0) end = text.length;
  const c = text.charCodeAt(at);
  const got = isQuote(c) ? quotedAt(text, at, end) : bareAt(text, at, end);
  if (!got) return undefined;
  // A header list (`{"name": "authorization", "value": "Bearer …"}` in a HAR file or a Postman
  // collection): the value holds a scheme and the credential.
  const scheme = /^(bearer|basic|token)\s+/i.exec(got.value);
  if (scheme && /auth|token/i.test(key)) {
    const header = (scheme[1] as string).toLowerCase() === 'basic' ? 'basic' : 'bearer';
    const value = got.value.slice(scheme[0].length);
    return { key, valueStart: got.start + scheme[0].length, value, literal: true, form: 'header', header };
  }
  return { key, valueStart: got.start, value: got.value, literal: isQuote(c), form: 'pair' };
}

/** Parse `key <op> value` around a keyword hit at [kwStart, kwEnd). */
function parseAssignment(ctx: AssignmentContext, kwStart: number, kwEnd: number): Parsed | undefined {
  const { text, lineStart, lineEnd } = ctx;
  let ks = kwStart;
  while (ks > lineStart && isKeyChar(text.charCodeAt(ks - 1))) ks--;
  let ke = kwEnd;
  while (ke < lineEnd && isKeyChar(text.charCodeAt(ke))) ke++;
  const before = ks > lineStart ? text.charCodeAt(ks - 1) : 0;
  // Cheap reject first (most keyword hits are words in code or prose): what follows the key
  // must be an operator, a quote, a bracket, a space or the end of the line.
  const next = ke < lineEnd ? text.charCodeAt(ke) : 10;
  if (!(
    next === 61 ||
    next === 58 ||
    next === 40 ||
    next === 62 ||
    next === 44 ||
    next === 93 ||
    next === 10 ||
    next === 13 ||
    isSpace(next) ||
    isQuote(next) ||
    (next === 92 && isQuote(text.charCodeAt(ke + 1))) ||
    (next === 60 && before === 62)
  ))
    return undefined;
  if (next === 60) return plistValue(ctx, ks, ke);
  return parseFromKey(ctx, ks, ke, before);
}

const PLIST_STRING = /[ \t]*\r?\n?[ \t]*<string>([^<\n]*)<\/string>/y;

/** A property list's `<key>APIKey</key>` and the `<string>…</string>` after it (Info.plist, a .mobileconfig). */
function plistValue(ctx: AssignmentContext, ks: number, ke: number): Parsed | undefined {
  const { text } = ctx;
  if (!text.startsWith('</key>', ke) || !text.startsWith('<key>', ks - 5)) return undefined;
  PLIST_STRING.lastIndex = ke + 6;
  const m = PLIST_STRING.exec(text);
  if (!m) return undefined;
  const value = m[1] as string;
  const valueStart = PLIST_STRING.lastIndex - '</string>'.length - value.length;
  return { key: text.slice(ks, ke), valueStart, value, literal: true, form: 'xml' };
}

/**
 * The rest of the parse, for the minority of keyword hits that look like a key: kept apart so
 * the hot reject above stays a small function (quick for V8 to optimise, on every scan).
 */
function parseFromKey(ctx: AssignmentContext, ks: number, ke: number, before: number): Parsed | undefined {
  const { text, lineStart, lineEnd } = ctx;
  if (before === 58 /* : */ && inArn(text, lineStart, ks)) return undefined;
  const paired = pairedValue(ctx, ks, ke);
  if (paired) return paired;
  // A key path names the value by all its segments: Helm's `checksum/secret:` annotation is a hash.
  let from = ks;
  if (before === 47 /* / */)
    while (from > lineStart && (isKeyChar(text.charCodeAt(from - 1)) || text.charCodeAt(from - 1) === 47))
      from--;
  let key = text.slice(from, ke);
  const cli = key.startsWith('--');
  // `--password`, a builder's `.password(`: the dashes and the member dot are not the key.
  key = key.replace(/^[-.]+/, '').replace(/[.-]+$/, '');
  if (key === '') return undefined;
  // Prose names a key in words: "- Datadog API key: `…`" in an internal doc.
  if ((ctx.file.kind === 'doc' || ctx.file.kind === 'other') && before === 32 && text.charCodeAt(ke) === 58) {
    const named = /(?:^|[\s*(-])((?:[A-Za-z]+ ){1,2})$/.exec(text.slice(Math.max(lineStart, ks - 40), ks));
    if (named) key = `${named[1]}${key}`;
  }
  let i = ke;
  let quotedKey = false;
  // Closing quote / bracket of a quoted or indexed key: "password": …, ENV['TOKEN'] = …
  if (isQuote(before) && text.charCodeAt(i) === before) {
    i++;
    quotedKey = true;
  } else if (isQuote(before) && text.charCodeAt(i) === 92 && text.charCodeAt(i + 1) === before) {
    i += 2; // \"password\": in a JSON string inside JSON
    quotedKey = true;
  }
  if (text.charCodeAt(i) === 93 /* ] */) i++;
  // `<string name="backend_api_secret">…</string>` (Android resources): the element's text, also
  // after other attributes (`translatable="false"`).
  // Only a `>` or an attribute can follow the name there: a cheap test before the element's regexes
  // (most quoted keys are JSON's, followed by `:`).
  const afterName = text.charCodeAt(i);
  const element =
    quotedKey && (afterName === 62 /* > */ || isSpace(afterName))
      ? elementTextAfterName(text, lineStart, lineEnd, ks, i)
      : undefined;
  if (element) return { key, valueStart: element.start, value: element.value, literal: true, form: 'xml' };
  i = skipSpaces(text, i, lineEnd);
  const c0 = text.charCodeAt(i);
  const c1 = text.charCodeAt(i + 1);
  let form: Form = 'assign';
  let directive = false;
  // VB.NET: `Dim keystorePassword As String = "…"`, `Private Const ApiKey As String = "…"`.
  const vbTyped =
    i > ke && c0 === 65 /* A */ ? VB_TYPED.exec(text.slice(i, Math.min(lineEnd, i + 60))) : null;
  // nginx `if ($http_authorization != "Bearer …")`: the header a request must carry, in the clear.
  if ((c0 === 33 || c0 === 61) && c1 === 61 && /authorization$/i.test(key)) {
    i = skipSpaces(text, i + 2, lineEnd);
    return isQuote(text.charCodeAt(i)) ? headerValue(ctx, key, i) : undefined;
  }
  if (c0 === 61 /* = */ && (c1 === 61 || c1 === 126)) return undefined; // == / =~ comparison
  if (c0 === 33 || c0 === 38 || c0 === 124) return undefined; // ! & |
  if (c0 === 58 /* : */ && c1 === 61) i += 2;
  else if (c0 === 60 /* < */ && c1 === 45 /* - */)
    i += 2; // R: `db_pass <- "…"`
  else if (c0 === 61 && c1 === 62)
    i += 2; // =>
  else if ((c0 === 63 || c0 === 43) && c1 === 61)
    i += 2; // ?= +=
  else if (c0 === 61 || c0 === 58) i += 1;
  else if (before === 60 /* < */ && (c0 === 62 /* > */ || i > ke)) {
    // <password>value</password>, also after attributes: FileZilla's `<Pass encoding="base64">…</Pass>`.
    let textStart = i + 1;
    if (c0 !== 62) {
      ELEMENT_ATTRIBUTES.lastIndex = i;
      if (!ELEMENT_ATTRIBUTES.exec(text)) return undefined;
      textStart = ELEMENT_ATTRIBUTES.lastIndex;
    }
    const close = text.indexOf('</', textStart);
    if (close < 0 || close > lineEnd) return undefined;
    return {
      key,
      valueStart: textStart,
      value: text.slice(textStart, close).trim(),
      literal: true,
      form: 'xml',
    };
  } else if (c0 === 40 /* ( */) {
    // setPassword("…"), .token("…"); not MACRO_PASS("…") or bypass("…").
    // Rust builders are snake_case methods: `.keystore_password("…")` (not `should_pass("…")`).
    const member = before === 46 || text.charCodeAt(ks) === 46; /* . */
    const builder = member && /^[a-z]+(?:_[a-z]+)+$/.test(key);
    if (
      (!builder && !/^(?:set|with|use)?[A-Z_]?[a-z]*(?:[A-Z][a-z]+)*$/.test(key)) ||
      /^[A-Z0-9_]+$/.test(key)
    )
      return undefined;
    i += 1;
    form = 'call';
  } else if (c0 === 44 /* , */ && quotedKey) {
    // ("SECRET_KEY", "value"): a key/value call or tuple. Not a row of a test-vector table,
    // `("passphrase", "qiyh4X…"),` (a password and its hash): a bare tuple led by a plain word.
    if (/^[a-z]+$/.test(key) && /^\s*[([]$/.test(text.slice(lineStart, ks - 1))) return undefined;
    i += 1;
    form = 'call';
  } else if (cli && i > ke && i < lineEnd) {
    form = 'cli';
  } else if (vbTyped) {
    i += vbTyped[0].length;
  } else if (i > ke && i < lineEnd && TYPED_DECLARATION_FILES.test(ctx.file.path)) {
    // Go's `var dbPassword string = "…"`, Bicep's `param adminPassword string = '…'`: the type
    // between the name and the `=`.
    TYPED_DECLARATION.lastIndex = i;
    if (!TYPED_DECLARATION.exec(text) || TYPED_DECLARATION.lastIndex > lineEnd) return undefined;
    i = TYPED_DECLARATION.lastIndex;
  } else if (
    i > ke &&
    isQuote(c0) &&
    CLOJURE.test(ctx.file.path) &&
    clojureKey(text, lineStart, ks, before)
  ) {
    // Clojure / EDN: `{:service-token "…"}`, `(def ^:private datadog-api-key "…")`.
    form = 'assign';
  } else if (i > ke && i < lineEnd && /^\s*(?:ENV|ARG)\s+$/i.test(text.slice(lineStart, ks))) {
    // Dockerfile `ENV KEY value`.
    form = 'assign';
  } else if (
    i > ke &&
    i < lineEnd &&
    /^\s*(?:machine\s|default\s|login\s|password\s)/.test(text.slice(lineStart, lineEnd))
  ) {
    // .netrc: `machine api.example.com login me password VALUE`.
    form = 'assign';
  } else if (c0 === 123 /* { */ && quotedKey) {
    return terraformDefault(ctx, key, ks, i);
  } else if (SQL_STATEMENT.test(text.slice(lineStart, ks)) && (isQuote(c0) || /^identified$/i.test(key))) {
    return sqlPassword(ctx, key, i);
  } else if (i > ke && i < lineEnd && isDirective(ctx, ks, key, i)) {
    // A daemon's `directive value` line: slapd's `rootpw …`, BIND's `secret "…";`.
    directive = true;
  } else {
    return undefined;
  }
  i = skipSpaces(text, i, lineEnd);
  if (c0 === 58 && form === 'assign') {
    // A type annotation before the value: `password: string = "…"`.
    const typed = /[A-Za-z_&][\w<>[\]&|' ]{0,40}?\s*=(?![=>])\s*/y;
    typed.lastIndex = i;
    const t = typed.exec(text);
    if (t && i + t[0].length <= lineEnd && !isQuote(text.charCodeAt(i))) i += t[0].length;
    else if (ctx.file.kind === 'config') {
      const nested = nestedValue(ctx, key, ks, i);
      if (nested !== NOT_NESTED) return nested;
    }
  }
  const header = headerValue(ctx, key, i);
  if (header) return header;
  // Python requests' basic auth: `auth=("admin", "…")`, a (user, password) pair.
  if (c0 !== 40 && text.charCodeAt(i) === 40 /* ( */ && /^(?:auth|basic_?auth|http_?auth)$/i.test(key)) {
    const pair = /\(\s*(["'])[^"'\n]*\1\s*,\s*(["'])/y;
    pair.lastIndex = i;
    const m = pair.exec(text);
    const got = m ? quotedAt(text, i + m[0].length - 1, lineEnd) : undefined;
    return got && { key: 'password', valueStart: got.start, value: got.value, literal: true, form: 'call' };
  }
  // A string inside a string: a notebook's JSON source line `"dd_api_key = \"…\"\n",`.
  if (text.charCodeAt(i) === 92 && isQuote(text.charCodeAt(i + 1))) {
    const close = text.indexOf(text.slice(i, i + 2), i + 2);
    if (close < 0 || close > lineEnd) return undefined;
    return { key, valueStart: i + 2, value: text.slice(i + 2, close), literal: true, form };
  }
  if (text.charCodeAt(i) === 123 && text.charCodeAt(i + 1) === 123 /* {{ */) {
    const fallback = templateDefault(text, i, lineEnd);
    if (fallback) return { key, valueStart: fallback.start, value: fallback.value, literal: true, form };
  }
  // A literal default behind an environment read: `process.env.X || "…"`, `System.getenv("X") ?: "…"`,
  // `os.getenv("X", "…")`, `ENV.fetch("X", "…")`.
  const c = text.charCodeAt(i);
  if (ctx.file.kind === 'code' && (c === 112 || c === 83 || c === 69 || c === 111) /* p S E o */) {
    ENV_FALLBACK.lastIndex = i;
    const fallback = ENV_FALLBACK.exec(text);
    if (fallback && i + fallback[0].length <= lineEnd) i += fallback[0].length - 1;
  }
  // A literal inside a wrapper that only changes its type: Go's `[]byte("…")`, C#'s
  // `Encoding.UTF8.GetBytes("…")`, Julia's `raw"…"`, CDK's `SecretValue.unsafePlainText("…")`.
  if (c === 91 || c === 69 || c === 114 || c === 83 || c === 99 /* [ E r S c */) {
    LITERAL_WRAPPER.lastIndex = i;
    const wrapped = LITERAL_WRAPPER.exec(text);
    if (wrapped) i += wrapped[0].length;
  }
  // R's `paste0("…", "…")`: the pieces of one value.
  if (ctx.file.kind === 'code' && text.startsWith('paste0(', i) && isQuote(text.charCodeAt(i + 7))) {
    const pasted = joinedLiterals(text, i + 7, ARGUMENT_JOIN);
    if (pasted && pasted.pieces > 1)
      return { key, valueStart: i + 8, value: pasted.value, literal: true, form };
  }
  // HTML mail and wiki pages set a value in `<code>…</code>` (or `<kbd>`, `<tt>`).
  if (ctx.file.kind !== 'code' && text.charCodeAt(i) === 60 /* < */) {
    CODE_ELEMENT.lastIndex = i;
    const element = CODE_ELEMENT.exec(text);
    if (element && i + element[0].length <= lineEnd) {
      const value = element[2] as string;
      return { key, valueStart: i + (element[1] as string).length + 2, value, literal: true, form };
    }
  }
  // String prefixes: b"…", r'…', u"…", f"…", @"…", $"…"
  if (/[bruBRUf@$]/.test(text[i] ?? '') && isQuote(text.charCodeAt(i + 1))) i++;
  // A triple-quoted value on one line: grafana.ini's `password = """…;#…"""` (quoted for its `;` and `#`).
  if (text.startsWith('"""', i)) {
    const close = text.indexOf('"""', i + 3);
    if (close > i + 3 && close < lineEnd)
      return { key, valueStart: i + 3, value: text.slice(i + 3, close), literal: true, form };
  }
  if (isQuote(text.charCodeAt(i))) {
    const got = quotedAt(text, i, lineEnd);
    if (!got) return undefined;
    // Ansible: `db_password: "{{ vault_db_password | default('…') }}"`.
    const fallback = got.value.startsWith('{{')
      ? templateDefault(text, got.start, got.start + got.value.length)
      : undefined;
    if (fallback) return { key, valueStart: fallback.start, value: fallback.value, literal: true, form };
    // Gradle's `buildConfigField "String", "KEY", "\"…\""`: a string literal inside the string.
    if (got.value.length > 4 && got.value.startsWith('\\"') && got.value.endsWith('\\"'))
      return { key, valueStart: got.start + 2, value: got.value.slice(2, -2), literal: true, form };
    const value = ctx.file.kind === 'code' ? (joinedLiterals(text, i)?.value ?? got.value) : got.value;
    return { key, valueStart: got.start, value, literal: true, form };
  }
  if (form === 'call') return undefined;
  const got = bareAt(text, i, lineEnd);
  if (!got) return undefined;
  // An unquoted directive value is the line's last word (`password required pam_unix.so` is PAM's
  // control syntax, not a password).
  if (directive && !/^[ \t;]*(?:#.*)?\r?$/.test(text.slice(got.start + got.value.length, lineEnd)))
    return undefined;
  if (directive && got.value.startsWith('-')) return undefined; // an option: `-Name ldap-bind-password -AsPlainText`
  // Only source code needs to know whether an unquoted value sits inside a string literal.
  const literal =
    ctx.file.kind === 'code' && (insideString(text, lineStart, i) || multilineString(ctx) === 'data');
  return { key, valueStart: got.start, value: got.value, literal, form };
}

const TEMPLATE_DEFAULT = /\bdefault\s*\(?\s*(?=["'])/g;

/**
 * The literal a template falls back to: Helm's `{{ .Values.db.password | default "…" }}` and
 * `{{ default "…" .Values.token }}`, Jinja's `{{ vault_token | default('…') }}`. A chart that ships
 * a default ships that value; without one the template names a variable and says nothing.
 */
function templateDefault(
  text: string,
  at: number,
  lineEnd: number,
): { start: number; value: string } | undefined {
  const close = text.indexOf('}}', at + 2);
  if (close < 0 || close > lineEnd) return undefined;
  const re = TEMPLATE_DEFAULT;
  re.lastIndex = at + 2;
  const m = re.exec(text);
  if (!m || m.index >= close) return undefined;
  return quotedAt(text, re.lastIndex, close);
}

const ENV_FALLBACK =
  /(?:(?:process\.env(?:\.\w+|\[[^\]\n]+\])|System\.get_?env\([^)\n]*\)|ENV\[[^\]\n]+\]|os\.environ\[[^\]\n]+\])\s*(?:\|\||\?\?|\?:|or)\s*|(?:os\.getenv|os\.environ\.get|ENV\.fetch|System\.get_env|Environment\.GetEnvironmentVariable)\(\s*(["'])[^"'\n]*\1\s*,\s*|String\.fromEnvironment\(\s*(["'])[^"'\n]*\2\s*,\s*defaultValue:\s*)["'`]/y;
const LITERAL_WRAPPER =
  /\[\]byte\(|Encoding\.\w+\.GetBytes\(|(?:cdk\.)?SecretValue\.(?:unsafePlainText|plainText)\(|raw(?=["'])/y;
const DIRECTIVE_FILE_KINDS = new Set<FileContext['kind']>(['config', 'other']);
const SECRET_DIRECTIVE = /(?:^|[-_])(?:password|passwd|pass|secret)$/i;

/**
 * A key followed by its value after spaces, with no operator, in a configuration file: a
 * directive at the start of its line (haproxy, slapd, nslcd, keepalived, cntlm, BIND, msmtp), or
 * one whose name ends with a password word after other words (`user admin insecure-password …`,
 * fetchmail's `… with password '…' is …`). `valueAt` is where the value starts.
 */
function isDirective(ctx: AssignmentContext, ks: number, key: string, valueAt: number): boolean {
  if (!DIRECTIVE_FILE_KINDS.has(ctx.file.kind)) return false;
  const before = ctx.text.slice(ctx.lineStart, ks);
  if (/^[ \t]*$/.test(before)) return true;
  // After other words, prose says "… for Password Show/Hide": there the name must be compound
  // (`insecure-password`) or the value quoted.
  if (!/[ \t]$/.test(before) || !SECRET_DIRECTIVE.test(key)) return false;
  const q = ctx.text.charCodeAt(valueAt);
  return /[-_]/.test(key) || q === 34 || q === 39; // not a backtick: Markdown's code, in prose
}

/** A statement that sets a login's password: `CREATE USER`, `ALTER ROLE`, `CREATE LOGIN`, `SET PASSWORD`. */
const SQL_STATEMENT = /\b(?:create|alter)\s+(?:user|role|login)\b|\bset\s+password\b|\bgrant\b[^;]*\bto\b/i;

/**
 * SQL: `CREATE ROLE app WITH LOGIN PASSWORD '…'`, `ALTER USER app IDENTIFIED BY "…"` (MySQL,
 * Oracle), `CREATE USER 'app'@'%' IDENTIFIED BY '…'`. The value is a password literal; MySQL's
 * `IDENTIFIED WITH plugin AS '<hash>'` and Postgres's stored `SCRAM-SHA-256$…` verifiers are hashes.
 */
function sqlPassword(ctx: AssignmentContext, key: string, at: number): Parsed | undefined {
  const { text, lineEnd } = ctx;
  let i = at;
  if (/^identified$/i.test(key)) {
    const by = /by[ \t]+/iy;
    by.lastIndex = i;
    if (!by.exec(text)) return undefined;
    i = by.lastIndex;
  } else if (!/^(?:password|passwd)$/i.test(key)) return undefined;
  if (!isQuote(text.charCodeAt(i))) return undefined;
  const got = quotedAt(text, i, lineEnd);
  return got && { key: 'password', valueStart: got.start, value: got.value, literal: true, form: 'assign' };
}

const TYPED_DECLARATION_FILES = /\.(?:go|bicep)$/;
const TYPED_DECLARATION = /[A-Za-z_][\w.]*(?:\[\])?[ \t]*=(?![=>])[ \t]*(?=["'`])/y;

/** Not a parameter declared as a mapping: the parse goes on. */
const NOT_NESTED = null;
const NESTED_VALUE_MEMBER =
  /^[ \t]*(?:"(?:Default|defaultValue|value)"|(?:Default|default|defaultValue|value))[ \t]*:[ \t]*/;
const JSON_VALUE_MEMBER = /[{,][ \t\r\n]*"(?:Default|defaultValue|value)"[ \t]*:[ \t]*(?=")/g;

/**
 * A parameter declared as a mapping, its value a member of it: a CloudFormation template's
 * `DBPassword:` with `Type: String`, `NoEcho: true` and `Default: …` below it (or its JSON form),
 * an ARM parameter file's `"adminPassword": { "value": "…" }`, an ARM template's `"defaultValue"`.
 * `at` is where the key's value would start: the line's end (YAML) or a `{` (JSON). The mapping is
 * read up to its end: in YAML the first line indented no deeper than the key, in JSON its `}`.
 */
function nestedValue(
  ctx: AssignmentContext,
  key: string,
  ks: number,
  at: number,
): Parsed | undefined | typeof NOT_NESTED {
  const { text, lineStart, lineEnd } = ctx;
  const c = text.charCodeAt(at);
  if (c === 123 /* { */ && text.charCodeAt(at + 1) !== 123 /* a template's {{ */) {
    const close = text.indexOf('}', at);
    if (close < 0 || close - at > 800) return undefined;
    JSON_VALUE_MEMBER.lastIndex = at;
    const m = JSON_VALUE_MEMBER.exec(text);
    if (!m || JSON_VALUE_MEMBER.lastIndex > close) return undefined;
    // A member of this object, not of one nested in it (Postman's `"auth": {"basic": [{"value": …}]}`).
    if (/[[{]/.test(text.slice(at + 1, m.index))) return undefined;
    const end = text.indexOf('\n', JSON_VALUE_MEMBER.lastIndex);
    const got = quotedAt(text, JSON_VALUE_MEMBER.lastIndex, end < 0 ? text.length : end);
    return got && { key, valueStart: got.start, value: got.value, literal: true, form: 'assign' };
  }
  if (at < lineEnd && c !== 35 /* # */ && c !== 13) return NOT_NESTED;
  let indent = 0;
  while (lineStart + indent < ks && isSpace(text.charCodeAt(lineStart + indent))) indent++;
  let next = lineEnd;
  for (let n = 0; n < 12 && next < text.length; n++) {
    const start = next + 1;
    next = text.indexOf('\n', start);
    if (next < 0) next = text.length;
    let depth = 0;
    while (start + depth < next && isSpace(text.charCodeAt(start + depth))) depth++;
    if (start + depth >= next || text.charCodeAt(start + depth) === 35) continue; // blank, comment
    if (depth <= indent) return undefined;
    const m = NESTED_VALUE_MEMBER.exec(text.slice(start, next));
    if (!m) continue;
    const from = start + m[0].length;
    const got = isQuote(text.charCodeAt(from)) ? quotedAt(text, from, next) : bareAt(text, from, next);
    return got && { key, valueStart: got.start, value: got.value, literal: true, form: 'assign' };
  }
  return undefined;
}

const TERRAFORM_DEFAULT = /^[ \t]*default[ \t]*=[ \t]*/;

/**
 * `variable "smtp_password" { … default = "…" }`: in Terraform the name is the block's label and
 * the value its `default`, a few lines down (up to the block's closing brace at the line start).
 */
function terraformDefault(
  ctx: AssignmentContext,
  key: string,
  ks: number,
  brace: number,
): Parsed | undefined {
  const { text, lineStart } = ctx;
  if (!/\.(?:tf|hcl)$/.test(ctx.file.path) || !/^[ \t]*variable[ \t]+"$/.test(text.slice(lineStart, ks)))
    return undefined;
  let at = text.indexOf('\n', brace);
  for (let n = 0; at >= 0 && n < 30; n++) {
    const start = at + 1;
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (text.charCodeAt(start) === 125 /* } */) return undefined;
    const m = TERRAFORM_DEFAULT.exec(text.slice(start, end));
    if (m) {
      const got = isQuote(text.charCodeAt(start + m[0].length))
        ? quotedAt(text, start + m[0].length, end)
        : undefined;
      return got && { key, valueStart: got.start, value: got.value, literal: true, form: 'assign' };
    }
    at = end < text.length ? end : -1;
  }
  return undefined;
}

/** `arn:aws:secretsmanager:…:secret:name`: a resource type inside an ARN, not a key. */
function inArn(text: string, lineStart: number, at: number): boolean {
  let i = at;
  // Back to the start of the value: a space, a quote or the `=` of `LDAP_SECRET_ARN=arn:…`.
  while (
    i > lineStart &&
    !isSpace(text.charCodeAt(i - 1)) &&
    !isQuote(text.charCodeAt(i - 1)) &&
    text.charCodeAt(i - 1) !== 61
  )
    i--;
  return text.startsWith('arn:', i);
}

/** `Authorization: Bearer <token>` / `Basic <base64>` / `token <token>`, quoted or not. */
function headerValue(ctx: AssignmentContext, key: string, at: number): Parsed | undefined {
  if (!/auth|token|header/i.test(key)) return undefined;
  const { text, lineStart, lineEnd } = ctx;
  const quoted = isQuote(text.charCodeAt(at));
  const scheme = /(bearer|basic|token)\s+/iy;
  scheme.lastIndex = at + (quoted ? 1 : 0);
  const sm = scheme.exec(text);
  if (!sm) return undefined;
  const i = scheme.lastIndex;
  let j = i;
  while (j < lineEnd && /[A-Za-z0-9._~+/=-]/.test(text[j] as string)) j++;
  if (j === i) return undefined;
  return {
    key,
    valueStart: i,
    value: text.slice(i, j),
    literal: quoted || (ctx.file.kind === 'code' && insideString(text, lineStart, at)),
    form: 'header',
    header: (sm[1] ?? '').toLowerCase() === 'basic' ? 'basic' : 'bearer',
  };
}

type Category = 'password' | 'secret' | 'token' | 'api_key' | 'authorization';

function categorize(words: string[], joined: string): Category | undefined {
  // NuGet.Config's `ClearTextPassword` (its `text` is no field label).
  if (joined === 'cleartextpassword') return 'password';
  // Yarn Berry's `npmAuthIdent: "user:password"` (or its base64).
  if (joined.endsWith('npmauthident')) return 'password';
  const last = words[words.length - 1] as string;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    // `EMAIL_HOST_PASSWORD`, `SMTP_SERVER_PASS`: a place qualifies the password, it is not the value.
    if (EXCLUDED_WORDS.has(w) && !(i < words.length - 1 && PLACE_WORDS.has(w) && PASSWORD_HEADS.has(last)))
      return undefined;
  }
  if (NOT_SECRET_HEADS.has(words[words.length - 1] as string)) return undefined;
  // Shopify's API key is the app's client id (OAuth sends it in the clear); its API secret is not.
  if (
    words.includes('shopify') &&
    last === 'key' &&
    !words.some((w) => /secret|access|admin|private/.test(w))
  )
    return undefined;
  // Pusher's app key and id are public (browsers use them); its app secret is not.
  if (words.includes('pusher') && !words.some((w) => w.includes('secret'))) return undefined;
  if (words.includes('authorization')) return 'authorization';
  // `passValue(…)`, `pass_through`: `pass` first of several words is a verb, not a password.
  if (
    words[0] === 'pass' &&
    words.length >= 2 &&
    !PASSWORD_HEADS.has(last) &&
    !/^(?:word|phrase|code|key)$/.test(last)
  )
    return undefined;
  if (
    words.some(
      (w) =>
        w === 'pass' ||
        w === 'pwd' ||
        w === 'passwd' ||
        w === 'password' ||
        w === 'passphrase' ||
        w === 'passwort' ||
        // sssd's `ldap_default_authtok`, Redis's `requirepass` and `masterauth`, slapd's `rootpw`,
        // nslcd's `bindpw`, a Wi-Fi `psk`.
        w === 'authtok' ||
        w === 'rootpw' ||
        w === 'bindpw' ||
        w === 'psk' ||
        w === 'requirepass' ||
        w === 'masterauth' ||
        (w.endsWith('password') && w.length <= 16) ||
        (w.endsWith('pass') &&
          w.length <= 8 &&
          /^(?:db|my|sql|smtp|ftp|mail|user|admin|root|redis|ldap)pass$/.test(w)),
    )
  )
    return 'password';
  if (
    /apikey|accesskey|authkey|signingkey|encryptionkey|masterkey|presharedkey|fernetkey|sdkkey|serverkey|appkey|privatekey|licensekey|clientkey|secretkey|subscriptionkey|consumerkey|servicekey|adminkey/.test(
      joined,
    ) ||
    (words[words.length - 1] === 'key' &&
      words.length >= 2 &&
      /^(?:api|access|secret|private|auth|app|client|service|master)$/.test(
        words[words.length - 2] as string,
      ))
  )
    return words.some((w) => w.includes('secret')) ? 'secret' : 'api_key';
  // `OPENAI_KEY`, `stripe.key`: a key named after the service it opens.
  if (words.length === 2 && words[1] === 'key' && SERVICE_NAMES.has(words[0] as string)) return 'api_key';
  if (words.some((w) => w === 'secret' || w.endsWith('secret') || w === 'secrets')) return 'secret';
  if (words.some((w) => w === 'token' || w.endsWith('token') || w === 'authtoken')) return 'token';
  if (words.length === 1 && (words[0] === 'auth' || words[0] === 'apikey')) return 'token';
  return undefined;
}

const TEMPLATE =
  /\$[A-Z_][A-Z0-9_]{2,}|\$\{|\{\{|\}\}|\{%|%\}|%\(|#\{|\$\(|(?:^|[^A-Za-z0-9])%[sdv]\b|\{\d*\}|^\$[A-Za-z_]|^%[A-Za-z_]+%$|^@[A-Za-z_]+@$|^<.*>$|^\[\[.*\]\]$|^__[A-Z0-9_]+__$/;
const CODE_REFERENCE =
  /^(?:process\.env|import\.meta\.env|os\.environ|os\.getenv|env|ENV|System\.getenv|Environment\.|secrets|vars|config|settings|self|this|props|req|request|ctx|params|args|options|opts|window|document|localStorage|sessionStorage)\b/;
// wpa_supplicant's `hash:<NT hash>`, Transmission's `{<sha1><salt>}`, Dovecot's `{SSHA512}…`.
const HASH_SHAPE =
  /^(?:hash:[0-9a-f]{32}$|\{[0-9a-f]{40}|SCRAM-SHA-256\$|md5[0-9a-f]{32}$|\$2[abxy]?\$\d\d\$|\$argon2|\$[156]\$|\$pbkdf2|\$scrypt|pbkdf2_sha|sha\d+[$:-]|\{S?SHA\d*\}|\{bcrypt\}|md5[$:]|sha1\$|bcrypt\$|argon2\$)/i;
/** A SOPS-encrypted value (`ENC[AES256_GCM,data:…,iv:…,tag:…,type:str]`): ciphertext, not the secret. */
const POWERSHELL_CMDLET = /^(?:Get|Read|ConvertTo|ConvertFrom|Import|New|Invoke|Unprotect)-[A-Z][A-Za-z]+$/;
const SOPS_CIPHERTEXT = /^ENC\[[A-Z0-9_]+,data:/;
/**
 * Maven's encrypted password: `{base64}` (Maven 3's `mvn --encrypt-password`, opened only with
 * settings-security.xml's master password) and `{[name=master,cipher=AES/GCM/NoPadding,version=4.0]base64}`
 * (Maven 4's `mvnenc encrypt`).
 */
const MAVEN_ENCRYPTED = /^\{(?:\[[\w=.,/-]+\])?[A-Za-z0-9+/]{16,}={0,2}\}$/;
const WEAK_WORDS =
  /passw|p[a@4][s5$]{2}\W?w[o0]rd|p[4@#][s5$]{2}|pa[5$]{2}|salt|secret|s3cr3t|token|apikey|api_key|test|demo|mock|stub|sample|lorem|ipsum|hunter|todo|fixme|none|null|undefined|admin|guest|default|qwerty|letmein|welcome|changeit|abc123|foobar|example|insecure|unsafe|notsecret|dev[_-]?only/i;
/** Algorithm names a setting chooses (`password_encryption = scram-sha-256`), not secrets. */
const ALGORITHM_NAME =
  /^(?:scram-sha-(?:1|256)(?:-plus)?|(?:hmac-?)?sha-?(?:1|224|256|384|512)|md5|aes-?(?:128|192|256)(?:-(?:gcm|cbc|ctr|ecb))?|chacha20-poly1305|pbkdf2[\w-]*|bcrypt|argon2(?:id|i|d)?|ed25519|x25519|rsa-?(?:sha-?\d+|\d+)?|[hre]s(?:256|384|512))$/i;
/** An OpenSSL cipher suite (`DHE-PSK-CAMELLIA256-SHA384` under `PSK_WITH_CAMELLIA_256_CBC_SHA384`). */
const CIPHER_SUITE =
  /^(?:[A-Z0-9]+[-_])*(?:AES|CAMELLIA|CHACHA20|ARIA|SEED|DES|3DES|RC4|NULL)\d*(?:[-_][A-Z0-9]+)*[-_](?:SHA\d*|MD5|POLY1305|GCM|CCM8?)$/;
/** A Firebase Cloud Messaging registration token (`<instance id>:APA91b…`): a device's address, not a credential. */
const FCM_REGISTRATION_TOKEN = /^[\w-]{11,}:APA91b[\w-]{100,}$/;
/** An ARM template expression (`"adminPassword": "[parameters('adminPassword')]"`): a reference, not a value. */
const ARM_EXPRESSION = /^\[[A-Za-z]+\(.*\)\]$/;
/** Text written as escapes (`\u30D1\u30B9…`, `Schl\u00FCssel`, `b't\xc3\xa1…'`) or in a non-Latin script: a message, not a key. */
const NATURAL_TEXT = /\\u[0-9a-fA-F]{4}|(?:\\\\?x[0-9a-fA-F]{2}){2}|[\u0080-\u{10ffff}]/u;
/** `Jobs[-1].JobId`, `data.items[0].token`: a path into a document (JMESPath, JSONPath), not a value. */
const PROPERTY_PATH = /^[A-Za-z_$][\w$]*(?:\[[^\]]*\])*(?:\.[A-Za-z_$][\w$]*(?:\[[^\]]*\])*)+$/;
/** Interpolation in an f-string or format string: `f"{name}@{host}"`, `"{0}:{token}"`. */
const INTERPOLATION = /\{[A-Za-z_][^{}]*\}/;
/** Regular-expression syntax: a pattern matching secrets, not a secret. */
const REGEX_SYNTAX =
  /\[\^|\(\?[:=!<]|\\[dswbDSWB]|\{\d+,\d*\}|\[[A-Za-z0-9]-[A-Za-z0-9]|\[[^\]]*(?:0-9|a-z|A-Z)[^\]]*\]/;

function looksLikeIdentifier(value: string): boolean {
  // Member access, calls, indexing or a bare identifier are code, not secrets.
  if (/[()[\]{}]|\?\.|=>|::|->/.test(value)) return true;
  // `config.db.password`, `settings.SECRET_KEY`: member access (a random part would hold digits).
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value) && !/\d/.test(value)) return true;
  if (/^[A-Za-z_$][A-Za-z_$]*$/.test(value)) return true; // a bare identifier without digits
  return false;
}

const WORD_PREFIXED_KEY = /^(?:secret|token|key|apikey)[-_]([A-Za-z0-9]{32,})$/;
const CHAINED_ASSIGNMENT =
  /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*(?:=[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*){2,}$/;
const CONSONANT_RUN = /[b-df-hj-np-tv-xz]{5}/;
const PASSPHRASE = /^[a-z]{3,}(?:-[a-z]{3,}){2,}-\d{2,}$/;
const APPLE_APP_PASSWORD = /^[a-z]{4}-[a-z]{4}-[a-z]{4}-[a-z]{4}$/;

const isRandomAwsSecret = (provider: { type: string }, value: string): boolean =>
  provider.type === 'aws_secret_access_key' && !isCamelCaseWords(value) && shannonEntropy(value) >= 4.0;

/**
 * `SignatureV4SignWithCredentials`: words glued in CamelCase, not random characters. A run of
 * lowercase letters reads as a word when it has a vowel or is a short capitalised acronym
 * (`Http`, `Tls`): a random `edyemaRvxqSV9vwhdFM8` has runs, but `Rvxq` and `vwhd` are not words.
 * An uncapitalised run with five consonants in a row is not one either: random lower case and
 * digits (`4elkfmrxy56fudtldxnbkw…`, a Gitea OAuth secret) splits at its digits into such runs.
 */
function isCamelCaseWords(value: string): boolean {
  const words = value
    .match(/[A-Z]?[a-z]{3,}/g)
    ?.filter(
      (w) =>
        (/[aeiouy]/i.test(w) || (w.length <= 4 && /^[A-Z]/.test(w))) &&
        (/^[A-Z]/.test(w) || !CONSONANT_RUN.test(w)),
    );
  if (!words || words.length < 3) return false;
  return words.join('').length / value.length >= 0.7;
}

function looksLikePathOrUrl(value: string): boolean {
  if (value.includes('://')) return true;
  if (/^(?:\.\.?\/|~\/|[A-Za-z]:\\)/.test(value)) return true;
  if (value.startsWith('/')) return !isBase64WithSlashes(value);
  if (
    /\.(?:pem|key|json|txt|p12|pfx|crt|cer|env|ya?ml|ini|conf|cfg|properties|js|ts|py|rb|gpg|asc|jks|keystore|html?|php|png|svg)$/i.test(
      value,
    )
  )
    return true;
  if (/^[\w.+-]+@[\w-]+\.[\w.-]+$/.test(value)) return true; // email
  if (/^(?:[a-z0-9-]+\.)+[a-z]{2,}$/i.test(value) && !/\d/.test(value)) return true; // hostname
  if (/^(?:localhost|(?:[a-z0-9-]+\.)+[a-z]{2,}|\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/i.test(value)) return true; // host:port
  if (/^[\w-]+(?:\/[\w.-]+){2,}$/.test(value)) return !isBase64WithSlashes(value); // a/b/c path
  return false;
}

/**
 * `b/TRG0jRJRv/2G/KG7z76noXXsPxOjBl`: base64 of random bytes holds a `/` every 64 characters
 * on average, and then reads like a path. A path's segments are words and names; one segment
 * mixing lower case, upper case and digits (not CamelCase words) is not.
 */
function isBase64WithSlashes(value: string): boolean {
  if (value.includes('.')) return false;
  return value
    .split('/')
    .some((s) => s.length >= 8 && /[a-z]/.test(s) && /[A-Z]/.test(s) && /\d/.test(s) && !isCamelCaseWords(s));
}

function isDateOrNumber(value: string): boolean {
  return (
    /^[-+]?\d+(?:[.,:]\d+)*$/.test(value) ||
    /^v?\d+\.\d+/.test(value) ||
    /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(value)
  );
}

/** Strength of a password-like value: human or generated, but not a word, template or default. */
function judgePassword(v: string): boolean {
  if (v.length < 8 || v.length > 128) return false;
  // A dictionary-looking word; but not 12+ random lower-case letters (a Gmail app password,
  // `xmjgdnzs…`), where five consonants in a row say no word is written.
  if (/^[A-Z][a-z]+$|^[A-Z]+$/.test(v)) return false;
  if (/^[a-z]+$/.test(v) && !(v.length >= 12 && CONSONANT_RUN.test(v) && shannonEntropy(v) >= 3.3))
    return false;
  if (/^[A-Z]*(?:[A-Z][a-z]{2,}){2,}$/.test(v)) return false; // a CamelCase name (`StorageEncrypted`, `HTTPRedirectHandler`)
  if (/^[a-z]+[^A-Za-z0-9][a-z]+$/.test(v)) return false; // two words joined by a symbol
  const classes = charClasses(v);
  const entropy = shannonEntropy(v);
  if (classes.count === 1) return entropy >= 3.3; // the random lower-case letters above
  // Three classes: 2.75 bits lets an 8-character password repeat one character (keepalived's
  // `auth_pass` is cut to 8).
  if (classes.count >= 3 && entropy >= 2.75) return true;
  return classes.count >= 2 && v.length >= 14 && entropy >= 3.4 && (classes.digit || classes.upper);
}

/** Strength of a key-like value (secret, token, api key). */
function judgeKey(v: string): boolean {
  if (v.length < 16) return judgeShortKey(v);
  if (v.length > 1024) return false;
  if (isHex(v)) {
    // Hex under a secret-ish key is a key (Rails/Django secrets, Datadog, OAuth client secrets).
    return shannonEntropy(v) >= 3.0 && /[0-9]/.test(v) && /[a-f]/i.test(v) && longestRun(v) < 5;
  }
  const entropy = shannonEntropy(v);
  if (entropy < (v.length >= 32 ? 3.5 : 3.3)) return false;
  const classes = charClasses(v);
  if (classes.count < 2) return false;
  if (!classes.digit) {
    // Letters only: random mixed case passes, CamelCase identifiers and words do not.
    const upper = v.replace(/[^A-Z]/g, '').length;
    const letters = v.replace(/[^A-Za-z]/g, '').length;
    if (v.length < 20 || letters === 0 || upper / letters < 0.2 || upper / letters > 0.8) return false;
  }
  // Mostly one case of letters joined by separators: words, not a key. Unless one part is long
  // and random: `key-` and 32 hex is a (Mailgun-style) key.
  if (
    (/^[a-z]+(?:[-_.][a-z0-9]+)+$/.test(v) ||
      (/^[A-Z0-9]+(?:[-_][A-Z0-9]+)+$/.test(v) && !/\d[A-Z]|[A-Z]\d/.test(v))) &&
    !v
      .split(/[-_.]/)
      .some(
        (part) => part.length >= 24 && /\d/.test(part) && shannonEntropy(part) >= (isHex(part) ? 3.0 : 3.5),
      )
  )
    return false;
  return true;
}

/**
 * A 12–15 character value under a secret, token or API-key name (a `client_secret` of 14 random characters)
 * counts only when it looks generated: every character class, symbols included, high entropy, and
 * not words joined by separators (`Ctrl-Shift-F12`, `My.App-V2`).
 */
function judgeShortKey(v: string): boolean {
  // Escapes and quotes are string syntax (`"foo\\u000Xbar"` in a parser's tests), not generated characters.
  if (v.length < 12 || /[\\"'`]/.test(v)) return false;
  // Base64 padding is no symbol a generator chose: `INin2YTZhQ==` is 8 bytes (a tokenizer's entry).
  if (charClasses(v.replace(/=+$/, '')).count < 4 || shannonEntropy(v) < 3.0) return false;
  const segments = v.split(/[-_.+]/);
  return segments.length < 2 || !segments.every((w) => /^(?:[A-Z]?[a-z]+|[A-Z]+)?\d*$/.test(w));
}

/** Judge a generic value; undefined when it is not a credential. */
function judgeValue(category: Category, value: string): boolean {
  const v = value;
  if (v.length === 0 || /\s/.test(v)) return false;
  if (isRedaction(v) || TEMPLATE.test(v) || CODE_REFERENCE.test(v) || HASH_SHAPE.test(v)) return false;
  if (v.startsWith('ENC[') && SOPS_CIPHERTEXT.test(v)) return false;
  if (MAVEN_ENCRYPTED.test(v)) return false;
  if (POWERSHELL_CMDLET.test(v)) return false; // `$BindPassword = Get-Secret -Name …`
  if (looksLikePlaceholder(v) || isDefaultPassword(v)) return false;
  // Statsig's server secret is `secret-` and 43 random characters: the word is its prefix.
  const prefixed = WORD_PREFIXED_KEY.exec(v);
  if (prefixed) return judgeKey(prefixed[1] as string) && !isDocumentedExample(v);
  if (WEAK_WORDS.test(v) || REGEX_SYNTAX.test(v)) return false;
  // Under a password name, a passphrase of words and a number (`firefly-badger-kestrel-97`) and
  // Apple's app-specific passwords (`pvtz-taxp-xapc-jltz`) are the password, not an identifier.
  if (category === 'password' && (PASSPHRASE.test(v) || APPLE_APP_PASSWORD.test(v))) return true;
  if (v.endsWith('\\') || /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(v)) return false; // escapes, CONSTANT_NAMES
  if (v.startsWith('arn:') || ALGORITHM_NAME.test(v) || NATURAL_TEXT.test(v)) return false;
  if (CIPHER_SUITE.test(v) || ARM_EXPRESSION.test(v) || FCM_REGISTRATION_TOKEN.test(v)) return false;
  if ((v.includes('[') && PROPERTY_PATH.test(v)) || INTERPOLATION.test(v) || isTypedInOrder(v)) return false;
  // A minifier's chained assignment: `e.AbstractMmlNode=e.indentAttributes=e.TEXCLASS=void`.
  if (v.includes('.') && CHAINED_ASSIGNMENT.test(v)) return false;
  if (isCamelCaseWords(v) || looksLikePathOrUrl(v) || isUuid(v) || isDateOrNumber(v)) return false;
  if (/^(?:sha\d+|md5)-/.test(v)) return false; // SRI integrity
  // Stripe publishable keys are public by design (they ship in web pages).
  if (/^pk_(?:live|test)_/.test(v)) return false;
  if (isTooShortForIssuerPrefix(v)) return false;
  // Laravel's `APP_KEY=base64:…`: 32 random bytes are a key; base64 of text is judged as that text.
  if (v.startsWith('base64:')) {
    const body = v.slice(7);
    const text = printableBase64(body);
    if (text !== undefined) return judgeValue(category, text);
    return /^[A-Za-z0-9+/]{40,}={0,2}$/.test(body) && shannonEntropy(body) >= 4.5;
  }
  // The next setting's key (`password= scmVersion=` in a shell list of `-D` flags): a word and `=`
  // that base64 padding could not end (its length is not a multiple of 4), and that reads as a
  // name: not `cqHHQX-3JC1bsD=`, a password that ends in `=`.
  if (v.length % 4 !== 0 && /^[A-Za-z_][\w.-]*=$/.test(v) && !judgePassword(v.slice(0, -1))) return false;
  if (/^[a-z]+(?:[-_.][a-z]+)+$/i.test(v)) return false; // kebab/snake words
  // Names made of words and numbers: `0006_require_contenttypes_0002` (a Django migration), `apr_md5_crypt`.
  if (/^(?:[a-z]+\d*|\d+)(?:[-_.](?:[a-z]+\d*|\d+))+$/.test(v) && (v.match(/[a-z]{3,}/g) ?? []).length >= 2)
    return false;
  // Serial, license and recovery codes (`A3-C4ZJMN-PQTZTL-…`): groups of capitals and digits.
  if (/^[A-Z0-9]{1,8}(?:-[A-Z0-9]{2,8}){2,}$/.test(v)) return false;
  // A Kubernetes Secret or an npm `_auth` line holds the value base64-encoded: judge what it says
  // (`user:password` is judged by its password).
  if (isBase64OfText(v)) return false;
  const decoded = printableBase64(v);
  if (decoded !== undefined && decoded !== v) {
    const colon = decoded.indexOf(':');
    return colon > 0 ? judgeValue('password', decoded.slice(colon + 1)) : judgeValue(category, decoded);
  }
  // A token used as a password (`basicAuthPassword: glc_…`) is longer than anyone types one.
  if (category === 'password' && v.length <= 128)
    return !isHashLength(v) && judgePassword(v) && !isDocumentedExample(v);
  return judgeKey(v) && !isDocumentedExample(v);
}

/**
 * A password no key names (`mysql -p…`, `sshpass -p …`, a `.pgpass` line) is judged as a
 * password assignment's value is; a backtick is command substitution, not part of a password.
 */
export function judgeBarePassword(value: string): boolean {
  return !value.includes('`') && judgeValue('password', value);
}

/** A value a format says is secret (an SSM SecureString's), judged as a secret key's value is. */
export function judgeBareSecret(value: string): boolean {
  return judgeValue('secret', value);
}

/**
 * The decoded text when `value` is base64 of printable ASCII, else undefined; whitespace around
 * it is dropped (`echo s3cr3t | base64` encodes a newline, a tokenizer's `\tprotected` a tab).
 */
export function printableBase64(value: string): string | undefined {
  // Padded base64, or unpadded base64url (`eyJzZXNzaW9uX2lkIjogImRlZmF1bHQifQ` is `{"session_id": "default"}`).
  if (value.length < 8 || !(/^[A-Za-z0-9+/]+={0,2}$/.test(value) || /^[A-Za-z0-9_-]+$/.test(value)))
    return undefined;
  if (value.length % 4 === 1 || (value.includes('=') && value.length % 4 !== 0)) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('latin1');
  const text = PRINTABLE_IN_WHITESPACE.exec(decoded)?.[1];
  return text !== undefined && text.length >= 6 ? text : undefined;
}

const PRINTABLE_IN_WHITESPACE = /^[\t\n\r ]*([\x20-\x7e]*?)[\t\n\r ]*$/;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Base64 of UTF-8 text beyond ASCII (a tokenizer's vocabulary: `"token_bytes": "2YTZhdiq2YY="`):
 * random bytes almost never decode as UTF-8 with a multi-byte character and no control codes.
 */
function isBase64OfText(value: string): boolean {
  if (value.length < 8 || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  let text: string;
  try {
    text = UTF8.decode(Buffer.from(value, 'base64'));
  } catch {
    return false;
  }
  return /[\u0080-\u{10ffff}]/u.test(text) && !/\p{Cc}|\ufffd/u.test(text.replace(/[\t\n\r]/g, ''));
}

const RAILS_ENCRYPTION_KEYS = new Set(['primarykey', 'deterministickey', 'keyderivationsalt']);
const B64_40 = /^[A-Za-z0-9/+]{40}$/;
const DD_CONTEXT = /datadog|\bdd_/i;
const HASHICORP_ACL_CONTEXT = /\b(?:consul|nomad|acl)\b/i;
const AZURE_STORAGE_KEY = /^[A-Za-z0-9+/]{86}==$/;
const AZURE_CONTEXT = /azure|blob\.core\.windows\.net/i;

/**
 * A Confluent Cloud "API key" is the key's id (16 capitals and digits), a user name sent with
 * its API secret: `confluentcloud:cloudApiKey` beside `cloudApiSecret`.
 */
function isConfluentKeyId(joined: string, value: string, nearby: () => string): boolean {
  return joined.endsWith('apikey') && /^[A-Z0-9]{16}$/.test(value) && /confluent|kafka/i.test(nearby());
}

/** Provider-specific values recognised by key name. */
function keyed(
  joined: string,
  value: string,
  nearby: () => string,
): { type: string; provider: string } | undefined {
  if ((joined.includes('aws') && joined.includes('secret')) || joined.includes('secretaccesskey')) {
    if (B64_40.test(value) && !isHex(value) && !isCamelCaseWords(value))
      return { type: 'aws_secret_access_key', provider: 'aws' };
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
  if (joined.includes('twilio') && /token|secret/.test(joined) && /^[0-9a-f]{32}$/.test(value))
    return { type: 'twilio_auth_token', provider: 'twilio' };
  // Basic auth with a Twilio account SID as the user (a Postman collection's username/password pair).
  if (joined === 'password' && /^[0-9a-f]{32}$/.test(value) && /\bAC[0-9a-f]{32}\b/.test(nearby()))
    return { type: 'twilio_auth_token', provider: 'twilio' };
  // An Azure storage account key (64 bytes, base64): under its own name (Terraform's
  // `storage_account_key`, an ARM parameter's `storageAccountKey`), or under a plain `key` in a
  // file about Azure storage (rclone's `[remote] type = azureblob … key = …`).
  if (
    (joined.endsWith('accountkey') ||
      joined.endsWith('storagekey') ||
      (joined === 'key' && AZURE_CONTEXT.test(nearby()))) &&
    AZURE_STORAGE_KEY.test(value) &&
    !isAzureEmulatorKey(value)
  )
    return { type: 'azure_storage_account_key', provider: 'azure' };
  // Consul and Nomad ACL tokens are UUIDs: `token = "…"` in an agent's configuration.
  if (joined.endsWith('token') && isUuid(value) && HASHICORP_ACL_CONTEXT.test(nearby()))
    return { type: 'generic_token', provider: 'generic' };
  // A PagerDuty integration key (Events API v2 `routing_key`, v1 `service_key`): 32 hex, in
  // Alertmanager's `pagerduty_configs` or any file about PagerDuty. Elsewhere a routing key is a queue's.
  if ((joined === 'routingkey' || joined === 'integrationkey') && /^[0-9a-f]{32}$/.test(value)) {
    if (/pagerduty/i.test(nearby())) return { type: 'generic_api_key', provider: 'generic' };
  }
  // An Opsgenie API (GenieKey) key is a UUID.
  if (joined.includes('opsgenie') && joined.endsWith('key') && isUuid(value))
    return { type: 'generic_api_key', provider: 'generic' };
  // Codecov's upload token and Snyk's API token are random UUIDs.
  if (/^(?:codecov|snyk)(?:upload|api|auth)?(?:token|key)$/.test(joined) && isRandomUuid(value))
    return { type: 'generic_token', provider: 'generic' };
  if (joined.includes('heroku') && (isUuid(value) || /^HRKU-[A-Za-z0-9_-]{20,}$/.test(value)))
    return { type: 'heroku_api_key', provider: 'heroku' };
  if (joined.includes('wandb') && /^[0-9a-f]{40}$/.test(value))
    return { type: 'wandb_api_key', provider: 'wandb' };
  // A .netrc's password is never a stored hash: 40 hex there is an API key (`wandb login` writes
  // `machine api.wandb.ai login user password <40 hex>`).
  if (joined === 'password' && /^[0-9a-f]{32,64}$/.test(value) && /(?:^|\s)machine\s+\S+/.test(nearby()))
    return /wandb/.test(nearby())
      ? { type: 'wandb_api_key', provider: 'wandb' }
      : { type: 'generic_api_key', provider: 'generic' };
  // `machine api.heroku.com login … password <uuid>` in a .netrc is the Heroku CLI's API key.
  if (joined === 'password' && (isUuid(value) || value.startsWith('HRKU-')) && /heroku\.com/.test(nearby()))
    return { type: 'heroku_api_key', provider: 'heroku' };
  if (joined.endsWith('authtoken') && isUuid(value) && /npm|registry|yarn/i.test(nearby()))
    return { type: 'npm_legacy_token', provider: 'npm' };
  if (joined.includes('mailgun') && /^[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}$/.test(value))
    return { type: 'mailgun_api_key', provider: 'mailgun' };
  // ASP.NET `<machineKey validationKey="…" decryptionKey="…">` signs and encrypts ViewState and
  // forms-auth cookies: with it, a forged ViewState runs code on the server.
  if ((joined === 'validationkey' || joined === 'decryptionkey') && /^[0-9A-Fa-f]{32,}$/.test(value)) {
    if (/machineKey/i.test(nearby())) return { type: 'aspnet_machine_key', provider: 'aspnet' };
  }
  // Rails `active_record_encryption` keys (bin/rails db:encryption:init) in a credentials file.
  if (
    RAILS_ENCRYPTION_KEYS.has(joined) &&
    /^[A-Za-z0-9]{20,}$/.test(value) &&
    /active_record_encryption/.test(nearby())
  )
    return { type: 'rails_encryption_key', provider: 'rails' };

  return undefined;
}

const GENERATED_DEV_CONFIG = /(?:^|\/)config\/(?:dev|test)\.exs$/;
const EXAMPLE_MARK = /[A-Z0-9]EXAMPLE(?![a-z])|(?<![A-Za-z])EXAMPLE[A-Z0-9]/;

/** Where a generic value may be reported, and how sure the engine may be about it. */
function contextConfidence(ctx: AssignmentContext, parsed: Parsed, kwStart: number): Confidence | undefined {
  const kind = ctx.file.kind;
  if (kind === 'lock' || kind === 'declaration' || kind === 'generated') return undefined;
  // In source code (and Terraform/HCL) an unquoted value is an expression.
  if (kind === 'code' && !parsed.literal) return undefined;
  // API documentation shows example values: an examples document, or a line holding one of the
  // AWS documentation's marked values (`AccessKeyId=ABCDE12345670EXAMPLE, RawSecretAccessKey=…`).
  if (ctx.file.example || EXAMPLE_MARK.test(ctx.text.slice(ctx.lineStart, ctx.lineEnd))) return 'low';
  // `mix phx.new` writes a random secret_key_base into config/dev.exs and config/test.exs, and
  // every Phoenix project commits them: values for a developer's machine.
  if (GENERATED_DEV_CONFIG.test(ctx.file.path)) return 'low';
  return inPublishedLink(ctx, kwStart) ? 'low' : 'medium';
}

/**
 * The query of a link made to be published: a status badge's image (`…/badge.svg?token=…`,
 * `….svg?style=svg&circle-token=…`) or a meeting invitation (`zoom.us/j/952…?pwd=…`).
 */
const PUBLISHED_LINK_QUERY =
  /https?:\/\/(?:img\.shields\.io\/[^\s"'()<>?]*|[^\s"'()<>?]*(?:\.svg|\.png|\/badges?\b[^\s"'()<>?]*)|(?:[\w-]+\.)?zoom\.us\/[jw]\/\d+)\?[^\s"'()<>]*$/;

/**
 * Codecov and CircleCI badge tokens are read-only by design and meant for a README's badge, and
 * a Zoom link carries its meeting passcode for whoever is invited: a value there is low confidence.
 */
function inPublishedLink(ctx: AssignmentContext, kwStart: number): boolean {
  const before = ctx.text.slice(Math.max(ctx.lineStart, kwStart - 300), kwStart);
  return before.includes('?') && PUBLISHED_LINK_QUERY.test(before);
}

/** Offsets of a text's multi-line string delimiters, computed once per text. */
let quoteCache: { text: string; triple: number[]; backticks: number[] } | undefined;

function delimiters(text: string): { triple: number[]; backticks: number[] } {
  if (quoteCache?.text === text) return quoteCache;
  const triple: number[] = [];
  for (const q of ['"""', "'''"])
    for (let i = text.indexOf(q); i >= 0; i = text.indexOf(q, i + 3)) triple.push(i);
  triple.sort((x, y) => x - y);
  const backticks: number[] = [];
  for (let i = text.indexOf('`'); i >= 0; i = text.indexOf('`', i + 1))
    if (text.charCodeAt(i - 1) !== 92 /* \\ */) backticks.push(i);
  quoteCache = { text, triple, backticks };
  return quoteCache;
}

/** How many of the sorted offsets lie before `at`. */
function countBefore(offsets: readonly number[], at: number): number {
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((offsets[mid] as number) < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const BACKTICK_STRINGS = /\.(?:[cm]?js|jsx|[cm]?ts|tsx|go)$/;
/** Languages with `"""` strings; in Python and Julia one that stands alone is a docstring. */
const TRIPLE_QUOTED_STRINGS = /\.(?:pyi?|jl|kts?|scala|swift|groovy)$/;
const DOCSTRINGS = /\.(?:pyi?|jl)$/;

/**
 * The multi-line string the line is in, if any. A Python triple-quoted string that stands as a
 * statement is a docstring (`doc`: it shows example values); one assigned or passed (`CONFIG =
 * """…`, `run("""…`), a JavaScript template literal or a Go raw string holds data (`data`: an
 * embedded .env, YAML or INI whose values are literals).
 */
function multilineString(ctx: AssignmentContext): 'doc' | 'data' | undefined {
  const { text, lineStart, file } = ctx;
  if (TRIPLE_QUOTED_STRINGS.test(file.path)) {
    const { triple } = delimiters(text);
    const n = countBefore(triple, lineStart);
    if (n % 2 === 0) return undefined;
    const open = triple[n - 1] as number;
    const before = text.slice(text.lastIndexOf('\n', open - 1) + 1, open);
    return DOCSTRINGS.test(file.path) && /^\s*[rbuRBUfF]{0,2}$/.test(before) ? 'doc' : 'data';
  }
  if (BACKTICK_STRINGS.test(file.path)) {
    // Only a template literal or raw string that opens a block (`const env = \`` at a line's end)
    // and began not long before: counting backticks through a whole bundle drifts (regex
    // literals, comments), and a drifted count would take code for data.
    const { backticks } = delimiters(text);
    const n = countBefore(backticks, lineStart);
    if (n % 2 === 0) return undefined;
    const open = backticks[n - 1] as number;
    const rest = text.indexOf('\n', open);
    return lineStart - open < 8000 && rest >= 0 && /^\s*$/.test(text.slice(open + 1, rest))
      ? 'data'
      : undefined;
  }
  return undefined;
}

/** A documentation comment line (` * …`, `/// …`): API docs show example values, not secrets. */
function isDocComment(ctx: AssignmentContext): boolean {
  const { text, lineStart, lineEnd } = ctx;
  const i = skipSpaces(text, lineStart, lineEnd);
  const c = text.charCodeAt(i);
  if (c === 42 /* * */) return text.charCodeAt(i + 1) !== 61; // not `*=`
  return text.startsWith('///', i) || text.startsWith('/**', i);
}

/** API documentation (JSDoc, `///`, Python docstrings) shows example values: low confidence there. */
function documented(ctx: AssignmentContext, hit: Hit): Hit {
  if (hit.confidence === 'low') return hit;
  if (ctx.file.kind === 'doc') return introducedAsExample(ctx) ? withHit(hit, { confidence: 'low' }) : hit;
  if (ctx.file.kind !== 'code') return hit;
  return isDocComment(ctx) || multilineString(ctx) === 'doc' ? withHit(hit, { confidence: 'low' }) : hit;
}

/** `documented` for a hit found by another detector (connection URLs): its line is found from its start. */
export function lowerIfDocumented(text: string, file: FileContext, hit: Hit): Hit {
  return documented(assignmentContextAt(text, hit.start, file), hit);
}

/** The line around offset `at`, as the assignment judge reads it. */
export function assignmentContextAt(text: string, at: number, file: FileContext): AssignmentContext {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const newline = text.indexOf('\n', at);
  return { text, lineStart, lineEnd: newline < 0 ? text.length : newline, file };
}

/** Prose that introduces what follows as an illustration. */
const EXAMPLE_PROSE =
  /\bfor (?:example|instance)\b|\be\.g\.|\bexamples?:|\bsomething like\b|\blooks? like this\b/i;

/**
 * In documentation, the three lines before a value (and its own) say "for example", "e.g.",
 * "looks like this": the Cargo book's `token = "854D…"` under "for example:". A document that
 * pastes a real credential rarely announces it as an illustration.
 */
function introducedAsExample(ctx: AssignmentContext): boolean {
  let start = ctx.lineStart;
  for (let n = 0; n < 3 && start > 0; n++) {
    const prev = ctx.text.lastIndexOf('\n', start - 2);
    start = prev + 1;
  }
  return EXAMPLE_PROSE.test(ctx.text.slice(Math.max(start, ctx.lineStart - 600), ctx.lineEnd));
}

const SEALED_CIPHERTEXT = /^Ag[A-Za-z0-9+/]{300,}={0,2}$/;

/**
 * Bitnami Sealed Secrets are made to be committed: `encryptedData` holds base64 of a 2-byte key
 * length (`Ag…`), an RSA-wrapped session key and AES-GCM ciphertext, readable only in the cluster.
 */
function isSealedSecretCiphertext(text: string, value: string): boolean {
  return SEALED_CIPHERTEXT.test(value) && /^kind:\s*SealedSecret\s*$/m.test(text);
}

/**
 * `<string name="backend_api_secret">…</string>` (Android resources): the element's text, also
 * after other attributes (`translatable="false"`). `i` is just past the name's closing quote.
 */
function elementTextAfterName(
  text: string,
  lineStart: number,
  lineEnd: number,
  ks: number,
  i: number,
): { start: number; value: string } | undefined {
  if (!/<[\w.:-]+\s+name=["']$/.test(text.slice(lineStart, ks))) return undefined;
  const attributes = /(?:\s+[\w:-]+=(?:"[^"\n]*"|'[^'\n]*'))*\s*>/y;
  attributes.lastIndex = i;
  const open = attributes.exec(text);
  if (!open) return undefined;
  const start = i + open[0].length;
  const close = text.indexOf('</', start);
  if (start > lineEnd || close < 0 || close > lineEnd) return undefined;
  return { start, value: text.slice(start, close) };
}

const CODE_ELEMENT = /<(code|kbd|tt|samp)>([^<\n]+)<\/\1>/y;
/** An element's attributes up to its `>`: `encoding="base64">`. */
const ELEMENT_ATTRIBUTES = /(?:[\w:-]+=(?:"[^"\n]*"|'[^'\n]*')\s*)+>/y;
/** `As String =` after a VB.NET name (the type may be qualified or generic). */
const VB_TYPED = /^As\s+[\w.]+(?:\(Of [\w.]+\))?\s*=(?!=)\s*/;
const CLOJURE = /\.(?:clj[cs]?|edn)$/;

/**
 * A Clojure keyword (`:service-token`), the name a `def` binds, or a symbol that opens its line or
 * a vector or map: a `let` binding (`[db-password "…"]`) or a destructuring default
 * (`:or {jwt-secret "…"}`). Not a symbol passed to a call (`(check user password "…")`).
 */
function clojureKey(text: string, lineStart: number, ks: number, before: number): boolean {
  if (before === 58 /* : */) return true;
  const lead = text.slice(lineStart, ks);
  return /\((?:def|defonce)\s+(?:\^:?[\w-]+\s+)*$|(?:^|[[{])\s*$/.test(lead);
}

const OPENPGP_KEY_ID = /^(?:0x)?(?:[0-9A-Fa-f]{8}|[0-9A-Fa-f]{16}|[0-9A-Fa-f]{40})!?$/;
const DELIMITED_TABLE = /\.(?:csv|tsv)$/i;
/** A header naming a secret: any word the keyword pass looks for. */
const SECRET_WORD = new RegExp(GENERIC_KEYWORDS.source, 'i');

/**
 * A table exported as CSV or TSV (an API-key inventory, a user export): a column whose header
 * names a secret (\`token\`, \`api_key\`, \`password\`) holds one value per row, each judged as that
 * assignment would be. Cells are split as RFC 4180 reads them (quoted fields, doubled quotes).
 */
export function matchDelimitedColumns(
  text: string,
  file: FileContext,
  isKnownFormat: (v: string) => boolean,
  hits: Hit[],
): void {
  if (!DELIMITED_TABLE.test(file.path)) return;
  let headerEnd = text.indexOf('\n');
  if (headerEnd < 0) headerEnd = text.length;
  const header = text.slice(0, headerEnd).replace(/\r$/, '');
  const sep = header.includes('\t') ? '\t' : header.split(';').length > header.split(',').length ? ';' : ',';
  const columns = secretColumns(cellsOf(header, sep));
  if (columns.length === 0) return;
  for (let lineStart = headerEnd + 1; lineStart < text.length;) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const cells = cellsOf(text.slice(lineStart, lineEnd).replace(/\r$/, ''), sep).map((c) => ({
      start: lineStart + c.start,
      value: c.value,
    }));
    judgeRow({ text, lineStart, lineEnd, file }, columns, cells, isKnownFormat, hits);
    lineStart = lineEnd + 1;
  }
}

/** The columns of a table whose header names a secret: any word the keyword pass looks for. */
function secretColumns(header: ReadonlyArray<{ value: string }>): Array<{ key: string; index: number }> {
  return header
    .map((cell, index) => ({ key: cell.value.trim(), index }))
    .filter((c) => SECRET_WORD.test(c.key) && c.key.length <= 40);
}

/** Each non-empty cell of a row in a secret column, judged as `header = "cell"` (cell starts are text offsets). */
function judgeRow(
  ctx: AssignmentContext,
  columns: ReadonlyArray<{ key: string; index: number }>,
  cells: ReadonlyArray<{ start: number; value: string }>,
  isKnownFormat: (v: string) => boolean,
  hits: Hit[],
): void {
  for (const { key, index } of columns) {
    const cell = cells[index];
    if (!cell || cell.value === '') continue;
    const hit = judgeNamedValue(ctx, key, cell.start, cell.value, isKnownFormat);
    if (hit) hits.push(hit);
  }
}

const MARKDOWN_TABLE_RULE = /^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)+\|?[ \t]*$/gm;

/**
 * A Markdown table in documentation (a wiki's shared-accounts page): a column whose header names
 * a secret holds one value per row, as in a CSV. A cell's code span (`…`) is its value.
 */
export function matchMarkdownTables(
  text: string,
  file: FileContext,
  isKnownFormat: (v: string) => boolean,
  hits: Hit[],
): void {
  if (file.kind !== 'doc' || !text.includes('--')) return;
  MARKDOWN_TABLE_RULE.lastIndex = 0;
  let rule: RegExpExecArray | null;
  while ((rule = MARKDOWN_TABLE_RULE.exec(text)) !== null) {
    const headerEnd = rule.index - 1;
    if (headerEnd < 0) continue;
    const headerStart = text.lastIndexOf('\n', headerEnd - 1) + 1;
    const columns = secretColumns(markdownCells(text, headerStart, headerEnd));
    if (columns.length === 0) continue;
    let lineStart = MARKDOWN_TABLE_RULE.lastIndex + 1;
    while (lineStart < text.length) {
      let lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd < 0) lineEnd = text.length;
      if (!text.slice(lineStart, lineEnd).includes('|')) break;
      judgeRow(
        { text, lineStart, lineEnd, file },
        columns,
        markdownCells(text, lineStart, lineEnd),
        isKnownFormat,
        hits,
      );
      lineStart = lineEnd + 1;
    }
  }
}

/** The cells of a Markdown table row between its pipes, trimmed and out of their code spans, by offset. */
function markdownCells(
  text: string,
  lineStart: number,
  lineEnd: number,
): Array<{ start: number; value: string }> {
  const row = text.slice(lineStart, lineEnd).replace(/\r$/, '');
  const cells: Array<{ start: number; value: string }> = [];
  let from = row.trimStart().startsWith('|') ? row.indexOf('|') + 1 : 0;
  while (from <= row.length) {
    let to = row.indexOf('|', from);
    if (to < 0) to = row.length;
    const raw = row.slice(from, to);
    let value = raw.trim();
    let offset = from + raw.indexOf(value);
    const code = /^`([^`]+)`$/.exec(value);
    if (code) {
      value = code[1] as string;
      offset += 1;
    }
    if (to < row.length || value !== '') cells.push({ start: lineStart + offset, value });
    from = to + 1;
  }
  return cells;
}

/** The cells of one delimited row, with each value's offset in the row (quotes removed). */
function cellsOf(row: string, sep: string): Array<{ start: number; value: string }> {
  const cells: Array<{ start: number; value: string }> = [];
  let i = 0;
  while (i <= row.length) {
    if (row[i] === '"') {
      let j = i + 1;
      let value = '';
      while (j < row.length) {
        if (row[j] === '"' && row[j + 1] === '"') {
          value += '"';
          j += 2;
        } else if (row[j] === '"') break;
        else value += row[j++];
      }
      cells.push({ start: i + 1, value });
      const next = row.indexOf(sep, j);
      i = next < 0 ? row.length + 1 : next + 1;
    } else {
      const next = row.indexOf(sep, i);
      const end = next < 0 ? row.length : next;
      cells.push({ start: i, value: row.slice(i, end) });
      i = end + 1;
    }
  }
  return cells;
}

/**
 * A value whose name the file's structure gives rather than a key on its line (a table's header,
 * the map a member sits in), judged as `key = "value"` would be. `ctx` is the value's line.
 */
export function judgeNamedValue(
  ctx: AssignmentContext,
  key: string,
  valueStart: number,
  value: string,
  isKnownFormat: (v: string) => boolean,
): Hit | undefined {
  const parsed: Parsed = { key, valueStart, value, literal: true, form: 'assign' };
  return judgeAssignment(ctx, parsed, valueStart, isKnownFormat);
}

/** Analyse the assignment around one keyword hit. */
export function matchGeneric(
  ctx: AssignmentContext,
  kwStart: number,
  kwEnd: number,
  isKnownFormat: (v: string) => boolean,
): Hit | undefined {
  const parsed = parseAssignment(ctx, kwStart, kwEnd);
  return parsed && judgeAssignment(ctx, parsed, kwStart, isKnownFormat);
}

/** Whether the value `parsed` found is a credential, by its key's words, its strength and the file. */
function judgeAssignment(
  ctx: AssignmentContext,
  parsed: Parsed,
  kwStart: number,
  isKnownFormat: (v: string) => boolean,
): Hit | undefined {
  let value = parsed.value;
  // Truncated for show (`sk-ant-api03-...`, `ghp_…`): before the trailing dots are trimmed below.
  if (/(?:\.\.\.|…)$/.test(value)) return undefined;
  // Trailing punctuation of unquoted values in prose or configs.
  if (!parsed.literal || parsed.form === 'header') value = value.replace(/[.,;:]+$/, '');
  if (value.length < 6) return undefined;
  const { words, joined } = keyWords(parsed.key);
  if (words.length === 0 || words.length > 8) return undefined;
  // git's `signingkey = 04DA6BAA70CC5971`: an OpenPGP key's id or fingerprint names the key, it is not one.
  if (joined.endsWith('signingkey') && OPENPGP_KEY_ID.test(value)) return undefined;
  const confidence = contextConfidence(ctx, parsed, kwStart);
  if (!confidence) return undefined;
  // A value in a known format (ghp_…, sk_live_…, AKIA…) is judged by that format's detector alone.
  if (isKnownFormat(value)) return undefined;
  if (isSealedSecretCiphertext(ctx.text, value)) return undefined;
  const nearby = (): string => ctx.text.slice(Math.max(0, ctx.lineStart - 300), ctx.lineEnd);
  if (isConfluentKeyId(joined, value, nearby)) return undefined;
  const provider = keyed(joined, value, nearby);
  // An unquoted bare word is code (`password = getPassword`), but not under an AWS secret key name
  // when it has that key's exact shape and no words: about one real AWS secret key in 4,000 has no
  // digit, `/` or `+`.
  // Nor, outside source code, random letters (a `storePassword=` of mixed-case letters in
  // gradle.properties), judged below as any value is: words and CamelCase names stay quiet.
  if (
    !parsed.literal &&
    looksLikeIdentifier(value) &&
    !(provider && isRandomAwsSecret(provider, value)) &&
    !(ctx.file.kind !== 'code' && /^[A-Za-z]+$/.test(value))
  )
    return undefined;
  if (provider) {
    if (looksLikePlaceholder(value)) return undefined;
    return documented(
      ctx,
      valueHit(
        { type: provider.type, provider: provider.provider, revocable: provider.type === 'npm_legacy_token' },
        parsed.valueStart,
        value,
        confidence === 'low' ? 'low' : 'high',
        PRIORITY.keyed,
      ),
    );
  }
  const category = categorize(words, joined);
  if (!category) return undefined;
  if (category === 'authorization' || parsed.header) {
    const header = judgeHeader(parsed, value, confidence);
    return header && documented(ctx, header);
  }
  if (!judgeValue(category, value)) return undefined;
  // `TEST_DB_PASSWORD`, `fake_token`: the name says the value is a test's own.
  const named = words.some((w) => TEST_WORDS.has(w)) ? 'low' : confidence;
  return documented(
    ctx,
    valueHit(genericKind(`generic_${category}`), parsed.valueStart, value, named, PRIORITY.generic),
  );
}

const genericKind = (type: string) => ({ type, provider: 'generic', revocable: false });

function judgeHeader(parsed: Parsed, value: string, confidence: Confidence): Hit | undefined {
  if (!parsed.header) return undefined;
  let ok = false;
  if (parsed.header === 'basic') {
    if (!/^[A-Za-z0-9+/]{8,}={0,2}$/.test(value)) return undefined;
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0 || /[^\x20-\x7e]/.test(decoded)) return undefined;
    const password = decoded.slice(colon + 1);
    ok = judgeValue('password', password) || judgeValue('token', password);
  } else {
    // An opaque token minted as a random UUID (Heroku's API key, Codecov's upload token) is as
    // much a bearer credential as any other; a UUID elsewhere is usually an id.
    ok = value.length >= 20 && (judgeValue('token', value) || isRandomUuid(value));
  }
  if (!ok || isDocumentedExample(value)) return undefined;
  return valueHit(
    genericKind('authorization_header'),
    parsed.valueStart,
    value,
    confidence,
    PRIORITY.generic,
  );
}

/** True when a line is minified code (long, little whitespace): generic analysis is skipped there. */
export function isMinifiedLine(text: string, lineStart: number, lineEnd: number): boolean {
  const len = lineEnd - lineStart;
  if (len < MINIFIED_LINE) return false;
  let spaces = 0;
  for (let i = lineStart; i < lineEnd; i += 7) if (text.charCodeAt(i) === 32) spaces++;
  return spaces / (len / 7) < 0.08;
}
