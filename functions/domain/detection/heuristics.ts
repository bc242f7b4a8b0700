/**
 * Value heuristics shared by detectors: entropy, character classes and the look-alike checks
 * (placeholders, templates, hashes, UUIDs) that keep the engine quiet on things that only
 * resemble credentials.
 */

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
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

export function isHex(value: string): boolean {
  return HEX.test(value);
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
  let best = 1;
  let up = 1;
  let down = 1;
  for (let i = 1; i < value.length; i++) {
    const d = value.charCodeAt(i) - value.charCodeAt(i - 1);
    up = d === 1 ? up + 1 : 1;
    down = d === -1 ? down + 1 : 1;
    best = Math.max(best, up, down);
  }
  return value.length === 0 ? 0 : best;
}

/**
 * Words and shapes that mark a value as a placeholder, template or redaction rather than a
 * live credential. Applied to every detector's value (specific formats included), so keep it
 * to strings a random token essentially never contains.
 */
const PLACEHOLDER_WORDS =
  /example|xxxx|XXXX|your[_-]?|placeholder|changeme|change[_-]me|redacted|dummy|sample|replace[_-]?me|insert[_-]|fake|not[_-]?a[_-]?real|notreal|secret[_-]?here|key[_-]?here|token[_-]?here|\*\*\*|•|\.\.\.|…|<[^>]*>|\$\{|\{\{|\}\}|%\(|#\{|\$\(|^\$[A-Za-z_]|^%[A-Za-z_]+%$/i;

export function looksLikePlaceholder(value: string): boolean {
  if (PLACEHOLDER_WORDS.test(value)) return true;
  // Runs like 000000 or aaaaaa, or alphabets typed in order, do not come out of a generator.
  if (longestRun(value) >= 6) return true;
  if (longestSequence(value) >= 8) return true;
  return false;
}

/** True when the random part of a token looks generated: enough entropy, no long runs. */
export function looksRandom(value: string, minEntropy: number): boolean {
  if (looksLikePlaceholder(value)) return false;
  return shannonEntropy(value) >= minEntropy;
}
