/**
 * The detection engine. One cheap candidate pass over the text finds every place a detector
 * could match, and detectors run only there:
 *
 * - anchors that contain `_` or `-` (`ghp_`, `sk_live_`, `xoxb-`, `glpat-`…) are found by
 *   `indexOf` on that character (memchr speed) and a table lookup on the character before it;
 * - the other anchors (`AKIA`, `-----BEGIN `, `://`, `AccountKey=`…) by one literal regex;
 * - generic assignments by one case-insensitive keyword regex (`secret|token|pass|pwd|key|auth`);
 * - shapes too plain to try everywhere (Discord bot tokens, Mailgun keys) only in files that
 *   name their issuer.
 *
 * Then AWS key ids are paired with a secret found near them, overlapping hits are resolved
 * (checksum-validated formats beat shapes beat keyword guesses), and the file's context sets
 * the confidence (a private key under `test/` is most likely a fixture).
 */
import {
  COMMAND_ANCHORS,
  COMMAND_PASSWORD,
  matchCommandPassword,
  matchSecureStringPassword,
  SECURE_STRING_ANCHOR,
} from './commands.ts';
import { matchConfigMaps } from './config-maps.ts';
import { matchEthereumKeys } from './ethereum.ts';
import { matchCredentialCalls } from './credential-calls.ts';
import { matchFileFormats, secretManifestData } from './credential-files.ts';
import type { FileContext } from './context.ts';
import { fileContext } from './context.ts';
import {
  GENERIC_KEYWORDS,
  isMinifiedLine,
  lowerIfDocumented,
  matchDelimitedColumns,
  matchMarkdownTables,
  matchGeneric,
  printableBase64,
} from './generic.ts';
import { charClasses, isHex, looksLikePlaceholder, shannonEntropy } from './heuristics.ts';
import { matchPairArguments, PAIR_ARGUMENT_ISSUER } from './issuer-pairs.ts';
import type { Hit } from './model.ts';
import { PRIORITY, valueHit, withHit } from './model.ts';
import {
  ENCODED_PEM_ANCHOR,
  matchEncodedPrivateKey,
  matchJwkPrivateKey,
  matchOpenVpnStaticKey,
  matchPrivateKey,
  matchPuttyKey,
} from './pem.ts';
import { fingerprint, redact } from './redact.ts';
import { matchWordPressKey } from './wordpress.ts';
import type { TokenSpec } from './tokens.ts';
import { AWS_KEY_ID_SPEC, leftBoundaryOk, matchSpec, TOKEN_SPECS } from './tokens.ts';
import type { Confidence, CredentialPart, Finding } from './types.ts';
import { matchUrlWithPassword } from './urls.ts';

/** A detector tried at an anchor's position; `context` tells whether the file names the issuer. */
type Matcher = (text: string, at: number, context: ContextCheck) => Hit | undefined;
type ContextCheck = (issuer: string) => boolean;

const SESSION_TOKEN = /(?:IQoJb3JpZ2luX2Vj|F[wQ]oGZXIvYXdzE)[A-Za-z0-9/+]{100,2000}={0,2}(?![A-Za-z0-9/+=])/y;

function matchSessionToken(text: string, at: number): Hit | undefined {
  if (!leftBoundaryOk(text, at)) return undefined;
  SESSION_TOKEN.lastIndex = at;
  const m = SESSION_TOKEN.exec(text);
  if (!m) return undefined;
  const value = m[0];
  if (looksLikePlaceholder(value) || shannonEntropy(value) < 4.5) return undefined;
  const kind = { type: 'aws_session_token', provider: 'aws', revocable: false };
  return valueHit(kind, at, value, 'high', PRIORITY.specific);
}

const AWS_SECRET_MARK = 'aws_secret_access_key';

/** The key id a presigned S3 URL carries (SigV4 `X-Amz-Credential=`, SigV2 `AWSAccessKeyId=`). */
const PRESIGNED_URL_ID = /(?:X-Amz-Credential|AWSAccessKeyId)=$/;

