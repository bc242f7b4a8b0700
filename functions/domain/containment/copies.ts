/**
 * Copies search, the provider-free part: what counts as a copy of a leaked credential, which terms
 * a log search sends, where a copy outside git is said to be, and the guard that keeps the value
 * out of everything a tracer returns.
 *
 * A candidate (an environment variable, a parameter, a secret, a log line, an alert's secret) holds
 * the credential when
 *   - it equals the credential or one of its parts (for AWS: the access key id or the secret key), or
 *   - it contains one of those parts with no token character on either side, so a longer or
 *     different value that merely shares a prefix never matches, or
 *   - the detection engine finds a credential in it whose fingerprint is the incident's (keyed
 *     HMAC-SHA256 over the credential's identity: for AWS the key id).
 */
import { classifySecret, createScanner, type DetectionScanner } from '../detection/index.ts';
import type { CopyLocation } from './tracing.ts';

/** Characters that continue a token: a part bordered by one of these is part of a different value. */
const TOKEN_CHAR = /[A-Za-z0-9+/=_-]/;
/** Parts shorter than this only match by equality or fingerprint, never by containment. */
const MIN_CONTAINED = 16;
/** A provider message or location quoting this many consecutive characters of a secret is withheld. */
const LEAK_WINDOW = 12;
/** CloudWatch filter patterns are limited in length; longer terms are not sent. */
const MAX_TERM = 512;

export interface CredentialParts {
  /** The trimmed plaintext as the vault holds it (for AWS, the key-pair JSON). */
  readonly value: string;
  /** Strings whose presence is a copy: the value itself, or for AWS the key id and the secret key. */
  readonly parts: readonly string[];
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
}

/** Splits the vault's plaintext into the strings a copy may contain. */
export function credentialParts(plaintext: string): CredentialParts {
  const value = plaintext.trim();
  const pair = awsPair(value);
  if (pair) {
    return {
      value,
      parts: pair.secretAccessKey ? [pair.accessKeyId, pair.secretAccessKey] : [pair.accessKeyId],
      accessKeyId: pair.accessKeyId,
      ...(pair.secretAccessKey ? { secretAccessKey: pair.secretAccessKey } : {}),
    };
  }
  const parts = [value];
  // A multi-line value (a private key) is rarely copied whole into a log line; its longest line is
  // as distinctive as the whole and is what a log search can find.
  if (value.includes('\n')) {
    const longest = value
      .split(/\r?\n/)
      .map((line) => line.trim())
      .reduce((a, b) => (b.length > a.length ? b : a), '');
    if (longest.length >= 24 && longest !== value) parts.push(longest);
  }
  return { value, parts };
}

function awsPair(value: string): { accessKeyId: string; secretAccessKey?: string } | undefined {
  if (!value.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(value) as Record<string, unknown>;
    if (typeof parsed.accessKeyId !== 'string' || parsed.accessKeyId.length === 0) return undefined;
    return typeof parsed.secretAccessKey === 'string' && parsed.secretAccessKey.length > 0
      ? { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey }
      : { accessKeyId: parsed.accessKeyId };
  } catch {
    return undefined;
  }
}

/** Where in a candidate the copy is. */
export interface CopyMatch {
  /** 1-based line of the candidate the copy starts on. */
  readonly line: number;
  /** For a JSON document, the path of the string field holding the copy (e.g. `$.db.password`). */
  readonly field?: string;
}

export interface CopyMatcherOptions {
  /** The incident's fingerprint. */
  readonly fingerprint: string;
  readonly plaintext: string;
  readonly fingerprintKey: string;
}

export class CopyMatcher {
  readonly credential: CredentialParts;
  private readonly fingerprint: string;
  private readonly fingerprintKey: string;
  private readonly scanner: DetectionScanner;

  constructor(options: CopyMatcherOptions) {
    this.credential = credentialParts(options.plaintext);
    this.fingerprint = options.fingerprint;
    this.fingerprintKey = options.fingerprintKey;
    this.scanner = createScanner({ fingerprintKey: options.fingerprintKey });
  }

