/**
 * `leakstop scan [PATH…|-] [--diff] [--format jsonl|sarif|table] [--baseline FILE]`
 *
 * Walks files and folders (skipping binaries, `.git` and paths in `.leakstopignore`, plus
 * `.gitignore` with `--use-gitignore`), or reads stdin with `-`, or scans unified diffs with
 * `--diff`, and prints findings without their plaintext unless `--show-secret` is given.
 * Exit code: 0 nothing found, 1 findings, 2 error.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { createScanner } from '../domain/detection/index.ts';
import type { Finding } from '../domain/detection/index.ts';
import { IgnoreRules } from './ignore.ts';
import { toSarif } from './sarif.ts';

export const USAGE = `Usage: leakstop scan [PATH…|-] [options]

Scan files, folders, stdin (-) or unified diffs for credentials.

Options:
  --diff                  treat the input as a unified diff (git diff / git log -p) and
                          report only added lines, with new-file line numbers
  --format FORMAT         jsonl | sarif | table (default: table on a terminal, else jsonl)
  --baseline FILE         suppress findings whose fingerprint is in FILE
  --write-baseline FILE   write the fingerprints of all findings to FILE and exit 0
  --show-secret           include the plaintext credential in the output (never by default)
  --use-gitignore         also skip paths matched by .gitignore files (.leakstopignore
                          is always honoured)
  --max-file-size BYTES   skip larger files (default 26214400)
  -h, --help              show this help

Environment:
  LEAKSTOP_FINGERPRINT_KEY  key for the fingerprint HMAC. Without it a fixed local key is
                            used, so fingerprints (and baselines) compare only between
                            local runs that also use the default key.

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
    'png jpg jpeg gif bmp ico webp avif tif tiff psd heic mp3 mp4 m4a mov avi mkv webm wav flac ogg ' +
    'zip gz tgz bz2 xz 7z rar zst jar war ear class dex apk ipa so dylib dll exe bin o a lib obj pyc pyo ' +
    'woff woff2 ttf otf eot pdf doc docx xls xlsx ppt pptx odt sqlite db wasm node dat iso dmg img parquet ' +
    'avro orc npy npz pkl pt onnx h5 tflite'
  ).split(' '),
);

interface Options {
  diff: boolean;
  format: 'jsonl' | 'sarif' | 'table';
  baseline?: string;
  writeBaseline?: string;
  showSecret: boolean;
  useGitignore: boolean;
  maxFileSize: number;
  paths: string[];
}

class UsageError extends Error {}

function parseOptions(args: string[], io: ScanIO): Options | 'help' {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      diff: { type: 'boolean', default: false },
      format: { type: 'string' },
      baseline: { type: 'string' },
      'write-baseline': { type: 'string' },
      'show-secret': { type: 'boolean', default: false },
      'use-gitignore': { type: 'boolean', default: false },
      'max-file-size': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const format = values.format ?? (io.isTTY ? 'table' : 'jsonl');
  if (format !== 'jsonl' && format !== 'sarif' && format !== 'table') {
    throw new UsageError(`unknown --format '${format}' (use jsonl, sarif or table)`);
  }
  const maxFileSize =
    values['max-file-size'] === undefined ? 25 * 1024 * 1024 : Number(values['max-file-size']);
  if (!Number.isFinite(maxFileSize) || maxFileSize <= 0)
    throw new UsageError('--max-file-size must be a positive number');
  return {
    diff: values.diff ?? false,
    format,
    ...(values.baseline === undefined ? {} : { baseline: values.baseline }),
    ...(values['write-baseline'] === undefined ? {} : { writeBaseline: values['write-baseline'] }),
    showSecret: values['show-secret'] ?? false,
    useGitignore: values['use-gitignore'] ?? false,
    maxFileSize,
    paths: positionals.length > 0 ? positionals : ['.'],
  };
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
  const fps = (parsed as { version?: unknown; fingerprints?: unknown }).fingerprints;
  if (
    (parsed as { version?: unknown }).version !== 1 ||
    !Array.isArray(fps) ||
    !fps.every((f) => typeof f === 'string' && /^[0-9a-f]{64}$/.test(f))
  ) {
    throw new UsageError(`baseline ${path} must be {"version":1,"fingerprints":["<64 hex>",…]}`);
  }
  return new Set(fps as string[]);
}

function isBinary(buf: Buffer): boolean {
  const n = Math.min(buf.length, 8000);
  for (let i = 0; i < n; i++) if (buf[i] === 0) return true;
  return false;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

interface Source {
  /** Path to report (relative to the scanned root). */
  readonly name: string;
  readonly read: () => string | undefined;
}