function matchAwsKeyId(text: string, at: number): Hit | undefined {
  const hit = matchSpec(AWS_KEY_ID_SPEC, text, at);
  if (!hit) return undefined;
  const longTerm = hit.secret.startsWith('AKIA');
  // A presigned URL shows the key id beside a signature that expires, never the secret: worth a
  // look (low confidence), not a revocation.
  const presigned = PRESIGNED_URL_ID.test(text.slice(Math.max(0, at - 17), at));
  return withHit(hit, {
    ...(presigned ? { confidence: 'low' as const } : {}),
    type: longTerm ? 'aws_access_key' : 'aws_temporary_access_key',
    revocable: longTerm,
    secret: JSON.stringify({ accessKeyId: hit.secret }),
    identity: hit.secret,
    preview: { value: hit.secret },
  });
}

const specMatcher =
  (spec: TokenSpec): Matcher =>
  (text, at, context) => {
    const hit = matchSpec(spec, text, at);
    if (!hit || !spec.fileContext || context(spec.fileContext)) return hit;
    return spec.withoutContext ? withHit(hit, { confidence: spec.withoutContext }) : undefined;
  };

interface Anchor {
  readonly literal: string;
  readonly matchers: Matcher[];
}

/**
 * Anchors found through a pivot character (`_`, `=`, `-`, `:`, `.`): for each character code
 * next to the pivot (before it, or after it when the anchor starts with the pivot), the
 * anchors to try there.
 */
interface PivotEntry {
  readonly offset: number;
  readonly anchor: Anchor;
}

