/** The detection README is the engine's own list of kinds, kept true by rendering it from KINDS. */
import { readFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../../../functions/domain/detection/index.ts';
import { renderKindsReadme } from '../../../functions/domain/detection/readme.ts';

const README = new URL('../../../functions/domain/detection/README.md', import.meta.url);

describe('functions/domain/detection/README.md', () => {
  it('lists every kind with its provider and revocability', () => {
    const text = readFileSync(README, 'utf8');
    for (const k of KINDS) {
      expect(text).toMatch(
        new RegExp(`\\| \`${k.type}\` +\\| ${k.provider} +\\|.*\\| ${k.revocable ? 'yes' : 'no'} +\\|`),
      );
    }
  });

  it('is exactly what npm run docs:detection renders from KINDS', async () => {
    const options = (await resolveConfig(README)) ?? {};
    const expected = await format(renderKindsReadme(KINDS), { ...options, parser: 'markdown' });
    expect(readFileSync(README, 'utf8')).toBe(expected);
  });
});
