import type { Confidence } from './types.ts';

/**
 * A credential located in a text, before line/column mapping, suppression and fingerprinting.
 * Offsets are UTF-16 indexes into the scanned text.
 */
export interface Hit {
  readonly type: string;
  readonly provider: string;
  readonly revocable: boolean;
  /** Offset of the credential's first character (the finding's line and column come from it). */
  readonly start: number;
  /** Offset just past the credential's last character on its first line. */
  readonly end: number;
  readonly secret: string;
  /** What names the credential for the fingerprint (for AWS the access key id). */
  readonly identity: string;
  /** The value the preview is derived from, and the prefix the preview may show. */
  readonly preview: { readonly value: string; readonly prefix?: string };
  readonly confidence: Confidence;
  /** Higher wins when two hits overlap: checksum-validated formats beat keyword guesses. */
  readonly priority: number;
  readonly attributes?: Record<string, string | number | boolean>;
  /** Another part of the same credential elsewhere in the text: an AWS key id's secret. */
  readonly also?: CredentialPartAt;
}

/** Where another part of a credential is, by offset, and what that part is. */
export interface CredentialPartAt {
  readonly start: number;
  readonly end: number;
  /** e.g. `secret_access_key`. */
  readonly part: string;
}

/** One credential kind the engine knows, for documentation and for classifying raw values. */
export interface KindInfo {
  readonly type: string;
  readonly provider: string;
  readonly revocable: boolean;
  /** A shape, not a value: e.g. `ghp_` + 30 base62 + 6-char CRC32 checksum. */
  readonly shape: string;
  /** Where the issuer documents the format, when it does. */
  readonly source?: string;
}

/**
 * Every hit is built here, with the same fields in the same order (`attributes` and the preview's
 * `prefix` present even when undefined). Hits from different detectors then share one hidden
 * class: the scan loops that read `hit.end` and `hit.priority` stay monomorphic instead of being
 * deoptimised and recompiled each time a new detector's hit shape reaches them (measured: five
 * TurboFan recompiles of the pivot loop per run, ~15 ms each, on the labeled corpus).
 */
export function makeHit(fields: Hit): Hit {
  return {
    type: fields.type,
    provider: fields.provider,
    revocable: fields.revocable,
    start: fields.start,
    end: fields.end,
    secret: fields.secret,
    identity: fields.identity,
    preview: { value: fields.preview.value, prefix: fields.preview.prefix },
    confidence: fields.confidence,
    priority: fields.priority,
    attributes: fields.attributes,
    also: fields.also,
  };
}

/** What a hit is: its kind, issuer and whether leakstop revokes it. */
export type HitKind = Pick<Hit, 'type' | 'provider' | 'revocable'>;

/** A hit whose value is the secret, its identity and its preview (no prefix shown). */
export function valueHit(
  kind: HitKind,
  start: number,
  value: string,
  confidence: Confidence,
  priority: number,
): Hit {
  return makeHit({
    ...kind,
    start,
    end: start + value.length,
    secret: value,
    identity: value,
    preview: { value, prefix: '' },
    confidence,
    priority,
  });
}

/** A copy of `hit` with some fields replaced, in the one shape `makeHit` gives. */
export const withHit = (hit: Hit, changes: Partial<Hit>): Hit => makeHit({ ...hit, ...changes });

/** A password judged by its place and strength, with no issuer behind it. */
export const GENERIC_PASSWORD = { type: 'generic_password', provider: 'generic', revocable: false } as const;
/** A secret judged by its place, with no issuer behind it. */
export const GENERIC_SECRET = { type: 'generic_secret', provider: 'generic', revocable: false } as const;
/** A token judged by its place, with no issuer behind it. */
export const GENERIC_TOKEN = { type: 'generic_token', provider: 'generic', revocable: false } as const;

export const PRIORITY = {
  checksum: 40,
  specific: 30,
  keyed: 20,
  generic: 10,
} as const;