  /**
   * Terms a provider-side search (CloudWatch Logs) looks for: single-line parts without quotes or
   * backslashes (which a quoted filter term could not carry unambiguously), long enough to be found
   * inside a line (shorter values match only by equality, which a log line rarely is).
   * Every event such a search returns is still confirmed with `locate`.
   */
  get searchTerms(): string[] {
    return this.credential.parts.filter(
      (part) => part.length >= MIN_CONTAINED && part.length <= MAX_TERM && !/["\\\r\n]/.test(part),
    );
  }

  /** Where `candidate` holds the credential, or undefined. `where` names it for context-dependent detectors. */
  locate(candidate: string, where = ''): CopyMatch | undefined {
    if (candidate.length === 0) return undefined;
    const trimmed = candidate.trim();
    if (trimmed === this.credential.value || this.credential.parts.includes(trimmed)) return { line: 1 };
    const field = jsonField(trimmed, (leaf) => this.sameCredential(leaf, where));
    if (field) return { line: lineAt(candidate, candidate.indexOf(field.leaf)), field: field.path };
    const at = this.boundedPart(candidate);
    if (at !== undefined) return { line: lineAt(candidate, at) };
    for (const finding of this.scanner.scanText(candidate, where)) {
      if (finding.fingerprint === this.fingerprint) return { line: finding.line };
    }
    const classified = classifySecret(trimmed, { fingerprintKey: this.fingerprintKey });
    if (classified?.fingerprint === this.fingerprint) return { line: 1 };
    return undefined;
  }

  /** A leaf of a JSON document holds the credential when it equals it or a part, or has its fingerprint. */
  private sameCredential(leaf: string, where: string): boolean {
    const value = leaf.trim();
    if (value === this.credential.value || this.credential.parts.includes(value)) return true;
    if (this.boundedPart(value) !== undefined) return true;
    return this.scanner.scanText(value, where).some((f) => f.fingerprint === this.fingerprint);
  }

  /** Offset of the first part found in `text` with no token character on either side. */
  private boundedPart(text: string): number | undefined {
    for (const part of this.credential.parts) {
      if (part.length < MIN_CONTAINED) continue;
      let from = 0;
      for (;;) {
        const at = text.indexOf(part, from);
        if (at < 0) break;
        const before = at > 0 ? text[at - 1]! : '';
        const after = text[at + part.length] ?? '';
        if (!TOKEN_CHAR.test(before) && !TOKEN_CHAR.test(after)) return at;
        from = at + 1;
      }
    }
    return undefined;
  }

  /** A guard over every string the tracer returns. */
  scrubber(): Scrubber {
    return scrubberFor(this.credential.value);
  }
}

function lineAt(text: string, offset: number): number {
  if (offset <= 0) return 1;
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}

/** The first string leaf of a JSON object or array that satisfies `test`, with its path. */
function jsonField(
  text: string,
  test: (leaf: string) => boolean,
): { path: string; leaf: string } | undefined {
  if (!(text.startsWith('{') || text.startsWith('['))) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  const walk = (node: unknown, path: string, depth: number): { path: string; leaf: string } | undefined => {
    if (depth > 16) return undefined;
    if (typeof node === 'string') return test(node) ? { path, leaf: node } : undefined;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const found = walk(node[i], `${path}[${i}]`, depth + 1);
        if (found) return found;
      }
      return undefined;
    }
    if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        const found = walk(
          child,
          /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`,
          depth + 1,
        );
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(doc, '$', 0);
}

/** The guard for a vaulted plaintext: the value and each of its parts. */
export function scrubberFor(plaintext: string): Scrubber {
  const credential = credentialParts(plaintext);
  return new Scrubber([credential.value, ...credential.parts]);
}

/**
 * Keeps credential material out of what a tracer returns: any string that quotes a run of
 * LEAK_WINDOW characters of a secret is cleaned (whole secrets become `[redacted]`; a string still
 * quoting part of one is withheld entirely).
 */
export class Scrubber {
  private readonly secrets: readonly string[];
  private readonly windows = new Set<string>();

  constructor(secrets: readonly string[]) {
    this.secrets = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
    for (const secret of this.secrets) {
      if (secret.length <= LEAK_WINDOW) {
        this.windows.add(secret);
        continue;
      }
      for (let i = 0; i + LEAK_WINDOW <= secret.length; i++)
        this.windows.add(secret.slice(i, i + LEAK_WINDOW));
    }
  }

  /** True when `text` quotes a secret, or LEAK_WINDOW consecutive characters of one. */
  leaks(text: string): boolean {
    for (const secret of this.secrets)
      if (secret.length <= LEAK_WINDOW && secret.length >= 8 && text.includes(secret)) return true;
    for (let i = 0; i + LEAK_WINDOW <= text.length; i++)
      if (this.windows.has(text.slice(i, i + LEAK_WINDOW))) return true;
    return false;
  }

  clean(text: string): string {
    if (!this.leaks(text)) return text;
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('[redacted]');
    return this.leaks(out) ? '[withheld: it quoted part of the credential]' : out;
  }

  /** A deep copy of `value` with every string cleaned. */
  cleanDeep<T>(value: T): T {
    if (typeof value === 'string') return this.clean(value) as T;
    if (Array.isArray(value)) return value.map((v: unknown) => this.cleanDeep(v)) as T;
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.cleanDeep(v);
      return out as T;
    }
    return value;
  }
}

/** A place in an AWS account where a copy was found. */
export interface AwsPlace {
  readonly account: string;
  readonly region: string;
  /** `lambda`, `ssm`, `secretsmanager`, `logs`. */
  readonly service: string;
  /** The resource, then any sub-location, e.g. `['my-function', 'env', 'API_TOKEN']`. */
  readonly resource: readonly string[];
  /** The version of the resource that holds the copy (Lambda version, parameter version, secret version id, log event time). */
  readonly version: string;
  readonly line?: number;
  readonly url?: string;
}

/**
 * The exposure location of a copy outside git (README, "Usage lookup and copies search"):
 * repo `aws:<account>:<region>`, commit = the version holding it, path `<service>:<resource>:…`,
 * line = the line within the value (1 when it is the whole value).
 */
export function awsCopyLocation(place: AwsPlace): CopyLocation {
  return {
    repo: `aws:${place.account}:${place.region}`,
    commit: place.version,
    path: [place.service, ...place.resource].join(':'),
    line: place.line ?? 1,
    source: 'copies_search',
    ...(place.url ? { url: place.url } : {}),
  };
}
