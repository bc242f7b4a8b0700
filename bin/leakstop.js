#!/usr/bin/env node
// The published entry point: loads the TypeScript CLI through tsx's ESM loader, so a checkout
// works after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('./leakstop.ts');
