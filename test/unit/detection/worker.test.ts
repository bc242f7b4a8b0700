/**
 * The detect worker and `leakstop scan` share one engine: the worker builds its scanner with
 * the detection index's createScanner, and what the CLI reports for a diff is what the
 * scanner's patch scan reports for the same file (same type, line and fingerprint).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScanCommand } from '../../../functions/cli/scan.ts';
import { createScanner } from '../../../functions/domain/detection/index.ts';
import { gen } from './helpers.ts';

describe('one engine for the worker and the CLI', () => {
  it('the detect handler creates its scanner with the detection engine', () => {
    const source = readFileSync(new URL('../../../functions/handlers/detect.ts', import.meta.url), 'utf8');
    expect(source).toMatch(
      /import \{[^}]*\bcreateScanner\b[^}]*\} from '\.\.\/domain\/detection\/index\.ts'/,
    );
    expect(source).toMatch(/createScanner\(\{ fingerprintKey \}\)/);
  });

  it('reports a pushed patch the same way leakstop scan --diff reports the diff', async () => {
    const token = gen(61).githubToken('ghp_');
    const patch = ['@@ -1,2 +1,3 @@', ' name: web', `+token: ${token}`, ' replicas: 2'].join('\n');
    const fingerprintKey = 'shared-key';
    const worker = createScanner({ fingerprintKey }).scanPatch(patch, 'deploy/app.yml');
    let out = '';
    await runScanCommand(['--format', 'jsonl', '--diff', '-'], {
      stdout: (c) => (out += c),
      stderr: () => undefined,
      readStdin: async () => `--- a/deploy/app.yml\n+++ b/deploy/app.yml\n${patch}\n`,
      isTTY: false,
      env: { LEAKSTOP_FINGERPRINT_KEY: fingerprintKey },
    });
    const cli = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; line: number; fingerprint: string; file: string });
    expect(cli.map((f) => [f.file, f.type, f.line, f.fingerprint])).toEqual(
      worker.map((f) => [f.file, f.type, f.line, f.fingerprint]),
    );
    expect(worker).toHaveLength(1);
  });
});
