/**
 * `leakstop scan [PATH…|-] [--diff] [--staged] [--format jsonl|sarif|table|baseline] [--baseline FILE]`
 *
 * Walks files and folders (skipping binaries, `.git` but its `config` and commit message, and paths matched by `.gitignore` and
 * `.leakstopignore` files), or reads stdin with `-`, or scans unified diffs with `--diff`, or
 * what is staged for commit with `--staged`, and prints findings without their plaintext unless
 * `--show-secret` is given.
 * Exit code: 0 nothing found, 1 findings, 2 error.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { createScanner } from '../domain/detection/index.ts';
import type { Confidence, Finding } from '../domain/detection/index.ts';
import { alignColumns, parseCommandLine, UsageError } from './command-line.ts';
import { IgnoreRules } from './ignore.ts';
import { stagedDiff } from './staged.ts';
import { toSarif } from './sarif.ts';

export const USAGE = `Usage: leakstop scan [PATH…|-] [options]

Scan files, folders, stdin (-) or unified diffs for credentials.

Options:
  --diff                  treat the input as a unified diff (git diff, git log -p, git show)
                          and report only added lines, with new-file paths and line numbers;
                          for a push, give it git log -p (every commit) so a credential added
                          and removed within the range is still reported
  --staged                scan what is staged for commit in the git repository here (git diff
                          --cached): added lines only, paths from the repository root. For a
                          pre-commit hook: exit code 1 stops the commit
  --format FORMAT         table | jsonl | sarif | baseline (default: table on a terminal,
                          jsonl otherwise); baseline prints a baseline file of the
                          findings' fingerprints
  --baseline FILE         suppress findings whose fingerprint is in FILE
  --min-confidence LEVEL  low | medium | high (default medium; low adds findings that look
                          like deliberate fakes: keys and passwords in test, fixture and
                          example paths, values in API documentation comments)
  --show-secret           include the plaintext credential in the output (never by default)
  --use-gitignore         also skip paths matched by .gitignore files (not by default: a
                          gitignored .env on disk holds live credentials all the same)
  --no-ignore             do not honour .leakstopignore (nor .gitignore) files
  --stats                 print the files and bytes scanned and the time taken to stderr
  --max-file-size BYTES   skip larger files (default 26214400)
  -h, --help              show this help

Suppressing findings:
  a line holding the text leakstop:allow (e.g. in a comment) is never reported;
  leakstop scan --format baseline . > .leakstop-baseline.json records today's findings
  (fingerprints only, never values) and leakstop scan --baseline .leakstop-baseline.json .
  then reports only new ones.

Environment:
  LEAKSTOP_FINGERPRINT_KEY  key for the fingerprint HMAC. Without it a fixed local key is
                            used, so fingerprints (and baselines) compare only between
                            runs that also use the default key.

Exit codes: 0 no findings, 1 findings, 2 error.
`;

/** The documented local default: fingerprints made with it are comparable only locally. */
export const LOCAL_FINGERPRINT_KEY = 'leakstop-local-fingerprint-key-v1';

