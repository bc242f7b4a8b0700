/**
 * Public surface of the detection engine (SDK-free): `createScanner` for files, GitHub patches
 * and unified diffs; `classifySecret` for a raw value from a GitHub secret-scanning alert;
 * `fingerprint` and `redact` for anyone who needs the same identity and preview rules.
 */
import { fileContext } from './context.ts';
import { parsePatch, parseUnifiedDiff } from './diff.ts';
import { findHits, toFindings } from './engine.ts';
import type { Hit, KindInfo } from './model.ts';
import { fingerprint, redact } from './redact.ts';
import { allKinds } from './tokens.ts';
import type { Confidence, Finding, Scanner, ScannerOptions } from './types.ts';

export type { Confidence, Finding, Scanner, ScannerOptions } from './types.ts';
export type { KindInfo } from './model.ts';
export { fileContext } from './context.ts';
export type { FileContext, FileKind } from './context.ts';
export { fingerprint, redact } from './redact.ts';
export { crc32, base62Checksum, hasValidBase62Checksum } from './checksum.ts';

/** Every kind the engine reports, with provider, revocability and shape (documented in README.md). */
export const KINDS: readonly KindInfo[] = allKinds();
const KIND_BY_TYPE = new Map(KINDS.map((k) => [k.type, k]));

/** A raw credential value classified like a file scan would (same type and fingerprint). */
export interface ClassifiedSecret {
  readonly type: string;
  readonly provider: string;
  /** The value for the vault (for AWS, the `{"accessKeyId","secretAccessKey"}` JSON). */
  readonly secret: string;
  readonly fingerprint: string;
  readonly redacted: string;
  readonly confidence: Confidence;
  readonly revocable: boolean;
  readonly attributes?: Readonly<Record<string, string | number | boolean>>;
}

export interface ClassifyOptions {
  readonly fingerprintKey: string;
  /** GitHub's `secret_type` (e.g. `aws_access_key_id`, `github_personal_access_token`). */
  readonly hintType?: string;
}

export interface DetectionScanner extends Scanner {
  /** `classifySecret` bound to this scanner's fingerprint key. */
  classifySecret(value: string, hintType?: string): ClassifiedSecret | undefined;
}

/** GitHub secret-scanning `secret_type` values mapped to this engine's kinds. */
const GITHUB_SECRET_TYPES: Record<string, string> = {
  aws_access_key_id: 'aws_access_key',
  aws_secret_access_key: 'aws_secret_access_key',
  aws_temporary_access_key_id: 'aws_temporary_access_key',
  aws_session_token: 'aws_session_token',
  github_personal_access_token: 'github_pat_classic',
  github_fine_grained_personal_access_token: 'github_fine_grained_pat',
  github_oauth_access_token: 'github_oauth_token',
  github_app_installation_access_token: 'github_installation_token',
  github_refresh_token: 'github_refresh_token',
  github_user_to_server_token: 'github_user_to_server_token',
  npm_access_token: 'npm_access_token',
  slack_api_token: 'slack_bot_token',
  slack_incoming_webhook_url: 'slack_webhook_url',
  slack_workflow_webhook_url: 'slack_webhook_url',
  gitlab_access_token: 'gitlab_personal_access_token',
  stripe_api_key: 'stripe_secret_key',
  stripe_legacy_api_key: 'stripe_secret_key',
  stripe_live_restricted_key: 'stripe_restricted_key',
  stripe_test_restricted_key: 'stripe_restricted_key',
  stripe_test_secret_key: 'stripe_secret_key',
  stripe_webhook_signing_secret: 'stripe_webhook_secret',
  google_api_key: 'google_api_key',
  google_cloud_private_key_id: 'gcp_service_account_key',
  openai_api_key: 'openai_api_key',
  anthropic_api_key: 'anthropic_api_key',
  anthropic_admin_api_key: 'anthropic_admin_key',
  sendgrid_api_key: 'sendgrid_api_key',
  twilio_api_key: 'twilio_api_key',
  hashicorp_vault_service_token: 'vault_service_token',
  hashicorp_vault_batch_token: 'vault_batch_token',
  doppler_personal_token: 'doppler_token',
  doppler_service_token: 'doppler_token',
  linear_api_key: 'linear_api_key',
  discord_bot_token: 'discord_bot_token',
  telegram_bot_token: 'telegram_bot_token',
  hugging_face_user_access_token: 'huggingface_token',
  pypi_api_token: 'pypi_api_token',
  docker_personal_access_token: 'dockerhub_access_token',
  shopify_access_token: 'shopify_access_token',
  azure_storage_account_key: 'azure_storage_account_key',
  mailgun_api_key: 'mailgun_api_key',
  datadog_api_key: 'datadog_api_key',
  postgres_connection_string: 'postgres_uri',
  mongodb_connection_string: 'mongodb_uri',
};

