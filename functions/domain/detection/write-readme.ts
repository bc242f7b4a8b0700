/** `npm run docs:detection`: rewrite README.md beside this file from KINDS (formatted as the repo formats Markdown). */
import { writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { KINDS } from './index.ts';
import { renderKindsReadme } from './readme.ts';

const target = new URL('./README.md', import.meta.url);
const options = (await resolveConfig(target)) ?? {};
writeFileSync(target, await format(renderKindsReadme(KINDS), { ...options, parser: 'markdown' }));
console.log(`functions/domain/detection/README.md: ${KINDS.length} kinds`);
