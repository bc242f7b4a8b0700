/** Shared setup for the detection tests: a seeded generator and a scanner with a fixed key. */
import { createRng, Gen } from '../../../bench/scan/tokens.ts';
import { createScanner } from '../../../functions/domain/detection/index.ts';
import type { Finding } from '../../../functions/domain/detection/index.ts';

export const KEY = 'test-fingerprint-key';

export function gen(seed = 7): Gen {
  return new Gen(createRng(seed));
}

export const scanner = createScanner({ fingerprintKey: KEY });

/** The same scanner reporting low-confidence findings too (deliberate fakes, documented examples). */
export const lowScanner = createScanner({ fingerprintKey: KEY, minConfidence: 'low' });

export function scan(text: string, file = 'config/app.env'): Finding[] {
  return scanner.scanText(text, file);
}

/** The types found in `text`, for compact assertions. */
export function typesIn(text: string, file?: string): string[] {
  return scan(text, file).map((f) => f.type);
}
