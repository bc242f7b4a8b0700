/**
 * SARIF 2.1.0 output for `leakstop scan --format sarif`, in the shape GitHub code scanning
 * accepts: one rule per credential kind, results with a physical location relative to the
 * scanned root, and a partial fingerprint so alerts are tracked across runs.
 */
import { KINDS } from '../domain/detection/index.ts';
import type { Finding } from '../domain/detection/index.ts';

const KIND = new Map(KINDS.map((k) => [k.type, k]));

function ruleName(type: string): string {
  return type
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function toUri(file: string): string {
  return encodeURI(file.replace(/\\/g, '/')).replace(/[?#]/g, (c) => encodeURIComponent(c));
}

export function toSarif(findings: Finding[], showSecret = false): Record<string, unknown> {
  const ruleIds = [...new Set(findings.map((f) => f.type))].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const rules = ruleIds.map((id) => {
    const kind = KIND.get(id);
    const provider = kind?.provider ?? findings.find((f) => f.type === id)?.provider ?? 'generic';
    const text = `Leaked credential: ${id.replace(/_/g, ' ')} (${provider})`;
    return {
      id,
      name: ruleName(id),
      shortDescription: { text },
      fullDescription: { text: `${text}. Shape: ${kind?.shape ?? 'see leakstop documentation'}.` },
      help: {
        text: 'Revoke or rotate the credential, then remove it from the code and its history.',
        markdown: 'Revoke or rotate the credential, then remove it from the code and its history.',
      },
      defaultConfiguration: { level: 'error' },
      properties: {
        tags: ['security', 'secret', provider],
        precision: id.startsWith('generic_') ? 'medium' : 'high',
        'security-severity': '9.0',
      },
    };
  });
  const results = findings.map((f) => ({
    ruleId: f.type,
    ruleIndex: ruleIndex.get(f.type) ?? 0,
    level: 'error',
    message: {
      text: `${f.type.replace(/_/g, ' ')} ${showSecret ? f.secret : f.redacted} (${f.confidence} confidence${
        f.revocable ? ', revocable by leakstop' : ''
      })`,
    },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: toUri(f.file), uriBaseId: '%SRCROOT%' },
          region: { startLine: f.line, startColumn: f.column },
        },
      },
    ],
    partialFingerprints: { 'leakstopFingerprint/v1': f.fingerprint },
    properties: {
      provider: f.provider,
      confidence: f.confidence,
      revocable: f.revocable,
      redacted: f.redacted,
    },
  }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
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
