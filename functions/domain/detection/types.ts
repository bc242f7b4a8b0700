/**
 * The detection engine's contract. The detect worker (pushed diffs, GitHub alerts) and the
 * `leakstop scan` CLI both use it; nothing here depends on an SDK.
 */

export type Confidence = 'high' | 'medium' | 'low';

/** One credential occurrence. `secret` is plaintext and must only ever reach the vault or, on explicit request, the CLI. */
export interface Finding {
  /** Stable snake_case kind, e.g. `aws_access_key`, `github_pat_classic`, `slack_bot_token`. */
  readonly type: string;
  /** Issuer, e.g. `aws`, `github`, `slack`, `generic`. */
  readonly provider: string;
  /** Path as given to the scanner (repository-relative for diffs). */
  readonly file: string;
  /** 1-based line in the scanned text, or in the new file for diffs/patches. */
  readonly line: number;
  /** 1-based column of the first character of the credential on that line. */
  readonly column: number;
  /** 1-based column just past the credential's last character on that line (a PEM block: its header). */
  readonly endColumn?: number;
  /**
   * The credential value to hand to the vault. For an AWS key pair, the JSON string
   * `{"accessKeyId":"…","secretAccessKey":"…"}` (secret omitted when no secret was found near the id).
   */
  readonly secret: string;
  /** Hex HMAC-SHA256(fingerprint key, identity); identity names the credential (for AWS the access key id). */
  readonly fingerprint: string;
  /** Preview safe to show anywhere: never more than a known prefix and the last 4 characters. */
  readonly redacted: string;
  readonly confidence: Confidence;
  /** True when leakstop has (or will have) an automatic revoker for this kind. */
  readonly revocable: boolean;
  /** Extra non-secret facts, e.g. `{ encrypted: true }` for a passphrase-protected private key. */
  readonly attributes?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Other lines holding part of this credential, e.g. an AWS key id's secret: the secret is
   * exposed where it is written, too. Only parts on another reported line appear.
   */
  readonly parts?: readonly CredentialPart[];
}

/** Where a part of a finding's credential is written (no value: `part` names what it is). */
export interface CredentialPart {
  readonly part: string;
  readonly line: number;
  readonly column: number;
  readonly endColumn: number;
}

export interface ScannerOptions {
  /** Key for the fingerprint HMAC; in AWS it is a Secrets Manager secret, locally an env var. */
  readonly fingerprintKey: string;
  /** Fingerprints to suppress (a baseline file holds fingerprints, never values). */
  readonly baseline?: ReadonlySet<string>;
  /**
   * Findings below this confidence are dropped. Default `medium`: `low` marks deliberate fakes
   * (private keys, passwords and keyword guesses in test, fixture or example paths, values in
   * API documentation comments), reported only when asked for.
   */
  readonly minConfidence?: Confidence;
}

export interface Scanner {
  /** Scan a whole file's text. */
  scanText(text: string, file: string): Finding[];
  /** Scan a GitHub `patch` (one file's hunks, no headers): only added lines, new-file line numbers. */
  scanPatch(patch: string, file: string): Finding[];
  /** Scan a unified diff (`git diff` output, many files): only added lines, new-file paths and line numbers. */
  scanUnifiedDiff(diff: string): Finding[];
}
