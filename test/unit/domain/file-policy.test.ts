import { describe, expect, it } from 'vitest';
import { decideFile, keepFinding, pathKind } from '../../../functions/domain/intake/file-policy.ts';

const blob = 'b'.repeat(40);

describe('the file policy', () => {
  it('scans a patch whenever GitHub sends one, whatever the extension', () => {
    expect(
      decideFile({ filename: 'icon.svg', status: 'added', patch: '@@ -0,0 +1 @@\n+x', sha: blob }),
    ).toEqual({
      action: 'scan_patch',
      patch: '@@ -0,0 +1 @@\n+x',
    });
  });

  it('skips removed files and pure renames, which add nothing', () => {
    expect(decideFile({ filename: 'a.env', status: 'removed', sha: blob })).toEqual({
      action: 'skip',
      reason: 'removed',
    });
    expect(decideFile({ filename: 'b.env', status: 'renamed', sha: blob, additions: 0 })).toEqual({
      action: 'skip',
      reason: 'renamed',
    });
  });

  it('fetches the blob of a patch-less file unless its extension is a binary format', () => {
    expect(decideFile({ filename: 'dump.sql', status: 'added', sha: blob })).toEqual({
      action: 'fetch_blob',
      sha: blob,
    });
    expect(decideFile({ filename: 'tool', status: 'modified', sha: blob })).toEqual({
      action: 'fetch_blob',
      sha: blob,
    });
    expect(decideFile({ filename: 'img/Logo.PNG', status: 'added', sha: blob })).toEqual({
      action: 'skip',
      reason: 'binary',
    });
    expect(decideFile({ filename: 'lib/app.jar', status: 'added', sha: blob })).toEqual({
      action: 'skip',
      reason: 'binary',
    });
    expect(decideFile({ filename: 'x.txt', status: 'added' })).toEqual({
      action: 'skip',
      reason: 'no_content',
    });
  });

  it('tells vendored and generated files from source', () => {
    expect(pathKind('node_modules/left-pad/index.js')).toBe('vendored');
    expect(pathKind('services/api/vendor/github.com/x/y.go')).toBe('vendored');
    expect(pathKind('package-lock.json')).toBe('generated');
    expect(pathKind('web/dist/app.min.js')).toBe('generated');
    expect(pathKind('web/dist/app.js.map')).toBe('generated');
    expect(pathKind('src/vendor.ts')).toBe('source');
    expect(pathKind('config/settings.py')).toBe('source');
  });

  it('keeps every finding in source; in vendored and generated files only recognised shapes, not low-confidence ones', () => {
    expect(keepFinding({ file: 'src/app.ts', confidence: 'low' })).toBe(true);
    expect(keepFinding({ file: 'yarn.lock', confidence: 'low' })).toBe(false);
    expect(keepFinding({ file: 'node_modules/x/config.js', confidence: 'low' })).toBe(false);
    expect(keepFinding({ file: 'yarn.lock', confidence: 'high' })).toBe(true);
    expect(keepFinding({ file: 'web/dist/app.min.js', confidence: 'medium' })).toBe(true);
  });
});