interface PivotTable {
  readonly pivot: string;
  /** 128 entries, never holes (a holey array makes V8 deoptimise the scan loop): empty when none. */
  readonly byPrev: PivotEntry[][];
  readonly byNext: Anchor[][];
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Shapes that only count where the file names their issuer and whose anchors are too plain to pivot on. */
const CONTEXT_ONLY = TOKEN_SPECS.filter((s) => s.fileContext && s.anchors.every((a) => a.length <= 2));

/** Pivot characters, rarest first: each anchor is found through the first one it contains. */
const PIVOTS = ['_', '=', '-', ':'];

function buildIndex(): { pivots: PivotTable[]; literal: RegExp; literals: Map<string, Anchor> } {
  const anchors = new Map<string, Anchor>();
  const add = (literal: string, matcher: Matcher): void => {
    const a = anchors.get(literal) ?? { literal, matchers: [] };
    a.matchers.push(matcher);
    anchors.set(literal, a);
  };
  for (const spec of TOKEN_SPECS) {
    if (CONTEXT_ONLY.includes(spec)) continue;
    for (const a of spec.anchors) add(a, specMatcher(spec));
  }
  for (const a of AWS_KEY_ID_SPEC.anchors) add(a, matchAwsKeyId);
  add('-----BEGIN ', matchPrivateKey);
  add('-----BEGIN ', matchOpenVpnStaticKey);
  add('PuTTY-User-Key-File-', matchPuttyKey);
  add('kty', matchJwkPrivateKey);
  add(ENCODED_PEM_ANCHOR, matchEncodedPrivateKey);
  add('define(', matchWordPressKey);
  add('://', matchUrlWithPassword);
  add(':\\/\\/', matchUrlWithPassword);
  for (const a of COMMAND_ANCHORS) add(a, matchCommandPassword);
  add(SECURE_STRING_ANCHOR, matchSecureStringPassword);
  for (const a of ['IQoJb3JpZ2luX2Vj', 'FwoGZXIvYXdzE', 'FQoGZXIvYXdzE']) add(a, matchSessionToken);

  const pivots: PivotTable[] = PIVOTS.map((pivot) => ({
    pivot,
    byPrev: Array.from({ length: 128 }, (): PivotEntry[] => []),
    byNext: Array.from({ length: 128 }, (): Anchor[] => []),
  }));
  const literals = new Map<string, Anchor>();
  for (const anchor of anchors.values()) {
    const { literal } = anchor;
    const table = pivots.find((t) => literal.includes(t.pivot));
    if (!table) {
      literals.set(literal, anchor);
      continue;
    }
    const k = literal.indexOf(table.pivot);
    if (k > 0) table.byPrev[literal.charCodeAt(k - 1)]?.push({ offset: k, anchor });
    else table.byNext[literal.charCodeAt(1)]?.push(anchor);
  }
  // Longest first, then by code unit: not localeCompare, whose collator costs ~20 ms to load in
  // every scan's start-up.
  const sorted = [...literals.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  return {
    pivots: pivots.filter((t) => t.byPrev.some((l) => l.length > 0) || t.byNext.some((l) => l.length > 0)),
    literal: new RegExp(sorted.map(escapeRe).join('|'), 'g'),
    literals,
  };
}

const INDEX = buildIndex();

/**
 * Values in a checksum-validated format (`ghp_…`, `npm_…`) or an AWS key id are judged by that
 * format's detector alone: a generic detector must not report a token whose checksum failed.
 * Other prefixed values that miss their format's exact shape stay open to the generic judgment
 * (a real token of a length the format did not foresee is still a secret under `API_TOKEN`).
 */
const KNOWN_FORMAT = /^(?:gh[pousr]_|npm_|(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}$)/;
const isKnownFormat = (value: string): boolean => KNOWN_FORMAT.test(value);

function tryAnchor(text: string, at: number, anchor: Anchor, context: ContextCheck): Hit | undefined {
  let best: Hit | undefined;
  for (const matcher of anchor.matchers) {
    const hit = matcher(text, at, context);
    if (hit && (!best || hit.priority > best.priority)) best = hit;
  }
  return best;
}

function runPivot(text: string, table: PivotTable, context: ContextCheck, hits: Hit[]): void {
  const { pivot, byPrev, byNext } = table;
  let skipTo = 0;
  for (let p = text.indexOf(pivot); p !== -1; p = text.indexOf(pivot, p + 1)) {
    if (p < skipTo) continue;
    const prev = p > 0 ? text.charCodeAt(p - 1) & 127 : 0;
    const before = byPrev[prev] as PivotEntry[];
    let found = false;
    for (let k = 0; k < before.length; k++) {
      const { offset, anchor } = before[k] as PivotEntry;
      const at = p - offset;
      if (at < skipTo || !text.startsWith(anchor.literal, at)) continue;
      const hit = tryAnchor(text, at, anchor, context);
      if (hit) {
        hits.push(hit);
        skipTo = hit.end;
        found = true;
        break;
      }
    }
    if (found) continue;
    if (p + 1 >= text.length) break;
    const after = byNext[text.charCodeAt(p + 1) & 127] as Anchor[];
    for (let k = 0; k < after.length; k++) {
      const anchor = after[k] as Anchor;
      if (!text.startsWith(anchor.literal, p)) continue;
      const hit = tryAnchor(text, p, anchor, context);
      if (hit) {
        hits.push(hit);
        skipTo = hit.end;
        break;
      }
    }
  }
}

function runLiterals(text: string, context: ContextCheck, hits: Hit[]): void {
  const re = INDEX.literal;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const anchor = INDEX.literals.get(m[0]);
    if (!anchor) continue;
    const hit = tryAnchor(text, m.index, anchor, context);
    if (hit) {
      hits.push(hit);
      if (hit.end > re.lastIndex) re.lastIndex = hit.end;
    }
  }
}

/**
 * Shapes with no distinctive anchor (a Discord bot token is three base64url parts joined by
 * dots; a Twilio API key SID is `SK` + 32 hex), scanned for only in files that name their issuer.
 */
const CONTEXT_SCANS = CONTEXT_ONLY.map((spec) => ({
  spec,
  issuer: spec.fileContext ?? '',
  scan: new RegExp(spec.pattern.source, 'g'),
}));

function runContextOnly(text: string, context: ContextCheck, hits: Hit[]): void {
  for (const { spec, issuer, scan } of CONTEXT_SCANS) {
    // The anchor's own letters first (memchr speed), then whether the file names the issuer.
    if (!spec.anchors.some((a) => text.includes(a)) || !context(issuer)) continue;
    scan.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = scan.exec(text)) !== null) {
      const hit = matchSpec(spec, text, m.index);
      if (hit) hits.push(hit);
    }
  }
  // A SID and its secret written as two literals (`Client("AC…", "…")`). Every casing of the
  // issuer's name ends in `ilio` or `ILIO`: two cheap passes before the name's regex.
  if ((text.includes('ilio') || text.includes('ILIO')) && context(PAIR_ARGUMENT_ISSUER))
    matchPairArguments(text, hits);
}

