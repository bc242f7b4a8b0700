/**
 * Settings whose name says nothing to the keyword pass: the map a value sits in says what it is.
 * Composer's `auth.json` keys its tokens by host (`"bearer": {"repo.example.com": "…"}`), Bundler
 * names a gem server's credentials after its host (`BUNDLE_GEMS__EXAMPLE__COM: "user:password"`),
 * and a Consul or Nomad agent keeps its gossip key under `encrypt` and its ACL tokens by role
 * (`tokens { agent = "…" }`). Each value is judged as an assignment of that name would be.
 */
import type { FileContext } from './context.ts';
import { assignmentContextAt, judgeNamedValue } from './generic.ts';
import { isUuid, shannonEntropy } from './heuristics.ts';
import type { Hit } from './model.ts';
import { GENERIC_TOKEN, PRIORITY, valueHit } from './model.ts';

type IsKnownFormat = (value: string) => boolean;

export function matchConfigMaps(
  text: string,
  file: FileContext,
  isKnownFormat: IsKnownFormat,
  hits: Hit[],
): void {
  // HCL is parsed as code (Terraform); an agent's .hcl is its configuration.
  if (HASHICORP_AGENT_CONFIG.test(file.path)) matchHashicorpAgent(text, file, isKnownFormat, hits);
  if (file.kind !== 'config' && file.kind !== 'other') return;
  if (COMPOSER_AUTH.test(file.path)) matchComposerAuth(text, file, isKnownFormat, hits);
  else if (NUGET_CONFIG.test(file.path)) matchNuGetApiKeys(text, file, isKnownFormat, hits);
  if (text.includes('BUNDLE_')) matchBundlerCredentials(text, file, isKnownFormat, hits);
}

function judgeAt(
  text: string,
  file: FileContext,
  key: string,
  start: number,
  value: string,
  isKnownFormat: IsKnownFormat,
  hits: Hit[],
): void {
  const hit = judgeNamedValue(assignmentContextAt(text, start, file), key, start, value, isKnownFormat);
  if (hit) hits.push(hit);
}

