/**
 * What a file's path says about the text in it. The engine uses it to judge keyword-based
 * (generic) findings: in source code an unquoted value is an expression, not a literal; a
 * lockfile, a type declaration or a generated file (source map, minified bundle) holds no
 * secrets of its own; and a private key in a test, fixture or example path is most often a
 * deliberate fake, reported at low confidence.
 */

export type FileKind = 'code' | 'config' | 'doc' | 'lock' | 'declaration' | 'generated' | 'other';

export interface FileContext {
  readonly path: string;
  readonly kind: FileKind;
  /** Under a test, fixture or example folder, or named like a test file. */
  readonly fixture: boolean;
  /**
   * Written to show an API: a document under an examples or samples folder (`awscli/examples/…
   * .rst`), or a data file of examples (`botocore/…/examples-1.json`). A config template such as
   * `config.example.json` or `.env.example` is not one: real values get pasted into those.
   */
  readonly example: boolean;
}

const CODE = new Set(
  (
    'js mjs cjs jsx ts tsx mts cts py pyw pyi rb go java kt kts scala groovy gradle cs fs vb php ' +
    'c h cc cpp cxx hh hpp hxx m mm swift rs dart lua pl pm r jl ex exs erl clj cljs hs ml sol ' +
    'vue svelte astro tf hcl coffee elm nim zig v cr'
  ).split(' '),
);
const CONFIG = new Set(
  (
    'env ini cfg conf config cnf properties toml yaml yml json jsonc json5 xml plist tfvars sh bash ' +
    'zsh ksh fish ps1 psm1 bat cmd npmrc yarnrc pypirc netrc pgpass dockerfile containerfile ' +
    'makefile mk service desktop reg sql csv tsv'
  ).split(' '),
);
const DOC = new Set('md markdown mdx rst txt adoc asciidoc textile org html htm tex wiki'.split(' '));
const LOCKFILES = new Set([
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lock',
  'cargo.lock',
  'gemfile.lock',
  'poetry.lock',
  'pipfile.lock',
  'composer.lock',
  'go.sum',
  'packages.lock.json',
  'pubspec.lock',
  'mix.lock',
  'flake.lock',
  'podfile.lock',
  'uv.lock',
  'pdm.lock',
  'deno.lock',
  'gradle.lockfile',
]);

/** Folder names that hold tests, fixtures or examples rather than the software itself. */
const FIXTURE_DIRS =
  /(?:^|\/)(?:tests?|__tests__|spec|specs|testdata|test[_-]?data|fixtures?|__fixtures__|__mocks__|mocks?|examples?|samples?)\//i;
/** File names of tests: foo.test.js, foo.spec.ts, foo_test.go, test_foo.py, FooTest.java, FooTests.cs. */
const TEST_FILE =
  /(?:^|\/)(?:[^/]+[._-](?:test|spec)s?\.[a-z0-9]+|test_[^/]+\.py|conftest\.py|[A-Z][A-Za-z0-9]*Tests?\.(?:java|kt|cs|scala|groovy|swift|php))$/;

const EXAMPLE_DIRS = /(?:^|\/)(?:examples?|samples?)\//i;
/** `examples-1.json` (botocore), `iam-2010-05-08.examples.json` (aws-sdk); not `config.example.json`. */
const EXAMPLE_DATA = /(?:^(?:examples?|samples?)|[-_.]examples)(?:[-_.][^/]*)?\.(?:json|ya?ml)$/;

const cache = new Map<string, FileContext>();

export function fileContext(path: string): FileContext {
  const cached = cache.get(path);
  if (cached) return cached;
  const p = path.replace(/\\/g, '/');
  const slash = p.lastIndexOf('/');
  const base = p.slice(slash + 1).toLowerCase();
  const dot = base.lastIndexOf('.');
  const ext = dot <= 0 ? (base.startsWith('.') ? base.slice(1) : base) : base.slice(dot + 1);
  let kind: FileKind;
  if (LOCKFILES.has(base)) kind = 'lock';
  else if (/\.d\.[mc]?ts$/.test(base)) kind = 'declaration';
  else if (/\.(?:map|min\.js|min\.css|min\.mjs|bundle\.js)$/.test(base)) kind = 'generated';
  else if (base.startsWith('.env') || base.endsWith('.env')) kind = 'config';
  else if (CODE.has(ext)) kind = 'code';
  else if (CONFIG.has(ext) || base.startsWith('dockerfile')) kind = 'config';
  else if (DOC.has(ext)) kind = 'doc';
  else kind = 'other';
  const example = (kind === 'doc' && EXAMPLE_DIRS.test(p)) || EXAMPLE_DATA.test(base);
  const ctx: FileContext = { path, kind, fixture: FIXTURE_DIRS.test(p) || TEST_FILE.test(p), example };
  if (cache.size > 10_000) cache.clear();
  cache.set(path, ctx);
  return ctx;
}
