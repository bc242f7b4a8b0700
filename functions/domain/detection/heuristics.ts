/**
 * Value heuristics shared by detectors: entropy, character classes and the look-alike checks
 * (placeholders, templates, redactions, hashes, UUIDs) that keep the engine quiet on things
 * that only resemble credentials.
 */

const COUNTS = new Int32Array(128);

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
  const n = value.length;
  if (n === 0) return 0;
  let wide: Map<number, number> | undefined;
  COUNTS.fill(0);
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 128) COUNTS[c] = (COUNTS[c] as number) + 1;
    else {
      wide ??= new Map();
      wide.set(c, (wide.get(c) ?? 0) + 1);
    }
  }
  let bits = 0;
  for (let c = 0; c < 128; c++) {
    const count = COUNTS[c] as number;
    if (count === 0) continue;
    const p = count / n;
    bits -= p * Math.log2(p);
  }
  if (wide) {
    for (const count of wide.values()) {
      const p = count / n;
      bits -= p * Math.log2(p);
    }
  }
  return bits;
}

export interface CharClasses {
  lower: boolean;
  upper: boolean;
  digit: boolean;
  symbol: boolean;
  count: number;
}

export function charClasses(value: string): CharClasses {
  let lower = false;
  let upper = false;
  let digit = false;
  let symbol = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = true;
    else if (c >= 65 && c <= 90) upper = true;
    else if (c >= 48 && c <= 57) digit = true;
    else symbol = true;
  }
  return { lower, upper, digit, symbol, count: +lower + +upper + +digit + +symbol };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^[0-9a-f]+$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

const RANDOM_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** A version-4 (random) UUID: what an issuer mints as an opaque token; not `123e4567-e89b-12d3-…`. */
export function isRandomUuid(value: string): boolean {
  return RANDOM_UUID.test(value);
}

export function isHex(value: string): boolean {
  return HEX.test(value);
}

/** Hex strings of the lengths MD5, SHA-1, SHA-224/256/384/512 and git object ids have. */
export function isHashLength(value: string): boolean {
  const n = value.length;
  return (n === 32 || n === 40 || n === 56 || n === 64 || n === 96 || n === 128) && isHex(value);
}

/** Longest run of one repeated character. */
export function longestRun(value: string): number {
  let best = 0;
  let run = 0;
  for (let i = 0; i < value.length; i++) {
    run = i > 0 && value.charCodeAt(i) === value.charCodeAt(i - 1) ? run + 1 : 1;
    if (run > best) best = run;
  }
  return best;
}

/** Longest ascending or descending run of consecutive char codes (`abcdef`, `123456`, `987`). */
export function longestSequence(value: string): number {
  if (value.length === 0) return 0;
  let best = 1;
  let up = 1;
  let down = 1;
  for (let i = 1; i < value.length; i++) {
    const d = value.charCodeAt(i) - value.charCodeAt(i - 1);
    up = d === 1 ? up + 1 : 1;
    down = d === -1 ? down + 1 : 1;
    if (up > best) best = up;
    if (down > best) best = down;
  }
  return best;
}

/**
 * Whether a value was typed in order rather than generated: letters and digits, taken apart and
 * each in its order, mostly step to the next one (`AB1C2defGHijk…`, `abcd1234defg5678`,
 * `A1b2c3d4`, `12cs345-67cd-890b-…`). Case is ignored and 9 steps to 0. A random value steps
 * forward about once in 20 pairs; this needs every other pair and at least four steps.
 */
export function isTypedInOrder(value: string): boolean {
  let steps = 0;
  let pairs = 0;
  let letter = -1;
  let digit = -1;
  for (let i = 0; i < value.length; i++) {
    const raw = value.charCodeAt(i);
    const c = raw >= 65 && raw <= 90 ? raw + 32 : raw;
    if (c >= 97 && c <= 122) {
      if (letter >= 0) {
        pairs++;
        if (c === letter + 1) steps++;
      }
      letter = c;
    } else if (c >= 48 && c <= 57) {
      if (digit >= 0) {
        pairs++;
        if (c === digit + 1 || (digit === 57 && c === 48)) steps++;
      }
      digit = c;
    }
  }
  return steps >= 4 && steps * 2 >= pairs;
}

/**
 * Words and shapes that mark a value as a placeholder, template or redaction rather than a
 * live credential. Applied to every detector's value (specific formats included), so it holds
 * only strings a random token essentially never contains.
 */
const PLACEHOLDER_WORDS =
  /example|your[_-]|placeholder|changeme|change[_-]me|redacted|dummy|sample|replace[_-]?me|insert[_-]|fake|not[_-]?a[_-]?real|notreal|(?:secret|key|token)[_-]?here|\*\*\*|•|\.\.\.|…|<[^>]*>|\$\{|\{\{|\}\}|%\(|#\{|\$\(|^\$[A-Za-z_]|^%[A-Za-z_]+%$/i;

/** `xxxx` or `XXXX`, not mixed case: random text holds `XxxX` now and then. */
const XS = /xxxx|XXXX/;

export function looksLikePlaceholder(value: string): boolean {
  if (PLACEHOLDER_WORDS.test(value) || XS.test(value)) return true;
  // Runs like 000000 or aaaaaa, or alphabets typed in order, do not come out of a generator.
  if (longestRun(value) >= 6) return true;
  if (longestSequence(value) >= 6) return true;
  return false;
}

/** Whole values that stand for a removed or hidden secret. */
const REDACTION =
  /^(?:\[?(?:redacted|filtered|masked|hidden|removed|omitted|censored|secret|private|sensitive)\]?|\*+|x+|X+|#+|-+|\.+|•+|none|null|nil|undefined|empty|n\/a|tbd|todo)$/i;

export function isRedaction(value: string): boolean {
  return REDACTION.test(value);
}

/**
 * Between string literals joined in code: `+` (most languages), `.` (PHP, Perl), `&` (VB), `..`
 * (Lua), `<>` (Elixir), or nothing (C, Python and Ruby join adjacent literals; so does a shell).
 */
const JOIN = /\s*(?:\+|\.\.?|&|<>)?\s*/y;
/** Between the arguments of a call that pastes them together: R's `paste0("…", "…")`. */
export const ARGUMENT_JOIN = /\s*,\s*/y;

/**
 * The string literal whose opening quote is at `quoteAt`, with up to three more joined to it on
 * the same line (`"ipk…" + "lJnp…"`, `'dp.st.…' . '…'`): their values as one, the offset of the
 * last closing quote, and how many literals there were. Undefined when the first is not closed
 * on its line.
 */
export function joinedLiterals(
  text: string,
  quoteAt: number,
  joiner: RegExp = JOIN,
): { value: string; close: number; pieces: number } | undefined {
  const quote = text.charCodeAt(quoteAt);
  let lineEnd = text.indexOf('\n', quoteAt);
  if (lineEnd < 0) lineEnd = text.length;
  let value = '';
  let at = quoteAt;
  let close = -1;
  let pieces = 0;
  while (pieces < 4) {
    let j = at + 1;
    while (j < lineEnd && text.charCodeAt(j) !== quote) j += text.charCodeAt(j) === 92 ? 2 : 1;
    if (j >= lineEnd) break;
    value += text.slice(at + 1, j);
    close = j;
    pieces++;
    joiner.lastIndex = j + 1;
    const join = joiner.exec(text);
    const next = join ? j + 1 + join[0].length : -1;
    if (next < 0 || next >= lineEnd || text.charCodeAt(next) !== quote) break;
    at = next;
  }
  return pieces === 0 ? undefined : { value, close, pieces };
}
