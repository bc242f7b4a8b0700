#!/usr/bin/env node
// The published entry point: loads the TypeScript CLI through tsx's ESM loader, so a checkout
// works after `npm install` with no build step. `leakstop scan` instead runs from the bundle
// the `prepare` script builds (dist/leakstop-scan.mjs) while that bundle is newer than every
// source it was built from: scanning throughput is whole-process, and tsx costs ~300 ms.
import { readFileSync, statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

const scanBundle = new URL('../dist/leakstop-scan.mjs', import.meta.url);

// `leakstop scan . | head` closes the pipe before we finish writing: that is the reader's
// choice, not an error. Drop the rest of the output and exit with the command's own code.
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
});

function scanBundleIsFresh() {
  try {
    const built = statSync(scanBundle).mtimeMs;
    const inputs = JSON.parse(
      readFileSync(new URL('../dist/leakstop-scan.inputs.json', import.meta.url), 'utf8'),
    );
    return inputs.every((p) => statSync(new URL(`../${p}`, import.meta.url)).mtimeMs <= built);
  } catch {
    return false;
  }
}

if (process.argv[2] === 'scan' && scanBundleIsFresh()) {
  // A scan is a short process that runs a few dozen detector functions very often. With V8's
  // default budget, TurboFan compiles ~60 of them within the first 100 ms (about 450 ms of
  // compiler work on this corpus size); on one core that work competes with the scan itself.
  // Fifteen times the budget optimises only what stays hot: a 1-core scan of 8 MB takes ~25 %
  // less wall time and a 437 MB one is unchanged (bench:scan measures both).
  setFlagsFromString('--interrupt-budget=1000000');
  const { runScanCommand } = await import(scanBundle.href);
  process.exitCode = await runScanCommand(process.argv.slice(3));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./leakstop.ts');
}