export interface ScanIO {
  readonly stdout: (chunk: string) => void;
  readonly stderr: (chunk: string) => void;
  readonly readStdin: () => Promise<string>;
  readonly isTTY: boolean;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const BINARY_EXTENSIONS = new Set(
  (
    'png jpg jpeg gif bmp ico icns webp avif tif tiff psd heic mp3 mp4 m4a mov avi mkv webm wav flac ogg ' +
    'zip gz tgz bz2 xz 7z rar zst lz4 jar war ear class dex apk aab ipa so dylib dll exe bin o a lib obj pyc pyo ' +
    'woff woff2 ttf otf eot pdf doc docx xls xlsx ppt pptx odt ods sqlite sqlite3 db wasm node dat iso dmg img ' +
    'parquet avro orc npy npz pkl pt pth onnx h5 tflite safetensors gguf deb rpm msi'
  ).split(' '),
);

type Format = 'jsonl' | 'sarif' | 'table' | 'baseline';

interface Options {
  diff: boolean;
  staged: boolean;
  format: Format;
  baseline?: string;
  minConfidence: Confidence;
  showSecret: boolean;
  /** Ignore files honoured, by name (gitignore syntax): none with --no-ignore. */
  ignoreFiles: readonly string[];
  stats: boolean;
  maxFileSize: number;
  paths: string[];
}

function parseOptions(args: string[], io: ScanIO): Options | 'help' {
  const { values, positionals } = parseCommandLine(args, {
    diff: { type: 'boolean', default: false },
    staged: { type: 'boolean', default: false },
    format: { type: 'string' },
    baseline: { type: 'string' },
    'min-confidence': { type: 'string', default: 'medium' },
    'show-secret': { type: 'boolean', default: false },
    'no-ignore': { type: 'boolean', default: false },
    'use-gitignore': { type: 'boolean', default: false },
    stats: { type: 'boolean', default: false },
    'max-file-size': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return 'help';
  const format = values.format ?? (io.isTTY ? 'table' : 'jsonl');
  if (format !== 'jsonl' && format !== 'sarif' && format !== 'table' && format !== 'baseline') {
    throw new UsageError(`unknown --format '${format}' (use table, jsonl, sarif or baseline)`);
  }
  const minConfidence = values['min-confidence'];
  if (minConfidence !== 'low' && minConfidence !== 'medium' && minConfidence !== 'high')
    throw new UsageError(`unknown --min-confidence '${minConfidence}' (use low, medium or high)`);
  if (values.staged && positionals.length > 0)
    throw new UsageError('--staged scans the staged changes of the repository here: give no PATH');
  const maxFileSize =
    values['max-file-size'] === undefined ? 25 * 1024 * 1024 : Number(values['max-file-size']);
  if (!Number.isFinite(maxFileSize) || maxFileSize <= 0)
    throw new UsageError('--max-file-size must be a positive number');
  return {
    diff: values.diff ?? false,
    staged: values.staged ?? false,
    format,
    ...(values.baseline === undefined ? {} : { baseline: values.baseline }),
    minConfidence,
    showSecret: values['show-secret'] ?? false,
    ignoreFiles: values['no-ignore']
      ? []
      : values['use-gitignore']
        ? ['.gitignore', '.leakstopignore']
        : ['.leakstopignore'],
    stats: values.stats ?? false,
    maxFileSize,
    paths: positionals.length > 0 ? positionals : ['.'],
  };
}

export interface Baseline {
  readonly version: 1;
  readonly fingerprints: readonly string[];
}

export function loadBaseline(path: string): Set<string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `cannot read baseline ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const fps = (parsed as { fingerprints?: unknown }).fingerprints;
  if (
    (parsed as { version?: unknown }).version !== 1 ||
    !Array.isArray(fps) ||
    !fps.every((f) => typeof f === 'string' && /^[0-9a-f]{64}$/.test(f))
  ) {
    throw new UsageError(`baseline ${path} must be {"version":1,"fingerprints":["<64 hex>",…]}`);
  }
  return new Set(fps as string[]);
}

/** A baseline file body: the fingerprints (never values) of the findings, sorted and unique. */
export function toBaseline(findings: readonly Finding[], previous: Iterable<string> = []): Baseline {
  return {
    version: 1,
    fingerprints: [...new Set([...previous, ...findings.map((f) => f.fingerprint)])].sort(),
  };
}

function isBinary(buf: Buffer, length: number): boolean {
  return buf.subarray(0, Math.min(length, 8000)).includes(0);
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

let readBuffer = Buffer.allocUnsafe(1 << 20);

/** Read a file as text with one open, fstat, read and close; undefined for binaries and oversized files. */
function readText(abs: string, opts: Options, warn: (msg: string) => void): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(abs, 'r');
    const size = fstatSync(fd).size;
    if (size > opts.maxFileSize) {
      warn(`skipped ${abs}: ${size} bytes is over --max-file-size`);
      return undefined;
    }
    if (size + 1 > readBuffer.length) readBuffer = Buffer.allocUnsafe(size + 1);
    let length = 0;
    // Files can grow while read; read until EOF or the buffer is full.
    for (let n; (n = readSync(fd, readBuffer, length, readBuffer.length - length, null)) > 0;) {
      length += n;
      if (length === readBuffer.length) break;
    }
    if (isBinary(readBuffer, length)) return undefined;
    return readBuffer.toString('utf8', 0, length);
  } catch (error) {
    warn(`cannot read ${abs}: ${(error as Error).message}`);
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

interface Source {
  /** Path to report (relative to the scanned root, `/`-separated). */
  readonly name: string;
  readonly abs: string;
}

/**
 * Ignore files above the scanned folder, up to the repository root (the first folder holding
 * `.git`), as git applies them: scanning `repo/src` still skips what `repo/.gitignore` ignores.
 * Each comes with the path from its folder to the scanned one.
 */
function ancestorRules(
  root: string,
  names: readonly string[],
): Array<{ rules: IgnoreRules; prefix: string }> {
  const found: Array<{ rules: IgnoreRules; prefix: string }> = [];
  let dir = root;
  for (let depth = 0; depth < 64; depth++) {
    const parent = dirname(dir);
    if (parent === dir || existsSync(join(dir, '.git'))) break;
    dir = parent;
    const rules = new IgnoreRules();
    for (const name of names) {
      try {
        rules.add(readFileSync(join(dir, name), 'utf8'), '');
      } catch {
        // No such ignore file at this level.
      }
    }
    const prefix = toPosix(relative(dir, root));
    // A folder named on the command line is scanned even when an ignore file above excludes it
    // (scanning bench/.corpus must not find nothing because the repository ignores it).
    if (rules.size > 0 && !rules.ignores(prefix, true)) found.unshift({ rules, prefix: `${prefix}/` });
    if (existsSync(join(dir, '.git'))) break;
  }
  return found;
}

/**
 * Of a repository's `.git` folder only the text people write into: `config`, where a remote's URL
 * may hold a token (`https://ci:ghp_…@github.com/…`), and the message of the commit being made.
 * The rest is git's own data (objects are compressed; refs and logs hold hashes).
 */
const GIT_DIR_TEXT_FILES = ['config', 'COMMIT_EDITMSG'];

function isFile(abs: string): boolean {
  try {
    return statSync(abs).isFile();
  } catch {
    return false;
  }
}

/** Files under `root` in a stable order, honouring ignore files. */
function* walk(root: string, opts: Options, warn: (msg: string) => void): Generator<Source> {
  const rules = new IgnoreRules();
  const names = opts.ignoreFiles;
  const above = names.length > 0 && !existsSync(join(root, '.git')) ? ancestorRules(root, names) : [];
  const ignored = (rel: string, isDir: boolean): boolean => {
    let verdict: boolean | undefined;
    for (const a of above) verdict = a.rules.verdict(a.prefix + rel, isDir) ?? verdict;
    if (rules.size > 0) verdict = rules.verdict(rel, isDir) ?? verdict;
    return verdict ?? false;
  };
  const checkIgnores = above.length > 0;
  const stack: string[] = [''];
  while (stack.length > 0) {
    const dirRel = stack.pop() as string;
    const dirAbs = dirRel === '' ? root : `${root}${sep}${dirRel}`;
    let entries;
    try {
      entries = readdirSync(dirAbs, { withFileTypes: true });
    } catch (error) {
      warn(`cannot read directory ${dirAbs}: ${(error as Error).message}`);
      continue;
    }
    // In the order of `names`: a .leakstopignore rule overrides a .gitignore one in the same folder.
    for (const name of names) {
      if (!entries.some((e) => e.isFile() && e.name === name)) continue;
      try {
        rules.add(readFileSync(join(dirAbs, name), 'utf8'), dirRel);
      } catch {
        warn(`cannot read ${join(dirAbs, name)}`);
      }
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const entry of entries) {
      const rel = dirRel === '' ? entry.name : `${dirRel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name === '.git') {
          for (const name of GIT_DIR_TEXT_FILES) {
            const abs = `${dirAbs}${sep}.git${sep}${name}`;
            if (isFile(abs)) yield { name: `${rel}/${name}`, abs };
          }
          continue;
        }
        if ((checkIgnores || rules.size > 0) && ignored(rel, true)) continue;
        subdirs.push(rel);
      } else if (entry.isFile()) {
        if (BINARY_EXTENSIONS.has(extensionOf(entry.name))) continue;
        if ((checkIgnores || rules.size > 0) && ignored(rel, false)) continue;
        yield { name: rel, abs: `${dirAbs}${sep}${entry.name}` };
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i] as string);
  }
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

function formatJsonl(f: Finding, showSecret: boolean): string {
  const out: Record<string, unknown> = {
    file: f.file,
    line: f.line,
    column: f.column,
    type: f.type,
    provider: f.provider,
    confidence: f.confidence,
    revocable: f.revocable,
    fingerprint: f.fingerprint,
    redacted: f.redacted,
  };
  if (f.attributes) out.attributes = f.attributes;
  if (showSecret) out.secret = f.secret;
  // A part written on another line (an AWS key id's secret) is reported there too: the same
  // credential and fingerprint, with `part` saying what that line holds.
  const parts = (f.parts ?? []).map((p) => ({ ...out, line: p.line, column: p.column, part: p.part }));
  return [out, ...parts].map((o) => `${JSON.stringify(o)}\n`).join('');
}

function formatTable(findings: Finding[], showSecret: boolean): string {
  if (findings.length === 0) return 'No credentials found.\n';
  const rows = findings.map((f) => [
    `${f.file}:${f.line}:${f.column}${(f.parts ?? []).map((p) => ` (${p.part.replace(/_/g, ' ')} at ${p.line}:${p.column})`).join('')}`,
    f.type,
    f.confidence,
    f.revocable ? 'yes' : 'no',
    showSecret ? f.secret.replace(/\n/g, '\\n') : f.redacted,
  ]);
  const header = ['LOCATION', 'TYPE', 'CONFIDENCE', 'REVOCABLE', showSecret ? 'SECRET' : 'PREVIEW'];
  const n = findings.length;
  return `${alignColumns(header, rows).join('\n')}\n\n${n} credential${n === 1 ? '' : 's'} found.\n`;
}

const defaultIO = (): ScanIO => ({
  stdout: (chunk) => {
    process.stdout.write(chunk);
  },
  stderr: (chunk) => {
    process.stderr.write(chunk);
  },
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  isTTY: process.stdout.isTTY === true,
  cwd: process.cwd(),
  env: process.env,
});

/** Run `leakstop scan`; returns the exit code. `io` is injectable for tests. */
export async function runScanCommand(args: string[], io: Partial<ScanIO> = {}): Promise<number> {
  const sys: ScanIO = { ...defaultIO(), ...io };
  let opts: Options | 'help';
  try {
    opts = parseOptions(args, sys);
  } catch (error) {
    sys.stderr(`leakstop scan: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (opts === 'help') {
    sys.stdout(USAGE);
    return 0;
  }
  try {
    return await scan(opts, sys);
  } catch (error) {
    sys.stderr(`leakstop scan: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

async function scan(opts: Options, io: ScanIO): Promise<number> {
  const started = performance.now();
  let scannedFiles = 0;
  let scannedChars = 0;
  const counted = (text: string | undefined): string | undefined => {
    if (text !== undefined) {
      scannedFiles++;
      scannedChars += text.length;
    }
    return text;
  };
  const baseline = opts.baseline ? loadBaseline(resolve(io.cwd, opts.baseline)) : undefined;
  const fingerprintKey = io.env.LEAKSTOP_FINGERPRINT_KEY || LOCAL_FINGERPRINT_KEY;
  const scanner = createScanner({
    fingerprintKey,
    minConfidence: opts.minConfidence,
    // A baseline being written must list every finding, the old ones included.
    ...(baseline && opts.format !== 'baseline' ? { baseline } : {}),
  });
  const warn = (msg: string): void => io.stderr(`leakstop scan: ${msg}\n`);
  const findings: Finding[] = [];
  const streaming = opts.format === 'jsonl';
  let out = '';
  const emit = (batch: Finding[]): void => {
    if (batch.length === 0) return;
    for (const f of batch) findings.push(f);
    if (!streaming) return;
    for (const f of batch) out += formatJsonl(f, opts.showSecret);
    if (out.length > 65536) {
      io.stdout(out);
      out = '';
    }
  };
  let stdinText: string | undefined;
  const readStdinOnce = async (): Promise<string> => (stdinText ??= await io.readStdin());

  if (opts.staged) emit(scanner.scanUnifiedDiff(counted(await stagedDiff(io.cwd)) as string));
  for (const path of opts.staged ? [] : opts.paths) {
    if (path === '-') {
      const text = counted(await readStdinOnce()) as string;
      emit(opts.diff ? scanner.scanUnifiedDiff(text) : scanner.scanText(text, '-'));
      continue;
    }
    const abs = resolve(io.cwd, path);
    let stat;
    try {
      stat = statSync(abs);
    } catch {
      throw new Error(`no such file or directory: ${path}`);
    }
    if (opts.diff) {
      if (stat.isDirectory()) throw new Error(`--diff expects a diff file or -, not the directory ${path}`);
      emit(scanner.scanUnifiedDiff(counted(readFileSync(abs, 'utf8')) as string));
    } else if (stat.isDirectory()) {
      for (const source of walk(abs, opts, warn)) {
        const text = counted(readText(source.abs, opts, warn));
        if (text !== undefined) emit(scanner.scanText(text, source.name));
      }
    } else {
      const text = counted(readText(abs, opts, warn));
      const name = toPosix(relative(io.cwd, abs)) || path;
      if (text !== undefined) emit(scanner.scanText(text, name.startsWith('..') ? toPosix(path) : name));
    }
  }

  if (opts.stats) {
    const ms = performance.now() - started;
    const mb = scannedChars / 1e6;
    io.stderr(
      `leakstop scan: ${scannedFiles} files, ${mb.toFixed(1)} MB (characters) in ${ms.toFixed(0)} ms, ${(mb / (ms / 1000)).toFixed(1)} MB/s, ${findings.length} findings\n`,
    );
  }
  if (opts.format === 'jsonl') {
    if (out) io.stdout(out);
  } else if (opts.format === 'sarif') {
    io.stdout(`${JSON.stringify(toSarif(findings, opts.showSecret), null, 2)}\n`);
  } else if (opts.format === 'baseline') {
    io.stdout(`${JSON.stringify(toBaseline(findings, baseline), null, 2)}\n`);
    return 0;
  } else {
    io.stdout(formatTable(findings, opts.showSecret));
  }
  return findings.length > 0 ? 1 : 0;
}
