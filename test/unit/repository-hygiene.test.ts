/**
 * The repository itself holds no credential-shaped literal: our own scanner (and GitHub push
 * protection) would flag it, and a sample that looks live teaches users to commit keys. Tests,
 * benchmarks and sample pushes make their fakes at run time (functions/local/sandbox/fake-credentials.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createScanner } from '../../functions/domain/detection/index.ts';
import { FAKE_TEMPLATE_NAMES, fillFakeCredentials } from '../../functions/local/sandbox/fake-credentials.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 })
    .split('\0')
    .filter((f) => f !== '' && f !== 'package-lock.json');
}

describe('repository hygiene', () => {
  it('has no credential in any tracked file, low-confidence findings included', () => {
    const scanner = createScanner({ fingerprintKey: 'hygiene', minConfidence: 'low' });
    const found: string[] = [];
    for (const file of trackedFiles()) {
      let text: string;
      try {
        text = readFileSync(new URL(file, `file://${ROOT}/`), 'utf8');
      } catch {
        continue; // deleted in the working tree but still in the index
      }
      if (text.includes('\0')) continue;
      for (const f of scanner.scanText(text, file)) found.push(`${f.file}:${f.line} ${f.type}`);
    }
    expect(found).toEqual([]);
  });

  it('finds the fakes the sample templates are filled with', () => {
    const scanner = createScanner({ fingerprintKey: 'hygiene' });
    const sample = readFileSync(new URL('events/sandbox/aws-key-in-config.json', `file://${ROOT}/`), 'utf8');
    expect(scanner.scanText(sample, 'sample.json')).toEqual([]);
    const filled = fillFakeCredentials(sample);
    expect(scanner.scanText(filled, 'sample.json').map((f) => f.type)).toEqual(['aws_access_key']);
  });
});

describe('fillFakeCredentials', () => {
  it('gives one name the same value within a text and fresh values on the next call', () => {
    const text = '{{fake:github_token}} {{fake:github_token}}';
    const [a, b] = fillFakeCredentials(text).split(' ');
    expect(a).toBe(b);
    expect(a).toMatch(/^ghp_[A-Za-z0-9]{36}$/);
    expect(fillFakeCredentials(text).split(' ')[0]).not.toBe(a);
  });

  it('fills every known template with a value the scanner reports', () => {
    const scanner = createScanner({ fingerprintKey: 'hygiene' });
    for (const name of FAKE_TEMPLATE_NAMES.filter((n) => n !== 'aws_secret_access_key')) {
      const line = `export TOKEN="{{fake:${name}}}"`;
      expect(scanner.scanText(fillFakeCredentials(line), 'env.sh'), name).toHaveLength(1);
    }
  });

  it('rejects an unknown template instead of leaving it in place', () => {
    expect(() => fillFakeCredentials('{{fake:stripe_key}}')).toThrow(/unknown fake credential template/);
  });
});
