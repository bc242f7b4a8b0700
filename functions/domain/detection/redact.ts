import { createHmac } from 'node:crypto';

/**
 * Prefixes that name a credential's kind rather than its secret part, so a preview may show
 * them. Longest first: the first that matches wins.
 */
const KNOWN_PREFIXES = [
  'sk-ant-admin01-',
  'sk-ant-api03-',
  'xoxe.xoxp-1-',
  'mongodb+srv://',
  'postgresql://',
  'github_pat_',
  'sk-svcacct-',
  'dckr_pat_',
  'sk-admin-',
  'postgres://',
  'mongodb://',
  'rk_live_',
  'rk_test_',
  'sk_live_',
  'sk_test_',
  'lin_api_',
  'rediss://',
  'mysql://',
  'redis://',
  'amqps://',
  'sk-proj-',
  'amqp://',
  'whsec_',
  'glpat-',
  'glptt-',
  'shpat_',
  'shpca_',
  'shppa_',
  'shpss_',
  'dp.pt.',
  'dp.st.',
  'dp.ct.',
  'dp.sa.',
  'dop_v1_',
  'sntrys_',
  'pypi-',
  'xoxb-',
  'xoxp-',
  'xoxe-',
  'xapp-',
  'glrt-',
  'gldt-',
  'glsa_',
  'GOCSPX-',
  'AKIA',
  'ASIA',
  'ABIA',
  'ACCA',
  'AIza',
  'ghp_',
  'gho_',
  'ghu_',
  'ghs_',
  'ghr_',
  'npm_',
  'hvs.',
  'hvb.',
  'SG.',
  'hf_',
  'sk-',
  'SK',
];

/**
 * A preview safe to show anywhere: at most a known prefix, `…` and the last 4 characters.
 * Shorter values show less (last 2 below 12 characters, nothing below 8) so the preview never
 * carries the full value or most of it. `label` overrides the known-prefix lookup; a label that
 * is not a prefix of the value (a URL scheme before a password) is shown before the `…`.
 */
export function redact(value: string, label?: string): string {
  // A label that is not part of the value (e.g. `postgres://` before a password) is shown as is.
  const external = label !== undefined && !value.startsWith(label);
  const known = external ? '' : (label ?? KNOWN_PREFIXES.find((p) => value.startsWith(p)) ?? '');
  const rest = value.length - known.length;
  let tail = 0;
  if (rest >= 12) tail = 4;
  else if (rest >= 8) tail = 2;
  const shownPrefix = external ? label : rest >= 8 ? known : '';
  return `${shownPrefix}…${tail > 0 ? value.slice(-tail) : ''}`;
}

/** Hex HMAC-SHA256 of the credential's identity under the fingerprint key. */
export function fingerprint(key: string, identity: string): string {
  return createHmac('sha256', key).update(identity, 'utf8').digest('hex');
}
