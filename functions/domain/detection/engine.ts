/**
 * The detection engine: one prefilter pass over the text for every literal anchor, detector
 * regexes only where an anchor was found, a keyword pass for generic assignments, then AWS
 * key-pair assembly, overlap resolution, suppression and fingerprinting.
 */
import { matchGeneric, GENERIC_KEYWORDS, isMinifiedLine } from './generic.ts';
import { charClasses, isHex, looksLikePlaceholder, shannonEntropy } from './heuristics.ts';
import type { Hit } from './model.ts';
import { matchPrivateKey, matchPuttyKey } from './pem.ts';
import { fingerprint, redact } from './redact.ts';
import type { TokenSpec } from './tokens.ts';
import { AWS_KEY_ID_SPEC, leftBoundaryOk, matchSpec, TOKEN_SPECS } from './tokens.ts';
import type { Finding } from './types.ts';
import { matchUrlWithPassword } from './urls.ts';

type Matcher = (text: string, at: number) => Hit | undefined;

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function anchorRegex(anchors: Iterable<string>): RegExp {
  const sorted = [...new Set(anchors)].sort((a, b) => b.length - a.length || a.localeCompare(b));
  return new RegExp(sorted.map(escapeRe).join('|'), 'g');
}

const SESSION_TOKEN = /(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdzE)[A-Za-z0-9/+]{100,2000}={0,2}(?![A-Za-z0-9/+=])/y;

function matchSessionToken(text: string, at: number): Hit | undefined {
  if (!leftBoundaryOk(text, at)) return undefined;
  SESSION_TOKEN.lastIndex = at;
  const m = SESSION_TOKEN.exec(text);
  if (!m) return undefined;
  const value = m[0];
  if (looksLikePlaceholder(value) || shannonEntropy(value) < 4.5) return undefined;
  return {
    type: 'aws_session_token',
    provider: 'aws',
    revocable: false,
    start: at,
    end: at + value.length,
    secret: value,
    identity: value,
    preview: { value, prefix: '' },
    confidence: 'high',
    priority: 30,
  };
}

export const AWS_SECRET_MARK = 'aws_secret_access_key';

function matchAwsKeyId(text: string, at: number): Hit | undefined {
  const hit = matchSpec(AWS_KEY_ID_SPEC, text, at);
  if (!hit) return undefined;
  const temporary = hit.secret.startsWith('ASIA');
  return {
    ...hit,
    type: temporary ? 'aws_temporary_access_key' : 'aws_access_key',
    revocable: !temporary,
    secret: JSON.stringify({ accessKeyId: hit.secret }),
    identity: hit.secret,
    preview: { value: hit.secret },
  };
}

interface Prefilter {
  readonly regex: RegExp;
  readonly handlers: ReadonlyMap<string, readonly Matcher[]>;
}

function buildPrefilter(entries: Array<[string, Matcher]>): Prefilter {
  const handlers = new Map<string, Matcher[]>();
  for (const [anchor, matcher] of entries) {
    const list = handlers.get(anchor) ?? [];
    list.push(matcher);
    handlers.set(anchor, list);
  }
  return { regex: anchorRegex(handlers.keys()), handlers };
}

const specMatcher =
  (spec: TokenSpec): Matcher =>
  (text, at) =>
    matchSpec(spec, text, at);

const MAIN = buildPrefilter([
  ...TOKEN_SPECS.filter((s) => !s.fileContext).flatMap((s) =>
    s.anchors.map((a): [string, Matcher] => [a, specMatcher(s)]),
  ),
  ...AWS_KEY_ID_SPEC.anchors.map((a): [string, Matcher] => [a, matchAwsKeyId]),
  ['-----BEGIN ', matchPrivateKey],
  ['PuTTY-User-Key-File-', matchPuttyKey],
  ['://', matchUrlWithPassword],
  ['IQoJb3JpZ2luX2Vj', matchSessionToken],
  ['FwoGZXIvYXdzE', matchSessionToken],
]);

/** Shapes too ambiguous to try everywhere; they run only when the file names their issuer. */
const CONTEXTUAL = TOKEN_SPECS.filter((s) => s.fileContext).map((spec) => ({
  spec,
  context: spec.fileContext as RegExp,
  prefilter: buildPrefilter(spec.anchors.map((a): [string, Matcher] => [a, specMatcher(spec)])),
}));