/** Files under `root` in a stable order, honouring ignore files. */
function* walk(root: string, opts: Options, warn: (msg: string) => void): Generator<Source> {
  const rules = new IgnoreRules();
  const stack: string[] = [''];
  while (stack.length > 0) {
    const dirRel = stack.pop() as string;
    const dirAbs = dirRel === '' ? root : join(root, dirRel);
    let entries;
    try {
      entries = readdirSync(dirAbs, { withFileTypes: true });
    } catch (error) {
      warn(`cannot read directory ${dirAbs}: ${(error as Error).message}`);
      continue;
    }
    for (const ignoreFile of opts.useGitignore ? ['.gitignore', '.leakstopignore'] : ['.leakstopignore']) {
      if (entries.some((e) => e.name === ignoreFile && e.isFile())) {
        try {
          rules.add(readFileSync(join(dirAbs, ignoreFile), 'utf8'), dirRel);
        } catch {
          warn(`cannot read ${join(dirAbs, ignoreFile)}`);
        }
      }
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const entry of entries) {
      const rel = dirRel === '' ? entry.name : `${dirRel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name === '.git') continue;
        if (rules.size > 0 && rules.ignores(rel, true)) continue;
        subdirs.push(rel);
      } else if (entry.isFile()) {
        if (rules.size > 0 && rules.ignores(rel, false)) continue;
        if (BINARY_EXTENSIONS.has(extensionOf(entry.name))) continue;
        const abs = join(root, rel);
        yield { name: rel, read: () => readText(abs, opts, warn) };
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i] as string);
  }
}

function readText(abs: string, opts: Options, warn: (msg: string) => void): string | undefined {
  let buf: Buffer;
  try {
    const size = statSync(abs).size;
    if (size > opts.maxFileSize) {
      warn(`skipped ${abs}: ${size} bytes is over --max-file-size`);
      return undefined;
    }
    buf = readFileSync(abs);
  } catch (error) {
    warn(`cannot read ${abs}: ${(error as Error).message}`);
    return undefined;
  }
  if (isBinary(buf)) return undefined;
  return buf.toString('utf8');
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
  return `${JSON.stringify(out)}\n`;
}

function formatTable(findings: Finding[], showSecret: boolean): string {
  if (findings.length === 0) return 'No credentials found.\n';
  const rows = findings.map((f) => [
    `${f.file}:${f.line}:${f.column}`,
    f.type,
    f.confidence,
    f.revocable ? 'yes' : 'no',
    showSecret ? f.secret.replace(/\n/g, '\\n') : f.redacted,
  ]);
  const header = ['LOCATION', 'TYPE', 'CONFIDENCE', 'REVOCABLE', showSecret ? 'SECRET' : 'PREVIEW'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  const n = findings.length;
  return `${[line(header), ...rows.map(line)].join('\n')}\n\n${n} credential${n === 1 ? '' : 's'} found.\n`;
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
  const baseline = opts.baseline ? loadBaseline(resolve(io.cwd, opts.baseline)) : undefined;
  const fingerprintKey = io.env.LEAKSTOP_FINGERPRINT_KEY || LOCAL_FINGERPRINT_KEY;
  const scanner = createScanner(baseline ? { fingerprintKey, baseline } : { fingerprintKey });
  const warn = (msg: string): void => io.stderr(`leakstop scan: ${msg}\n`);
  const findings: Finding[] = [];
  const streaming = opts.format === 'jsonl' && !opts.writeBaseline;
  let out = '';
  const emit = (batch: Finding[]): void => {
    if (batch.length === 0) return;
    findings.push(...batch);
    if (!streaming) return;
    for (const f of batch) out += formatJsonl(f, opts.showSecret);
    if (out.length > 65536) {
      io.stdout(out);
      out = '';
    }
  };
  let stdinText: string | undefined;
  const readStdinOnce = async (): Promise<string> => (stdinText ??= await io.readStdin());

  for (const path of opts.paths) {
    if (path === '-') {
      const text = await readStdinOnce();
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
      emit(scanner.scanUnifiedDiff(readFileSync(abs, 'utf8')));
    } else if (stat.isDirectory()) {
      for (const source of walk(abs, opts, warn)) {
        const text = source.read();
        if (text !== undefined) emit(scanner.scanText(text, source.name));
      }
    } else {
      const text = readText(abs, opts, warn);
      const name = toPosix(relative(io.cwd, abs)) || path;
      if (text !== undefined) emit(scanner.scanText(text, name.startsWith('..') ? toPosix(path) : name));
    }
  }

  if (opts.writeBaseline) {
    const merged = new Set([...(baseline ?? []), ...findings.map((f) => f.fingerprint)]);
    const body = { version: 1, fingerprints: [...merged].sort() };
    writeFileSync(resolve(io.cwd, opts.writeBaseline), `${JSON.stringify(body, null, 2)}\n`);
    io.stderr(`leakstop scan: wrote ${merged.size} fingerprint(s) to ${opts.writeBaseline}\n`);
    return 0;
  }
  if (opts.format === 'jsonl') {
    if (out) io.stdout(out);
  } else if (opts.format === 'sarif') {
    io.stdout(`${JSON.stringify(toSarif(findings, opts.showSecret), null, 2)}\n`);
  } else {
    io.stdout(formatTable(findings, opts.showSecret));
  }
  return findings.length > 0 ? 1 : 0;
}
