/**
 * SARIF 2.1.0 output for `leakstop scan --format sarif`, in the subset GitHub code scanning
 * reads (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning):
 * `$schema`, `version` and `runs`; a `tool.driver` with `name`, `semanticVersion` and one rule
 * per credential kind (`id`, `shortDescription`, `fullDescription` under 1000 characters,
 * `help`, `precision`, `security-severity` with the `security` tag); results with `ruleId`,
 * `message.text`, one physical location (URI relative to the scanned root, start/end line and
 * column) and `partialFingerprints`. GitHub keys alerts on `primaryLocationLineHash`; ours is
 * derived from the credential's fingerprint and path, so an alert follows the credential when
 * lines move and is closed when it is removed.
 */
import { createHash } from 'node:crypto';
import { KINDS } from '../domain/detection/index.ts';
import type { Finding } from '../domain/detection/index.ts';

const KIND = new Map(KINDS.map((k) => [k.type, k]));

export const SARIF_SCHEMA =
  'https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json';
/** GitHub ingests at most this many results per run. */
export const MAX_RESULTS = 25_000;

function ruleName(type: string): string {
  return type
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function toUri(file: string): string {
  return encodeURI(file.replace(/\\/g, '/')).replace(/[?#]/g, (c) => encodeURIComponent(c));
}

const HELP_TEXT =
  'A credential was committed. Revoke or rotate it at its issuer first (removing it from the code does not make it safe: it stays in the history and in every clone), then remove it from the code, load it from a secret store instead, and purge it from the history if the repository is public. If the value is a deliberate fake, add a leakstop:allow comment on its line or record it in a baseline (leakstop scan --format baseline).';

export function toSarif(findings: Finding[], showSecret = false): Record<string, unknown> {
  const kept = findings.slice(0, MAX_RESULTS);
  const ruleIds = [...new Set(kept.map((f) => f.type))].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const rules = ruleIds.map((id) => {
    const kind = KIND.get(id);
    const provider = kind?.provider ?? kept.find((f) => f.type === id)?.provider ?? 'generic';
    const text = `Leaked credential: ${id.replace(/_/g, ' ')} (${provider})`;
    const full = `${text}. Shape: ${kind?.shape ?? 'see the leakstop documentation'}.${kind?.source ? ` Format: ${kind.source}` : ''}`;
    return {
      id,
      name: ruleName(id),
      shortDescription: { text },
      fullDescription: { text: full.slice(0, 1000) },
      help: { text: HELP_TEXT, markdown: HELP_TEXT },
      defaultConfiguration: { level: 'error' },
      properties: {
        tags: ['security', 'secret', provider],
        precision: id.startsWith('generic_') ? 'medium' : 'high',
        'security-severity': id.startsWith('generic_') ? '7.5' : '9.0',
      },
    };
  });
  const results = kept.map((f) => ({
    ruleId: f.type,
    ruleIndex: ruleIndex.get(f.type) ?? 0,
    level: 'error',
    message: {
      text: `Leaked ${f.type.replace(/_/g, ' ')} ${showSecret ? f.secret : f.redacted} (${f.confidence} confidence${
        f.revocable ? ', revocable by leakstop' : ''
      }).`,
    },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: toUri(f.file), uriBaseId: '%SRCROOT%' },
          region: {
            startLine: f.line,
            startColumn: f.column,
            endLine: f.line,
            endColumn: Math.max(f.endColumn ?? f.column + 1, f.column + 1),
          },
        },
      },
    ],
    ...(f.parts?.length
      ? {
          relatedLocations: f.parts.map((p, i) => ({
            id: i + 1,
            physicalLocation: {
              artifactLocation: { uri: toUri(f.file), uriBaseId: '%SRCROOT%' },
              region: {
                startLine: p.line,
                startColumn: p.column,
                endLine: p.line,
                endColumn: Math.max(p.endColumn, p.column + 1),
              },
            },
            message: { text: `the ${p.part.replace(/_/g, ' ')} of this credential` },
          })),
        }
      : {}),
    partialFingerprints: {
      primaryLocationLineHash: `${createHash('sha256').update(`${f.fingerprint}\0${f.file}`).digest('hex').slice(0, 16)}:1`,
      'leakstopFingerprint/v1': f.fingerprint,
    },
    properties: {
      provider: f.provider,
      confidence: f.confidence,
      revocable: f.revocable,
      redacted: f.redacted,
    },
  }));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'leakstop',
            informationUri: 'https://github.com/leakstop/leakstop',
            semanticVersion: '0.1.0',
            rules,
          },
        },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}
