/**
 * What `git commit` would record, as a unified diff: the input of `leakstop scan --staged`, the
 * pre-commit check. Paths are relative to the repository root; `core.quotePath=false` keeps
 * non-ASCII paths readable (git would otherwise print them as octal escapes), and no external
 * diff or textconv driver changes what is shown.
 */
export async function stagedDiff(cwd: string): Promise<string> {
  const { spawnSync } = await import('node:child_process');
  // Outside a repository `git diff` compares paths instead (--no-index) and refuses --cached.
  const inside = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd, encoding: 'utf8' });
  if (inside.error) throw new Error(`--staged needs git: ${inside.error.message}`);
  if (inside.status !== 0 || inside.stdout.trim() !== 'true')
    throw new Error(`--staged: ${cwd} is not in a git repository's work tree`);
  const git = spawnSync(
    'git',
    [
      '-c',
      'core.quotePath=false',
      'diff',
      '--cached',
      '--no-color',
      '--no-ext-diff',
      '--no-textconv',
      '--unified=3',
      '--diff-filter=d',
    ],
    { cwd, encoding: 'utf8', maxBuffer: 1 << 30 },
  );
  if (git.error || git.status !== 0) {
    const why =
      git.error?.message ?? (git.stderr.trim().split('\n')[0] || `git diff --cached exited ${git.status}`);
    throw new Error(`--staged: ${why}`);
  }
  return git.stdout;
}
