/**
 * What the detect worker does with each file a commit changed (documented in README.md, "File
 * policy"). The rule of thumb: anything that can hold text a person or a tool wrote is scanned;
 * only what provably adds nothing is skipped.
 *
 * - removed files add nothing; pure renames (no patch, no added line) moved content already scanned.
 * - a file with a patch is scanned from its patch (added lines only, new-file line numbers).
 * - a file without a patch (binary, or too large for GitHub to diff) is fetched as a blob, unless its
 *   extension is a binary format; a blob with a NUL byte is binary and skipped; a blob over
 *   MAX_BLOB_BYTES is skipped and counted, never silently.
 * - vendored and generated files (dependencies checked in, lockfiles, minified bundles, source maps)
 *   are scanned too — a token in a lockfile's registry URL or in a bundled front end is a real leak —
 *   but their low-confidence findings (entropy-only matches, which hashes and minified identifiers
 *   trip) are dropped; every recognised credential shape is kept.
 */
import type { Finding } from '../detection/types.ts';
import type { ChangedFile } from '../ports.ts';

/** Blobs up to this size are fetched and scanned whole; larger ones are skipped and counted. */
export const MAX_BLOB_BYTES = 10 * 1024 * 1024;

export type FileAction =
  | { readonly action: 'scan_patch'; readonly patch: string }
  | { readonly action: 'fetch_blob'; readonly sha: string }
  | { readonly action: 'skip'; readonly reason: SkipReason };

export type SkipReason = 'removed' | 'renamed' | 'binary' | 'too_large' | 'no_content';

/** Formats that are binary by construction; fetching them would only find NUL bytes. */
const BINARY_EXTENSIONS = new Set(
  (
    'png jpg jpeg gif bmp ico icns webp tif tiff psd heic avif ' +
    'mp3 mp4 m4a m4v mov avi mkv webm wav flac ogg opus ' +
    'zip gz tgz bz2 xz zst 7z rar tar jar war ear apk aab aar ipa whl egg nupkg deb rpm dmg iso ' +
    'class dex exe dll so dylib o a lib obj pyc pyo wasm ' +
    'woff woff2 ttf otf eot ' +
    'pdf doc docx xls xlsx ppt pptx odt ods odp'
  ).split(' '),
);

const VENDORED_DIRECTORIES = new Set([
  'node_modules',
  'vendor',
  'third_party',
  'third-party',
  'thirdparty',
  'bower_components',
  'jspm_packages',
  'Pods',
  'Carthage',
  'site-packages',
  '.yarn',
]);

const GENERATED_FILES = new Set([
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lockb',
  'Cargo.lock',
  'go.sum',
  'poetry.lock',
  'Pipfile.lock',
  'uv.lock',
  'composer.lock',
  'Gemfile.lock',
  'Podfile.lock',
  'packages.lock.json',
  'gradle.lockfile',
  'flake.lock',
  'mix.lock',
  'pubspec.lock',
]);

const GENERATED_SUFFIXES = ['.min.js', '.min.css', '.min.mjs', '.js.map', '.css.map', '.pb.go', '_pb2.py'];

function extension(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function decideFile(file: ChangedFile): FileAction {
  if (file.status === 'removed') return { action: 'skip', reason: 'removed' };
  if (file.patch !== undefined) return { action: 'scan_patch', patch: file.patch };
  if (file.status === 'renamed' && (file.additions ?? 0) === 0) return { action: 'skip', reason: 'renamed' };
  if (BINARY_EXTENSIONS.has(extension(file.filename))) return { action: 'skip', reason: 'binary' };
  if (!file.sha) return { action: 'skip', reason: 'no_content' };
  return { action: 'fetch_blob', sha: file.sha };
}

export type PathKind = 'source' | 'vendored' | 'generated';

export function pathKind(path: string): PathKind {
  const segments = path.split('/');
  if (segments.slice(0, -1).some((segment) => VENDORED_DIRECTORIES.has(segment))) return 'vendored';
  const name = segments[segments.length - 1] ?? '';
  if (GENERATED_FILES.has(name) || GENERATED_SUFFIXES.some((suffix) => name.endsWith(suffix)))
    return 'generated';
  return 'source';
}

/** Whether a finding is kept under the policy for its file's kind. */
export function keepFinding(finding: Pick<Finding, 'file' | 'confidence'>): boolean {
  return finding.confidence !== 'low' || pathKind(finding.file) === 'source';
}
