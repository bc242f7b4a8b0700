/**
 * Diff-aware scanning: only added lines are reported, with their line number in the new file;
 * a secret added by one commit of a push and removed by a later one is still reported.
 */
import { describe, expect, it } from 'vitest';
import { gen, scanner } from './helpers.ts';

const token = (seed: number): string => gen(seed).githubToken('ghp_');

describe('GitHub patch (one file, hunks only)', () => {
  it('reports an added line with its new-file line number and ignores context and removed lines', () => {
    const added = token(31);
    const removed = token(32);
    const context = token(33);
    const patch = [
      '@@ -10,4 +10,5 @@ export const config = {',
      `   oldToken: '${context}',`,
      `-  token: '${removed}',`,
      '+  region: "eu-west-1",',
      `+  token: '${added}',`,
      '   retries: 3,',
      ' };',
    ].join('\n');
    const findings = scanner.scanPatch(patch, 'src/config.ts');
    expect(findings.map((f) => [f.type, f.file, f.line, f.secret])).toEqual([
      ['github_pat_classic', 'src/config.ts', 12, added],
    ]);
  });

  it('numbers lines of a second hunk from its own header', () => {
    const added = token(34);
    const patch = [
      '@@ -1,2 +1,2 @@',
      '-a',
      '+b',
      ' c',
      '@@ -40,2 +40,3 @@',
      ' x',
      `+TOKEN=${added}`,
      ' y',
    ].join('\n');
    expect(scanner.scanPatch(patch, '.env').map((f) => f.line)).toEqual([41]);
  });

  it('reads a hunk line that starts with +++ or --- as content, not as a header', () => {
    const added = token(35);
    const patch = ['@@ -1 +1,2 @@', ' first', `+++token=${added}`].join('\n');
    expect(scanner.scanPatch(patch, 'notes.txt').map((f) => f.line)).toEqual([2]);
  });

  it('sees a private key whose lines were all added, at the line of its header', () => {
    const pem = gen(36).pem('RSA').split('\n');
    const patch = [`@@ -0,0 +1,${pem.length} @@`, ...pem.map((l) => `+${l}`)].join('\n');
    expect(scanner.scanPatch(patch, 'deploy/id_rsa').map((f) => [f.type, f.line])).toEqual([
      ['rsa_private_key', 1],
    ]);
  });

  it('reads a patch file as text: a private key on its removed lines is still in the file', () => {
    const pem = gen(38).pem('EC');
    const patch = [
      'diff --git a/deploy.sh b/deploy.sh',
      '--- a/deploy.sh',
      '+++ b/deploy.sh',
      '@@ -1,6 +1,1 @@',
      "-cat > /tmp/deploy_key <<'EOF'",
      ...pem.split('\n').map((l) => `-${l}`),
      '-EOF',
      '+export KEY_FILE=/run/secrets/deploy_key',
    ].join('\n');
    const [found, ...rest] = scanner.scanText(patch, 'patches/0011-remove-key.patch');
    expect(rest).toEqual([]);
    expect([found?.type, found?.line]).toEqual(['ec_private_key', 6]);
    // The vault gets the key itself, without the patch's `-` before each line.
    expect(found?.secret).toBe(pem.trim());
    // Scanned as a diff (what was pushed), a removed key is not reported.
    expect(scanner.scanPatch(patch.split('\n').slice(3).join('\n'), 'deploy.sh')).toEqual([]);
  });

  it('handles CRLF line endings and "No newline at end of file" markers', () => {
    const added = token(37);
    const patch = ['@@ -1 +1,2 @@', ' a', `+TOKEN=${added}`, '\\ No newline at end of file'].join('\r\n');
    expect(scanner.scanPatch(patch, '.env').map((f) => f.line)).toEqual([2]);
  });

  it('returns nothing for a patch with no hunks', () => {
    expect(scanner.scanPatch('Binary files differ', 'logo.png')).toEqual([]);
  });
});