function runPrefilter(text: string, prefilter: Prefilter, hits: Hit[]): void {
  const re = prefilter.regex;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const matchers = prefilter.handlers.get(m[0]);
    if (!matchers) continue;
    let best: Hit | undefined;
    for (const matcher of matchers) {
      const hit = matcher(text, m.index);
      if (hit && (!best || hit.priority > best.priority)) best = hit;
    }
    if (best) {
      hits.push(best);
      if (best.end > re.lastIndex) re.lastIndex = best.end;
    }
  }
}

function runGeneric(text: string, hits: Hit[]): void {
  const re = new RegExp(GENERIC_KEYWORDS.source, 'gi');
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
    const hit = matchGeneric({ text, lineStart, lineEnd }, at, at + m[0].length);
    if (hit && hit.start !== lastValueStart) {
      hits.push(hit);
      lastValueStart = hit.start;
      if (hit.end > re.lastIndex) re.lastIndex = hit.end;
    }
  }
}

/** Every credential-looking span in the text, before suppression. */
export function findHits(text: string): Hit[] {
  const hits: Hit[] = [];
  runPrefilter(text, MAIN, hits);
  for (const c of CONTEXTUAL) if (c.context.test(text)) runPrefilter(text, c.prefilter, hits);
  runGeneric(text, hits);
  return resolve(text, pairAwsKeys(text, hits));
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
  for (let i = 0; i <= PAIR_LINES && from > 0; i++) from = text.lastIndexOf('\n', from - 1) + 0;
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
        if (!isAwsSecretShape(m[0])) continue;
        if (!best || distance(m.index) < distance(best.start)) best = { start: m.index, value: m[0] };
      }
    }
    if (!best) continue;
    if (best.hit) absorbed.add(best.hit);
    claimed.push([best.start, best.start + best.value.length]);
    replaced.set(id, {
      ...id,
      secret: JSON.stringify({ accessKeyId: id.identity, secretAccessKey: best.value }),
      attributes: { ...id.attributes, paired: true },
    });
  }
  return hits
    .filter((h) => !absorbed.has(h))
    .filter((h) => h.priority > 20 || !claimed.some(([s, e]) => h.start < e && s < h.end))
    .map((h) => replaced.get(h) ?? h);
}

/** Overlapping hits: the most specific wins (checksum > shape > keyed > generic). */
function resolve(_text: string, hits: Hit[]): Hit[] {
  if (hits.length < 2) return hits;
  const byPriority = [...hits].sort((a, b) => b.priority - a.priority || a.start - b.start);
  const kept: Hit[] = [];
  for (const h of byPriority) {
    if (kept.some((k) => h.start < k.end && k.start < h.end)) continue;
    kept.push(h);
  }
  return kept.sort((a, b) => a.start - b.start);
}

export interface LineInfo {
  /** The line number to report (1-based), or 0 when the line must not be reported. */
  readonly line: number;
}

/** Turn hits into findings: line/column, inline `leakstop:allow`, baseline, fingerprint, preview. */
export function toFindings(
  text: string,
  file: string,
  hits: Hit[],
  key: string,
  baseline: ReadonlySet<string> | undefined,
  mapLine?: (virtualLine: number) => number,
): Finding[] {
  const findings: Finding[] = [];
  let line = 1;
  let lineStart = 0;
  let cursor = 0;
  for (const hit of hits) {
    // Hits are sorted by start; walk newlines forward once.
    while (true) {
      const nl = text.indexOf('\n', cursor);
      if (nl < 0 || nl >= hit.start) break;
      line++;
      lineStart = nl + 1;
      cursor = nl + 1;
    }
    let lineEnd = text.indexOf('\n', hit.start);
    if (lineEnd < 0) lineEnd = text.length;
    const lineText = text.slice(lineStart, lineEnd);
    if (lineText.includes('leakstop:allow')) continue;
    const reported = mapLine ? mapLine(line) : line;
    if (reported <= 0) continue;
    const fp = fingerprint(key, hit.identity);
    if (baseline?.has(fp)) continue;
    findings.push({
      type: hit.type,
      provider: hit.provider,
      file,
      line: reported,
      column: hit.start - lineStart + 1,
      secret: hit.secret,
      fingerprint: fp,
      redacted: redact(hit.preview.value, hit.preview.prefix),
      confidence: hit.confidence,
      revocable: hit.revocable,
      ...(hit.attributes ? { attributes: hit.attributes } : {}),
    });
  }
  return findings;
}
