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

export const PRIORITY = {
  checksum: 40,
  specific: 30,
  keyed: 20,
  generic: 10,
} as const;