describe('unified diff (git diff, git log -p)', () => {
  it('reports added lines of each file under its new path, and skips deleted files', () => {
    const a = token(41);
    const b = token(42);
    const diff = [
      'diff --git a/app/settings.py b/app/settings.py',
      'index 83db48f..bf269f4 100644',
      '--- a/app/settings.py',
      '+++ b/app/settings.py',
      '@@ -3,3 +3,4 @@ import os',
      ' DEBUG = False',
      `+GITHUB_TOKEN = "${a}"`,
      ' ALLOWED_HOSTS = []',
      ' TIME_ZONE = "UTC"',
      'diff --git a/old.env b/renamed.env',
      'similarity index 90%',
      'rename from old.env',
      'rename to renamed.env',
      '--- a/old.env',
      '+++ b/renamed.env',
      '@@ -1 +1,2 @@',
      ' A=1',
      `+TOKEN=${b}`,
      'diff --git a/gone.env b/gone.env',
      'deleted file mode 100644',
      '--- a/gone.env',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      `-TOKEN=${token(43)}`,
    ].join('\n');
    expect(scanner.scanUnifiedDiff(diff).map((f) => [f.file, f.line, f.secret])).toEqual([
      ['app/settings.py', 4, a],
      ['renamed.env', 2, b],
    ]);
  });

  it('reports a secret added by one commit of a push and removed by the next (git log -p)', () => {
    const leaked = token(44);
    const log = [
      'commit 1111111111111111111111111111111111111111',
      'Author: Dev <dev@example.com>',
      'Date:   Mon Nov 24 10:00:00 2025 +0000',
      '',
      '    add config',
      '',
      'diff --git a/config.yml b/config.yml',
      '--- a/config.yml',
      '+++ b/config.yml',
      '@@ -1,2 +1,3 @@',
      ' name: web',
      `+token: ${leaked}`,
      ' replicas: 2',
      'commit 2222222222222222222222222222222222222222',
      'Author: Dev <dev@example.com>',
      'Date:   Mon Nov 24 10:05:00 2025 +0000',
      '',
      '    oops, remove the token',
      '',
      'diff --git a/config.yml b/config.yml',
      '--- a/config.yml',
      '+++ b/config.yml',
      '@@ -1,3 +1,2 @@',
      ' name: web',
      `-token: ${leaked}`,
      ' replicas: 2',
    ].join('\n');
    expect(scanner.scanUnifiedDiff(log).map((f) => [f.file, f.line, f.secret])).toEqual([
      ['config.yml', 2, leaked],
    ]);
  });

  it('pairs an AWS key id on an added line with its secret on a context line, reported at the id', () => {
    const g = gen(45);
    const id = g.awsKeyId();
    const secret = g.awsSecret();
    const patch = [
      '@@ -1,2 +1,3 @@',
      ' [default]',
      `+aws_access_key_id = ${id}`,
      ` aws_secret_access_key = ${secret}`,
    ].join('\n');
    const [f] = scanner.scanPatch(patch, '.aws/credentials');
    expect(f?.line).toBe(2);
    expect(JSON.parse(f?.secret ?? '{}')).toEqual({ accessKeyId: id, secretAccessKey: secret });
  });

  it('does not report a credential that only appears on context lines', () => {
    const patch = ['@@ -1,2 +1,3 @@', ` TOKEN=${token(46)}`, '+DEBUG=1', ' PORT=80'].join('\n');
    expect(scanner.scanPatch(patch, '.env')).toEqual([]);
  });
});

describe('AWS key pairs in diffs', () => {
  const g = gen(21);
  const id = g.awsKeyId();
  const secret = g.awsSecret();

  it("names the secret's line in the new file when that line was added too", () => {
    const patch = `@@ -1,1 +1,3 @@\n [default]\n+aws_access_key_id = ${id}\n+aws_secret_access_key = ${secret}\n`;
    const [f] = scanner.scanPatch(patch, '.aws/credentials');
    expect([f?.line, f?.parts?.map((p) => [p.part, p.line])]).toEqual([2, [['secret_access_key', 3]]]);
  });

  it('does not name a secret that was already there (a context line)', () => {
    const patch = `@@ -1,2 +1,3 @@\n [default]\n+aws_access_key_id = ${id}\n aws_secret_access_key = ${secret}\n`;
    const [f] = scanner.scanPatch(patch, '.aws/credentials');
    expect(f?.line).toBe(2);
    expect(f?.parts).toBeUndefined();
  });
});
