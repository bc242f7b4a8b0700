/**
 * `leakstop scan` as a user runs it: folders walked with binaries and ignored paths skipped,
 * stdin and diffs, the jsonl / SARIF / table / baseline outputs, exit codes, and the plaintext
 * kept out of every output unless --show-secret is given.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng, Gen, STANDALONE } from '../../../bench/scan/tokens.ts';
import { runScanCommand } from '../../../functions/cli/scan.ts';
import type { ScanIO } from '../../../functions/cli/scan.ts';
import { runCaptured } from '../../helpers/cli.ts';

const g = new Gen(createRng(99));

const run = (args: string[], io: Partial<ScanIO> = {}) => runCaptured(runScanCommand, args, io);

const lines = (out: string): Array<Record<string, unknown>> =>
  out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

function tree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'leakstop-scan-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe('walking a folder', () => {
  const token = g.githubToken('ghp_');
  const ignored = g.githubToken('ghp_');
  const root = tree({
    'src/config.js': `const x = 1;\nconst token = "${token}";\n`,
    'logo.png': `PNG${ignored}`,
    'data.bin': Buffer.concat([Buffer.from(`TOKEN=${ignored}\n`), Buffer.from([0, 1, 2])]),
    '.leakstopignore': 'build/\n*.local\n',
    'build/out.js': `TOKEN=${ignored}\n`,
    'app.local': `TOKEN=${ignored}\n`,
    '.git/objects/info/packs': `TOKEN=${ignored}\n`,
    '.git/logs/HEAD': `TOKEN=${ignored}\n`,
  });

  it('prints one JSON line per finding with the file relative to the root, a 1-based line and the type', async () => {
    const r = await run(['--format', 'jsonl', root]);
    expect(r.code).toBe(1);
    expect(lines(r.stdout).map((f) => [f.file, f.line, f.column, f.type])).toEqual([
      ['src/config.js', 2, 16, 'github_pat_classic'],
    ]);
  });

  it("reads a repository's .git/config (a remote's URL with a token) and nothing else of git's data", async () => {
    const remote = g.githubToken('ghp_');
    const repo = tree({
      '.git/config': `[remote "origin"]\n\turl = https://ci:${remote}@github.com/acme/app.git\n`,
      '.git/COMMIT_EDITMSG': 'Add the deploy script\n',
      '.git/logs/HEAD': `0000 1111 ci <ci@acme.test> 1700000000 +0000\tclone: from https://ci:${ignored}@github.com/acme/app.git\n`,
    });
    const r = await run(['--format', 'jsonl', repo]);
    expect(lines(r.stdout).map((f) => [f.file, f.line, f.type])).toEqual([
      ['.git/config', 2, 'github_pat_classic'],
    ]);
  });

  it('skips binaries, .git and paths matched by .leakstopignore, and scans them with --no-ignore except binaries', async () => {
    const r = await run(['--format', 'jsonl', '--no-ignore', root]);
    expect(lines(r.stdout).map((f) => f.file)).toEqual(['app.local', 'build/out.js', 'src/config.js']);
  });

  it('scans a gitignored .env by default and skips it with --use-gitignore', async () => {
    const repo = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.gitignore': '.env\nnode_modules/\n',
      '.env': `GITHUB_TOKEN=${token}\n`,
      'src/app.js': 'export const port = 3000;\n',
    });
    expect(lines((await run(['--format', 'jsonl', repo])).stdout).map((f) => f.file)).toEqual(['.env']);
    expect(lines((await run(['--format', 'jsonl', '--use-gitignore', repo])).stdout)).toEqual([]);
  });

  it('lets .leakstopignore re-include what .gitignore excludes under --use-gitignore', async () => {
    const repo = tree({
      '.gitignore': '*.env\n',
      '.leakstopignore': '!prod.env\n',
      'prod.env': `TOKEN=${token}\n`,
      'dev.env': `TOKEN=${ignored}\n`,
    });
    const r = await run(['--format', 'jsonl', '--use-gitignore', repo]);
    expect(lines(r.stdout).map((f) => f.file)).toEqual(['prod.env']);
  });

  it("applies the repository's ignore files when a subfolder is scanned", async () => {
    const repo = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.leakstopignore': 'generated/\n',
      'app/generated/keys.env': `TOKEN=${ignored}\n`,
      'app/src/config.env': `TOKEN=${token}\n`,
    });
    const r = await run(['--format', 'jsonl', join(repo, 'app')]);
    expect(lines(r.stdout).map((f) => f.file)).toEqual(['src/config.env']);
  });

  it('scans a folder named on the command line even when the repository ignores it', async () => {
    const repo = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.leakstopignore': 'corpus/\n*.log\n',
      'corpus/a/config.env': `TOKEN=${token}\n`,
    });
    const r = await run(['--format', 'jsonl', join(repo, 'corpus')]);
    expect(lines(r.stdout).map((f) => f.file)).toEqual(['a/config.env']);
  });

  it('never prints the plaintext unless --show-secret is given', async () => {
    for (const format of ['jsonl', 'sarif', 'table', 'baseline']) {
      const r = await run(['--format', format, root]);
      expect(r.stdout).not.toContain(token);
    }
    const shown = await run(['--format', 'jsonl', '--show-secret', root]);
    expect(lines(shown.stdout)[0]?.secret).toBe(token);
  });

  it('defaults to a table on a terminal and to jsonl otherwise', async () => {
    const tty = await run([root], { isTTY: true });
    expect(tty.stdout).toMatch(/^LOCATION\s+TYPE\s+CONFIDENCE/);
    expect(tty.stdout).toContain('src/config.js:2:16');
    const piped = await run([root]);
    expect(lines(piped.stdout)).toHaveLength(1);
  });
});

describe('exit codes', () => {
  it('exits 0 when nothing is found, 1 on findings, 2 on errors', async () => {
    expect((await run(['--format', 'jsonl', tree({ 'a.txt': 'hello\n' })])).code).toBe(0);
    expect((await run(['--format', 'jsonl', tree({ 'a.env': `T=${g.githubToken('ghp_')}\n` })])).code).toBe(
      1,
    );
    const missing = await run(['/nonexistent/leakstop/path']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file or directory');
    expect((await run(['--format', 'xml', '.'])).code).toBe(2);
    expect((await run(['--no-such-flag'])).code).toBe(2);
  });
});

describe('stdin and diffs', () => {
  it('reads text from stdin with -', async () => {
    const token = g.githubToken('ghp_');
    const r = await run(['--format', 'jsonl', '-'], { readStdin: async () => `x\nTOKEN=${token}\n` });
    expect(lines(r.stdout).map((f) => [f.file, f.line])).toEqual([['-', 2]]);
  });

  it('reads a unified diff from stdin with --diff - and reports only added lines', async () => {
    const added = g.githubToken('ghp_');
    const removed = g.githubToken('ghp_');
    const diff = ['--- a/.env', '+++ b/.env', '@@ -1,2 +1,2 @@', ' A=1', `-T=${removed}`, `+T=${added}`].join(
      '\n',
    );
    const r = await run(['--format', 'jsonl', '--diff', '-'], { readStdin: async () => diff });
    expect(lines(r.stdout).map((f) => [f.file, f.line, f.fingerprint === undefined])).toEqual([
      ['.env', 2, false],
    ]);
  });
});

describe('--staged (a pre-commit hook)', () => {
  const git = (cwd: string, ...args: string[]): void => {
    const r = spawnSync('git', ['-c', 'user.name=dev', '-c', 'user.email=dev@example.com', ...args], {
      cwd,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  };
  function repository(files: Record<string, string>): string {
    const root = tree(files);
    git(root, 'init', '-q');
    git(root, 'add', '.');
    git(root, 'commit', '-q', '-m', 'first');
    return root;
  }

  it('reports credentials in staged lines only, with repository paths and new-file line numbers', async () => {
    const root = repository({ 'app/settings.py': 'DEBUG = False\nNAME = "api"\n', 'README.md': '# app\n' });
    const staged = g.githubToken('ghp_');
    const unstaged = g.githubToken('ghp_');
    writeFileSync(join(root, 'app/settings.py'), `DEBUG = False\nTOKEN = "${staged}"\nNAME = "api"\n`);
    writeFileSync(join(root, 'café.env'), `SLACK=${STANDALONE.slack_bot_token!(g)}\n`);
    git(root, 'add', 'app/settings.py', 'café.env');
    // Changed after staging: not what the commit records.
    writeFileSync(join(root, 'README.md'), `# app\nGH=${unstaged}\n`);
    const r = await run(['--staged', '--format', 'jsonl'], { cwd: join(root, 'app') });
    expect(r.code).toBe(1);
    expect(lines(r.stdout).map((f) => [f.file, f.line, f.type])).toEqual([
      ['app/settings.py', 2, 'github_pat_classic'],
      ['café.env', 1, 'slack_bot_token'],
    ]);
    expect(r.stdout).not.toContain(staged);
  });

  it('exits 0 when nothing staged holds a credential', async () => {
    const root = repository({ 'a.txt': 'hello\n' });
    writeFileSync(join(root, 'a.txt'), 'hello\nworld\n');
    git(root, 'add', 'a.txt');
    const r = await run(['--staged', '--format', 'jsonl'], { cwd: root });
    expect([r.code, r.stdout]).toEqual([0, '']);
  });

  it('fails with exit code 2 and says why outside a git repository or with a PATH', async () => {
    const outside = await run(['--staged'], { cwd: tree({ 'a.txt': 'x\n' }) });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/--staged: .* is not in a git repository's work tree/);
    const withPath = await run(['--staged', 'src']);
    expect(withPath.code).toBe(2);
    expect(withPath.stderr).toContain('give no PATH');
  });
});

describe('SARIF', () => {
  it('has the properties GitHub code scanning requires', async () => {
    const root = tree({ 'deploy/.env': `A=1\nGITHUB_TOKEN=${g.githubToken('ghp_')}\n` });
    const r = await run(['--format', 'sarif', root]);
    const sarif = JSON.parse(r.stdout) as {
      $schema: string;
      version: string;
      runs: Array<{
        tool: { driver: { name: string; rules: Array<Record<string, { text?: string } | string>> } };
        results: Array<Record<string, unknown>>;
      }>;
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toMatch(/sarif-schema-2\.1\.0\.json$/);
    const run0 = sarif.runs[0];
    expect(run0?.tool.driver.name).toBe('leakstop');
    const rule = run0?.tool.driver.rules[0] as Record<string, { text: string }> & { id: string };
    expect(rule.id).toBe('github_pat_classic');
    expect(rule.shortDescription?.text).toBeTruthy();
    expect(rule.fullDescription?.text.length).toBeLessThanOrEqual(1000);
    expect(rule.help?.text).toBeTruthy();
    const result = run0?.results[0] as {
      ruleId: string;
      message: { text: string };
      locations: Array<{
        physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> };
      }>;
      partialFingerprints: Record<string, string>;
    };
    expect(result.ruleId).toBe('github_pat_classic');
    expect(result.message.text).toBeTruthy();
    expect(result.locations).toHaveLength(1);
    expect(result.locations[0]?.physicalLocation.artifactLocation.uri).toBe('deploy/.env');
    expect(result.locations[0]?.physicalLocation.region).toMatchObject({
      startLine: 2,
      startColumn: 14,
      endLine: 2,
    });
    expect(result.partialFingerprints.primaryLocationLineHash).toMatch(/^[0-9a-f]{16}:1$/);
  });
});

describe('an AWS key pair written on two lines', () => {
  const id = g.awsKeyId();
  const secret = g.awsSecret();
  const root = tree({ 'deploy/.env': `AWS_ACCESS_KEY_ID=${id}\nAWS_SECRET_ACCESS_KEY=${secret}\n` });

  it('jsonl reports it at the key id and again at the secret, one credential (same fingerprint)', async () => {
    const found = lines((await run(['--format', 'jsonl', root])).stdout);
    expect(found.map((f) => [f.file, f.line, f.column, f.type, f.part])).toEqual([
      ['deploy/.env', 1, 19, 'aws_access_key', undefined],
      ['deploy/.env', 2, 23, 'aws_access_key', 'secret_access_key'],
    ]);
    expect(found[1]?.fingerprint).toBe(found[0]?.fingerprint);
    expect(JSON.stringify(found)).not.toContain(secret);
  });

  it('SARIF keeps one result, with the secret as a related location', async () => {
    const sarif = JSON.parse((await run(['--format', 'sarif', root])).stdout) as {
      runs: Array<{ results: Array<{ relatedLocations?: Array<Record<string, unknown>> }> }>;
    };
    const results = sarif.runs[0]?.results ?? [];
    expect(results).toHaveLength(1);
    expect(results[0]?.relatedLocations).toEqual([
      expect.objectContaining({
        id: 1,
        physicalLocation: expect.objectContaining({
          region: { startLine: 2, startColumn: 23, endLine: 2, endColumn: 63 },
        }),
      }),
    ]);
  });

  it('the table counts one credential and says where its secret is', async () => {
    const out = (await run(['--format', 'table', root])).stdout;
    expect(out).toContain('deploy/.env:1:19 (secret access key at 2:23)');
    expect(out).toContain('1 credential found.');
  });
});

describe('baseline', () => {
  it('records fingerprints only, and a scan with it reports only new findings', async () => {
    const old = g.githubToken('ghp_');
    const root = tree({ 'a.env': `OLD=${old}\n` });
    const written = await run(['--format', 'baseline', root]);
    expect(written.code).toBe(0);
    const baseline = JSON.parse(written.stdout) as { version: number; fingerprints: string[] };
    expect(baseline.version).toBe(1);
    expect(baseline.fingerprints).toHaveLength(1);
    expect(written.stdout).not.toContain(old.slice(4, 20));
    const file = join(root, '..', `${root.split('/').pop()}.baseline.json`);
    writeFileSync(file, written.stdout);
    const fresh = g.githubToken('ghp_');
    writeFileSync(join(root, 'b.env'), `NEW=${fresh}\n`);
    const r = await run(['--format', 'jsonl', '--baseline', file, root]);
    expect(lines(r.stdout).map((f) => f.file)).toEqual(['b.env']);
    expect((await run(['--baseline', join(root, 'a.env'), root])).code).toBe(2);
  });
});

describe('the installed command', () => {
  it('runs through bin/leakstop.js with the jsonl contract and exit code 1', () => {
    const root = tree({ 'x/y.yml': `token: ${g.githubToken('ghp_')}\n` });
    const r = spawnSync(process.execPath, ['bin/leakstop.js', 'scan', '--format', 'jsonl', root], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(lines(r.stdout).map((f) => [f.file, f.line, f.type])).toEqual([
      ['x/y.yml', 1, 'github_pat_classic'],
    ]);
  });

  it("runs as `npx leakstop` from the checkout's node_modules/.bin, installing nothing into npm's cache", () => {
    // With a `bin` in the root package.json, npm exec first copies the whole checkout into its
    // npx cache (~300 ms of every scan's wall time); the CLI is a linked dependency instead.
    const root = tree({ 'x/y.yml': `token: ${g.githubToken('ghp_')}\n` });
    const cache = mkdtempSync(join(tmpdir(), 'leakstop-npm-cache-'));
    const r = spawnSync('npx', ['--offline', 'leakstop', 'scan', '--format', 'jsonl', root], {
      encoding: 'utf8',
      env: { ...process.env, npm_config_cache: cache, npm_config_update_notifier: 'false' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(lines(r.stdout).map((f) => [f.file, f.line])).toEqual([['x/y.yml', 1]]);
    expect(existsSync(join(cache, '_npx'))).toBe(false);
  });

  it('stops quietly with its own exit code when the reader closes the pipe early (`scan | head`)', async () => {
    const many = Array.from({ length: 3000 }, () => `T=${g.githubToken('ghp_')}`).join('\n');
    const root = tree({ 'tokens.env': `${many}\n` });
    const child = spawn(process.execPath, ['bin/leakstop.js', 'scan', '--format', 'jsonl', root]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const [code] = (await once(child, 'close')) as [number | null];
    expect(stderr).toBe('');
    expect(code).toBe(1);
  });
});