const COMPOSER_AUTH = /(?:^|\/)auth\.json$/;
/** The sections of auth.json that map a host to its token. https://getcomposer.org/doc/articles/authentication-for-private-packages.md */
const COMPOSER_TOKEN_MAP = /"(bearer|github-oauth|gitlab-oauth|gitlab-token|forgejo-token)"\s*:\s*\{/g;
const JSON_STRING_MEMBER = /"([^"\\\n]+)"\s*:\s*"((?:[^"\\\n]|\\.)*)"/g;

/**
 * Each `name = "value"` / `"name": "value"` member of the flat map each match of `opener` opens
 * (the match ends at its `{`), with the value's offset; a nested map is not descended into.
 */
function* mapMembers(
  text: string,
  opener: RegExp,
  member: RegExp,
): Generator<{ section: string; start: number; value: string }> {
  opener.lastIndex = 0;
  let section: RegExpExecArray | null;
  while ((section = opener.exec(text)) !== null) {
    const open = opener.lastIndex;
    const close = text.indexOf('}', open);
    if (close < 0) return;
    const block = text.slice(open, close);
    member.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = member.exec(block)) !== null) {
      const value = m[2] as string;
      yield { section: section[1] ?? '', start: open + m.index + m[0].length - value.length - 1, value };
    }
  }
}

function matchComposerAuth(text: string, file: FileContext, isKnownFormat: IsKnownFormat, hits: Hit[]): void {
  // `"gitlab-token": {"host": {"username": …, "token": …}}` is read by the keyword pass.
  for (const { section, start, value } of mapMembers(text, COMPOSER_TOKEN_MAP, JSON_STRING_MEMBER))
    judgeAt(text, file, `${section}_token`, start, value, isKnownFormat, hits);
}

const NUGET_CONFIG = /(?:^|\/)nuget\.config$/i;
const NUGET_API_KEYS = /<apikeys>([\s\S]*?)<\/apikeys>/gi;
const ADD_ELEMENT = /<add\s+key="[^"]*"\s+value="([^"]*)"/g;
/** `nuget setapikey` stores a key encrypted with the user's DPAPI key (a blob that starts `AQAAANCMnd8BFdERjHoAwE/Cl+sBAAAA`). */
const DPAPI_BLOB = /^AQAAANCMnd8BFdERjHoAwE\/Cl\+sB/;

/** NuGet.Config's `<apikeys>`: a push source's URL and its API key, as `nuget push` reads them. */
function matchNuGetApiKeys(text: string, file: FileContext, isKnownFormat: IsKnownFormat, hits: Hit[]): void {
  NUGET_API_KEYS.lastIndex = 0;
  let section: RegExpExecArray | null;
  while ((section = NUGET_API_KEYS.exec(text)) !== null) {
    const bodyStart = section.index + section[0].indexOf('>') + 1;
    ADD_ELEMENT.lastIndex = 0;
    let add: RegExpExecArray | null;
    while ((add = ADD_ELEMENT.exec(section[1] as string)) !== null) {
      const value = add[1] as string;
      if (DPAPI_BLOB.test(value)) continue;
      const start = bodyStart + add.index + add[0].length - value.length - 1;
      judgeAt(text, file, 'nuget_api_key', start, value, isKnownFormat, hits);
    }
  }
}

/**
 * `BUNDLE_<HOST>` with the host's dots written `__` (and its dashes `___`): the credentials
 * Bundler sends to that gem server, `user:password` or a token.
 * https://bundler.io/v2.5/man/bundle-config.1.html#CREDENTIALS-FOR-GEM-SOURCES
 */
const BUNDLER_CREDENTIAL = /\bBUNDLE_((?:[A-Z0-9]+_{2,3})+[A-Z]{2,})["']?[ \t]*[:=][ \t]*["']?([^\s"']+)/g;
/** Bundler settings that also hold `__`: per-gem build flags, mirrors, `bundle gem` defaults. */
const BUNDLER_SETTING = /^(?:BUILD|MIRROR|GEM|LOCAL|DISABLE|FORCE|SPECIFIC)__/;

function matchBundlerCredentials(
  text: string,
  file: FileContext,
  isKnownFormat: IsKnownFormat,
  hits: Hit[],
): void {
  BUNDLER_CREDENTIAL.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = BUNDLER_CREDENTIAL.exec(text)) !== null) {
    if (BUNDLER_SETTING.test(m[1] as string)) continue;
    const value = m[2] as string;
    const start = m.index + m[0].length - value.length;
    const colon = value.indexOf(':');
    if (colon > 0)
      judgeAt(text, file, 'password', start + colon + 1, value.slice(colon + 1), isKnownFormat, hits);
    else judgeAt(text, file, 'token', start, value, isKnownFormat, hits);
  }
}

const HASHICORP_AGENT_CONFIG =
  /(?:consul|nomad)[^/]*\/(?:[^/]+\/)*[^/]+\.(?:hcl|json)$|(?:consul|nomad)[^/]*\.(?:hcl|json)$/i;
/** `encrypt = "…"` (HCL) or `"encrypt": "…"` (JSON): the agents' gossip key, base64 of 16, 24 or 32 bytes. */
const GOSSIP_KEY = /(?:^|[\s{,])"?encrypt"?[ \t]*[=:][ \t]*"([A-Za-z0-9+/]{22,44}={0,2})"/g;
/** The ACL tokens an agent uses, by role: `tokens { agent = "…" }` or `"tokens": {"agent": "…"}`. */
const ACL_TOKENS_BLOCK = /(?:^|[\s{,])"?tokens"?[ \t]*[=:]?[ \t]*\{/g;
const ACL_TOKEN_MEMBER = /"?([a-z_]+)"?[ \t]*[=:][ \t]*"([^"\n]*)"/g;

function matchHashicorpAgent(
  text: string,
  file: FileContext,
  isKnownFormat: IsKnownFormat,
  hits: Hit[],
): void {
  GOSSIP_KEY.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = GOSSIP_KEY.exec(text)) !== null) {
    const value = m[1] as string;
    if (value.length % 4 !== 0 || ![16, 24, 32].includes(Buffer.from(value, 'base64').length)) continue;
    judgeAt(
      text,
      file,
      'gossip_secret_key',
      m.index + m[0].length - value.length - 1,
      value,
      isKnownFormat,
      hits,
    );
  }
  // A token's SecretID is a UUID; the built-in anonymous token's `00000000-…-0002` is no secret.
  for (const { start, value } of mapMembers(text, ACL_TOKENS_BLOCK, ACL_TOKEN_MEMBER))
    if (isUuid(value) && shannonEntropy(value) >= 3.0)
      hits.push(valueHit(GENERIC_TOKEN, start, value, 'medium', PRIORITY.generic));
}
