/**
 * Files whose name says what their content is, with no key name inside: a Rails master key
 * (`config/master.key`, `config/credentials/production.key`: 32 hex, decrypts the credentials
 * file next to it) and a Terraform state file's generated passwords (`random_password`'s
 * `result`, in plain text in every `terraform.tfstate`).
 */
import { judgeBarePassword } from './generic.ts';
import { isHashLength, shannonEntropy } from './heuristics.ts';
import type { Hit } from './model.ts';
import { PRIORITY, valueHit } from './model.ts';

const RAILS_KEY_FILE = /(?:^|\/)config\/(?:master|credentials\/[\w.-]+)\.key$/;
const TFSTATE = /\.tfstate(?:\.backup)?$/;

/** True when `path` names a file matched here (the engine calls `matchCredentialFile` only then). */
export function isCredentialFile(path: string): boolean {
  return RAILS_KEY_FILE.test(path) || TFSTATE.test(path);
}

export function matchCredentialFile(path: string, text: string, hits: Hit[]): void {
  if (RAILS_KEY_FILE.test(path)) {
    const value = text.trim();
    const start = text.indexOf(value);
    if (isHashLength(value) && value.length === 32 && shannonEntropy(value) >= 3.0)
      hits.push(
        valueHit(
          { type: 'rails_master_key', provider: 'rails', revocable: false },
          start,
          value,
          'high',
          PRIORITY.specific,
        ),
      );
    return;
  }
  // Each `random_password` resource's instances hold `"result": "<the password>"`.
  const kind = { type: 'terraform_generated_password', provider: 'terraform', revocable: false };
  for (let at = text.indexOf('"random_password"'); at >= 0; at = text.indexOf('"random_password"', at + 1)) {
    const next = text.indexOf('"type": "', at + 17);
    const scope = text.slice(at, next < 0 ? Math.min(text.length, at + 20_000) : next);
    const m = /"result":\s*"((?:[^"\\]|\\.)+)"/.exec(scope);
    if (!m?.[1]) continue;
    const value = JSON.parse(`"${m[1]}"`) as string;
    if (!judgeBarePassword(value)) continue;
    const start = at + (m.index ?? 0) + m[0].length - m[1].length - 1;
    hits.push(valueHit(kind, start, value, 'high', PRIORITY.specific));
  }
}