function toSnake(value: string): string {
  return value
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function awsPairFromJson(value: string): { id: string; secret?: string } | undefined {
  if (!value.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(value) as Record<string, unknown>;
    const id = parsed.accessKeyId ?? parsed.AccessKeyId ?? parsed.aws_access_key_id;
    const secret = parsed.secretAccessKey ?? parsed.SecretAccessKey ?? parsed.aws_secret_access_key;
    if (typeof id !== 'string') return undefined;
    return typeof secret === 'string' ? { id, secret } : { id };
  } catch {
    return undefined;
  }
}

/**
 * Classify a raw credential value (e.g. the `secret` of a GitHub secret-scanning alert) the way a
 * file scan of the same value would: same type, provider, fingerprint identity and preview. When
 * the value's shape is not one the engine recognises, GitHub's `secret_type` decides the kind.
 * Returns undefined only when neither the value nor the hint is recognised.
 */
export function classifySecret(value: string, options: ClassifyOptions): ClassifiedSecret | undefined {
  const key = options.fingerprintKey;
  const raw = value.trim();
  const pair = awsPairFromJson(raw);
  // The pair's parts under their names, as in a credentials file: the secret is known to be the
  // secret, so the bare-value shape test (which wants a digit, for precision) must not drop it.
  const text = pair
    ? pair.secret
      ? `aws_access_key_id = ${pair.id}\naws_secret_access_key = ${pair.secret}`
      : pair.id
    : raw;
  const hits = findHits(text).filter((h) => h.type !== 'aws_secret_access_key');
  // The hit covering most of the value is the credential; ties go to the earliest.
  let best: Hit | undefined;
  for (const h of hits) if (!best || h.end - h.start > best.end - best.start) best = h;
  if (best) {
    return {
      type: best.type,
      provider: best.provider,
      secret: best.secret,
      fingerprint: fingerprint(key, best.identity),
      redacted: redact(best.preview.value, best.preview.prefix),
      confidence: best.confidence,
      revocable: best.revocable,
      ...(best.attributes ? { attributes: best.attributes } : {}),
    };
  }
  const hint = options.hintType;
  if (!hint) return undefined;
  const type = GITHUB_SECRET_TYPES[hint] ?? toSnake(hint);
  const known = KIND_BY_TYPE.get(type);
  const provider = known?.provider ?? toSnake(hint).split('_')[0] ?? 'unknown';
  return {
    type,
    provider,
    secret: raw,
    fingerprint: fingerprint(key, raw),
    redacted: redact(raw),
    // GitHub matched it with its own pattern; we could not confirm the shape.
    confidence: 'medium',
    // Never revoke automatically on a value whose shape we could not confirm.
    revocable: false,
  };
}

/** A scanner bound to a fingerprint key and an optional baseline of fingerprints to suppress. */
export function createScanner(options: ScannerOptions): DetectionScanner {
  const key = options.fingerprintKey;
  if (typeof key !== 'string' || key.length === 0)
    throw new Error('createScanner: fingerprintKey is required');
  const baseline = options.baseline;
  const minConfidence = options.minConfidence ?? 'medium';
  const scanSection = (text: string, file: string, addedLine?: Int32Array): Finding[] =>
    toFindings(text, file, findHits(text, fileContext(file)), {
      key,
      baseline,
      minConfidence,
      ...(addedLine ? { mapLine: (n: number) => addedLine[n] ?? 0 } : {}),
    });
  return {
    scanText(text: string, file: string): Finding[] {
      return scanSection(text, file);
    },
    scanPatch(patch: string, file: string): Finding[] {
      if (!/^@@ /m.test(patch)) return [];
      const section = parsePatch(patch);
      return scanSection(section.text, file, section.addedLine);
    },
    scanUnifiedDiff(diff: string): Finding[] {
      const findings: Finding[] = [];
      for (const section of parseUnifiedDiff(diff)) {
        findings.push(...scanSection(section.text, section.path ?? '', section.addedLine));
      }
      return findings;
    },
    classifySecret(value: string, hintType?: string): ClassifiedSecret | undefined {
      return classifySecret(
        value,
        hintType === undefined ? { fingerprintKey: key } : { fingerprintKey: key, hintType },
      );
    },
  };
}