function runGeneric(text: string, file: FileContext, hits: Hit[]): void {
  if (NO_ASSIGNMENTS.has(file.kind)) return;
  const re = GENERIC_KEYWORDS;
  re.lastIndex = 0;
  let lineStart = -1;
  let lineEnd = -1;
  let lastValueStart = -1;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const at = m.index;
    if (at >= lineEnd) {
      lineStart = text.lastIndexOf('\n', at) + 1;
      lineEnd = text.indexOf('\n', at);
      if (lineEnd < 0) lineEnd = text.length;
      if (isMinifiedLine(text, lineStart, lineEnd)) {
        re.lastIndex = lineEnd;
        continue;
      }
    }
    const hit = matchGeneric({ text, lineStart, lineEnd, file }, at, at + m[0].length, isKnownFormat);
    if (hit && hit.start !== lastValueStart) {
      hits.push(hit);
      lastValueStart = hit.start;
      if (hit.end > re.lastIndex) re.lastIndex = hit.end;
    }
  }
}

const ISSUER_PATTERNS = new Map<string, RegExp>();

/** `discord` → /[Dd]iscord|DISCORD/: one pass, the casings people write. */
function issuerPattern(issuer: string): RegExp {
  let re = ISSUER_PATTERNS.get(issuer);
  if (!re) {
    const first = issuer.charAt(0);
    re = new RegExp(`[${first}${first.toUpperCase()}]${issuer.slice(1)}|${issuer.toUpperCase()}`);
    ISSUER_PATTERNS.set(issuer, re);
  }
  return re;
}

/** Every credential-looking span in the text, before suppression, judged in the file's context. */
export function findHits(text: string, file: FileContext = fileContext('')): Hit[] {
  const hits: Hit[] = [];
  const contextCache = new Map<string, boolean>();
  const context: ContextCheck = (issuer) => {
    let v = contextCache.get(issuer);
    if (v === undefined) {
      v = issuerPattern(issuer).test(text);
      contextCache.set(issuer, v);
    }
    return v;
  };
  for (const table of INDEX.pivots) runPivot(text, table, context, hits);
  runLiterals(text, context, hits);
  runContextOnly(text, context, hits);
  runGeneric(text, file, hits);
  // A notebook is code in JSON strings (its decode calls' quotes escaped); a log prints calls.
  if (file.kind === 'code' || CALLS_OUTSIDE_CODE.test(file.path)) matchCredentialCalls(text, file.path, hits);
  matchDelimitedColumns(text, file, isKnownFormat, hits);
  matchMarkdownTables(text, file, isKnownFormat, hits);
  matchConfigMaps(text, file, isKnownFormat, hits);
  if (!NO_ASSIGNMENTS.has(file.kind) && !C_FAMILY.test(file.path)) matchEthereumKeys(text, hits);
  matchFileFormats(text, file, hits);
  runSecretManifestData(text, file, hits);
  if (hits.length === 0) return hits;
  hits.sort((a, b) => a.start - b.start);
  const resolved: Hit[] = [];
  for (const found of resolve(pairAwsKeys(text, hits))) {
    const hit = found.provider === 'generic' ? encodedFormat(found) : found;
    if (!hit) continue;
    const command = hit.type === COMMAND_PASSWORD;
    if (command && NO_ASSIGNMENTS.has(file.kind)) continue;
    // An examples document's command line shows an API, as its assignments do; so does any value
    // an API description gives as its `example:`.
    const judged =
      (command && file.example) || isSchemaExample(text, hit.start)
        ? withHit(hit, { confidence: 'low' })
        : hit;
    resolved.push(judgedLikeAssignments(judged) ? lowerIfDocumented(text, file, judged) : judged);
  }
  return file.fixture ? resolved.map(asFixture) : resolved;
}

