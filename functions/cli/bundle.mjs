// Builds dist/leakstop-scan.mjs, a single-file bundle of `leakstop scan`, so scanning does not
// pay tsx's start-up (~300 ms) on every run. Runs from the `prepare` script on `npm install`;
// bin/leakstop.js uses the bundle only while it is newer than every source it was built from,
// and falls back to tsx otherwise, so a missing or stale bundle is never wrong, only slower.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = relative(process.cwd(), fileURLToPath(new URL('../..', import.meta.url))) || '.';
const outfile = `${root}/dist/leakstop-scan.mjs`;

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.warn('leakstop: esbuild is not installed; `leakstop scan` will run through tsx (slower start).');
  process.exit(0);
}

const result = await esbuild.build({
  entryPoints: [`${root}/functions/cli/scan.ts`],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  packages: 'external',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});
mkdirSync(dirname(outfile), { recursive: true });
const inputs = Object.keys(result.metafile.inputs).map((p) => relative(root, p));
writeFileSync(`${root}/dist/leakstop-scan.inputs.json`, `${JSON.stringify(inputs, null, 2)}\n`);