/**
 * A generic value that is base64 of an issuer's token (a Kubernetes Secret's `data:`, a CI
 * variable stored encoded) is that token: revocable as such. The finding stays on the encoded
 * value; the vault gets the decoded token, which is what the issuer knows. Undefined drops the
 * hit: base64 of a token whose checksum fails.
 */
function encodedFormat(hit: Hit): Hit | undefined {
  const decoded = printableBase64(hit.secret);
  if (decoded === undefined) return hit;
  const token = decoded.trim();
  const only = wholeToken(token);
  // A checksum-validated format whose checksum failed is not a token, encoded or not.
  if (!only) return isKnownFormat(token) ? undefined : hit;
  return encodedAt(only, hit.start, hit.end, hit.confidence === 'low' ? 'low' : only.confidence);
}

/** The decoded token's hit, placed on its base64 text. */
function encodedAt(token: Hit, start: number, end: number, confidence = token.confidence): Hit {
  return withHit(token, { start, end, confidence, attributes: { ...token.attributes, encoding: 'base64' } });
}

/**
 * The one issuer-format hit that is all of `token` (not a keyword guess), if there is one; a
 * connection URL's hit ends with its authority, so a path or query may follow it.
 */
function wholeToken(token: string): Hit | undefined {
  const inner = findHits(token);
  const only = inner.length === 1 ? inner[0] : undefined;
  if (!only || only.priority < PRIORITY.specific || only.start > 0) return undefined;
  return only.end >= token.length || /^[/?#]/.test(token.slice(only.end)) ? only : undefined;
}

/**
 * A Kubernetes Secret's \`data:\` holds each value base64-encoded under any name (\`STRIPE_RK\`,
 * \`cache-url\`): one that decodes to an issuer's token or a URL with a password is that
 * credential, whatever its key. Keys that name a secret are read by the generic rules as well.
 */
function runSecretManifestData(text: string, file: FileContext, hits: Hit[]): void {
  if (file.kind !== 'config') return;
  for (const { start, value } of secretManifestData(text)) {
    const decoded = printableBase64(value);
    const only = decoded === undefined ? undefined : wholeToken(decoded.trim());
    if (only) hits.push(encodedAt(only, start, start + value.length));
  }
}

/**
 * C and C++ sources, dense with `0x` constants and never where a wallet key is kept: the
 * Ethereum pass over them cost ~2.5 % of a scan of installed trees (/usr/include).
 */
const C_FAMILY = /\.(?:[ch]|cc|cpp|cxx|hh|hpp|hxx)$/;

const CALLS_OUTSIDE_CODE = /\.ipynb$|\.log(?:\.\d+)?$/i;

const SCHEMA_EXAMPLE = /(?:^|[\s{,])["']?(?:x-)?examples?["']?\s*[:=]\s*["']?$/;

/** A value under an OpenAPI / JSON Schema `example:` key: documentation of a field, not a credential. */
function isSchemaExample(text: string, at: number): boolean {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  return at - lineStart < 200 && SCHEMA_EXAMPLE.test(text.slice(lineStart, at));
}

/** Files that hold no one's own settings (lockfiles, type declarations, bundles): no command lines there. */
const NO_ASSIGNMENTS: ReadonlySet<FileContext['kind']> = new Set(['lock', 'declaration', 'generated']);

/**
 * Connection URLs and command-line passwords are judged like assignments in documentation: a
 * docstring's `postgres://scott:…@` or an API example's `mysql -p…` is an example.
 */
function judgedLikeAssignments(hit: Hit): boolean {
  return hit.type === 'url_with_password' || hit.type.endsWith('_uri') || hit.type === COMMAND_PASSWORD;
}

/**
 * In a test, fixture or example path, a private key is most often a deliberate fake (libraries
 * ship the keys their tests sign with): it is reported at low confidence. Every other kind keeps
 * its confidence there; a token committed in a test is as live as anywhere else.
 */
function asFixture(hit: Hit): Hit {
  const fake = hit.provider === 'crypto' || hit.provider === 'gcp';
  return fake && hit.confidence !== 'low' ? withHit(hit, { confidence: 'low' }) : hit;
}

const AWS_SECRET_CANDIDATE = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
const PAIR_LINES = 6;
const PAIR_CHARS = 1500;

function isAwsSecretShape(value: string): boolean {
  if (isHex(value) || looksLikePlaceholder(value)) return false;
  const c = charClasses(value);
  return c.lower && c.upper && c.digit && shannonEntropy(value) >= 4.0;
}

/** Window of up to PAIR_LINES lines either side of `at`, capped at PAIR_CHARS characters. */
function lineWindow(text: string, at: number): [number, number] {
  let from = at;
  for (let i = 0; i <= PAIR_LINES && from > 0; i++) from = text.lastIndexOf('\n', from - 1);
  from = Math.max(0, from, at - PAIR_CHARS);
  let to = at;
  for (let i = 0; i <= PAIR_LINES && to >= 0 && to < text.length; i++) to = text.indexOf('\n', to + 1);
  if (to < 0) to = text.length;
  to = Math.min(text.length, to, at + PAIR_CHARS);
  return [from, to];
}

/**
 * An AWS key id with a secret near it becomes one finding for the pair; the secret's own
 * finding (and any generic one on it) is absorbed so the pair is reported once, at the id.
 */
function pairAwsKeys(text: string, hits: Hit[]): Hit[] {
  const ids = hits.filter((h) => h.type === 'aws_access_key' || h.type === 'aws_temporary_access_key');
  if (ids.length === 0) return hits;
  const absorbed = new Set<Hit>();
  const claimed: Array<[number, number]> = [];
  const replaced = new Map<Hit, Hit>();
  for (const id of ids) {
    const [from, to] = lineWindow(text, id.start);
    let best: { start: number; value: string; hit?: Hit } | undefined;
    const distance = (start: number): number => Math.abs(start - id.start);
    for (const h of hits) {
      if (h.type !== AWS_SECRET_MARK || absorbed.has(h) || h.start < from || h.start > to) continue;
      if (!best || distance(h.start) < distance(best.start))
        best = { start: h.start, value: h.secret, hit: h };
    }
    if (!best) {
      AWS_SECRET_CANDIDATE.lastIndex = from;
      let m: RegExpExecArray | null;
      while ((m = AWS_SECRET_CANDIDATE.exec(text)) !== null && m.index < to) {
        if (m.index >= id.start && m.index < id.end) continue;
        if (claimed.some(([s, e]) => m !== null && m.index < e && s < m.index + 40)) continue;
        if (!isAwsSecretShape(m[0])) continue;
        if (!best || distance(m.index) < distance(best.start)) best = { start: m.index, value: m[0] };
      }
    }
    if (!best) continue;
    if (best.hit) absorbed.add(best.hit);
    claimed.push([best.start, best.start + best.value.length]);
    replaced.set(
      id,
      withHit(id, {
        secret: JSON.stringify({ accessKeyId: id.identity, secretAccessKey: best.value }),
        attributes: { ...id.attributes, paired: true },
        also: { start: best.start, end: best.start + best.value.length, part: 'secret_access_key' },
      }),
    );
  }
  return hits
    .filter((h) => !absorbed.has(h))
    .filter((h) => h.priority > PRIORITY.keyed || !claimed.some(([s, e]) => h.start < e && s < h.end))
    .map((h) => replaced.get(h) ?? h);
}

/** Overlapping hits: the most specific wins (checksum > shape > keyed > generic). */
function resolve(hits: Hit[]): Hit[] {
  if (hits.length < 2) return hits;
  let overlap = false;
  for (let i = 1; i < hits.length; i++) {
    if ((hits[i] as Hit).start < (hits[i - 1] as Hit).end) {
      overlap = true;
      break;
    }
  }
  if (!overlap) return hits;
  // At equal priority an issuer's format beats a generic shape: a GitHub or GitLab token used as
  // the password of a clone URL is that token (revocable), not only a URL with a password. Then
  // the longer hit: a Twilio SID with its secret (`-u SK…:…`) is the credential, the SID a part.
  const generic = (h: Hit): number => (h.provider === 'generic' ? 1 : 0);
  const byPriority = [...hits].sort(
    (a, b) =>
      b.priority - a.priority ||
      generic(a) - generic(b) ||
      b.end - b.start - (a.end - a.start) ||
      a.start - b.start,
  );
  const kept: Hit[] = [];
  for (const h of byPriority) {
    if (kept.some((k) => h.start < k.end && k.start < h.end)) continue;
    kept.push(h);
  }
  return kept.sort((a, b) => a.start - b.start);
}

const RANK: Record<Confidence, number> = { low: 0, medium: 1, high: 2 };

export interface FindingOptions {
  readonly key: string;
  readonly baseline: ReadonlySet<string> | undefined;
  readonly minConfidence: Confidence;
  /** Maps a 1-based line of the scanned text to the line to report, or 0 to drop it (diffs). */
  readonly mapLine?: (virtualLine: number) => number;
}

/** Turn hits into findings: line/column, inline `leakstop:allow`, confidence floor, baseline, fingerprint, preview. */
export function toFindings(text: string, file: string, hits: Hit[], options: FindingOptions): Finding[] {
  const findings: Finding[] = [];
  const floor = RANK[options.minConfidence];
  let line = 1;
  let lineStart = 0;
  for (const hit of hits) {
    if (RANK[hit.confidence] < floor) continue;
    // Hits are sorted by start; walk newlines forward once.
    for (
      let nl = text.indexOf('\n', lineStart);
      nl >= 0 && nl < hit.start;
      nl = text.indexOf('\n', lineStart)
    ) {
      line++;
      lineStart = nl + 1;
    }
    let lineEnd = text.indexOf('\n', hit.start);
    if (lineEnd < 0) lineEnd = text.length;
    if (text.slice(lineStart, lineEnd).includes('leakstop:allow')) continue;
    const reported = options.mapLine ? options.mapLine(line) : line;
    if (reported <= 0) continue;
    const fp = fingerprint(options.key, hit.identity);
    if (options.baseline?.has(fp)) continue;
    findings.push({
      type: hit.type,
      provider: hit.provider,
      file,
      line: reported,
      column: hit.start - lineStart + 1,
      endColumn: Math.min(hit.end, lineEnd) - lineStart + 1,
      secret: hit.secret,
      fingerprint: fp,
      redacted: redact(hit.preview.value, hit.preview.prefix),
      confidence: hit.confidence,
      revocable: hit.revocable,
      ...(hit.attributes ? { attributes: hit.attributes } : {}),
      ...partsOf(text, hit, line, lineStart, options.mapLine),
    });
  }
  return findings;
}

/** The finding's `parts`: `hit.also` when it is on another line that is reported (diffs: added). */
function partsOf(
  text: string,
  hit: Hit,
  line: number,
  lineStart: number,
  mapLine: ((virtualLine: number) => number) | undefined,
): { parts?: CredentialPart[] } {
  const also = hit.also;
  if (!also) return {};
  // Its line, counted from the finding's own line (the part may come before it).
  let partLine = line;
  let partLineStart = lineStart;
  if (also.start >= lineStart) {
    for (
      let nl = text.indexOf('\n', partLineStart);
      nl >= 0 && nl < also.start;
      nl = text.indexOf('\n', nl + 1)
    ) {
      partLine++;
      partLineStart = nl + 1;
    }
  } else {
    while (partLineStart > also.start) {
      partLine--;
      partLineStart = partLineStart >= 2 ? text.lastIndexOf('\n', partLineStart - 2) + 1 : 0;
    }
  }
  if (partLine === line) return {};
  const reported = mapLine ? mapLine(partLine) : partLine;
  if (reported <= 0) return {};
  let partLineEnd = text.indexOf('\n', also.start);
  if (partLineEnd < 0) partLineEnd = text.length;
  return {
    parts: [
      {
        part: also.part,
        line: reported,
        column: also.start - partLineStart + 1,
        endColumn: Math.min(also.end, partLineEnd) - partLineStart + 1,
      },
    ],
  };
}
