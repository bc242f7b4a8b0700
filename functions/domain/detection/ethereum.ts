/**
 * Ethereum (and every EVM chain's) private keys: 32 bytes written `0x` + 64 hex, the shape of
 * every hash, Merkle root and storage slot in a contract. One counts only where its line names
 * a key — `uint256 deployerKey = 0x…;`, `vm.envOr("PRIVATE_KEY", uint256(0x…))` — or lists a
 * network's signing accounts (`accounts: ["0x…"]` in a Hardhat or Truffle config). A quoted value
 * under a key name (`PRIVATE_KEY="0x…"`) is also the keyword pass's; the stronger hit wins.
 */
import { longestRun, shannonEntropy } from './heuristics.ts';
import type { Hit } from './model.ts';
import { PRIORITY, valueHit } from './model.ts';
import { isDocumentedExample } from './tokens.ts';

const HEX_KEY = /0x[0-9a-fA-F]{64}(?![0-9a-zA-Z_])/g;
/** What the line says before the value: a key's name, or a list of accounts. */
const NAMES_A_KEY =
  /(?:priv(?:ate)?|deployer|signer|wallet|owner|operator|relayer|admin|sender|account)[_-]?(?:key|pk)\b|\bpk\b|\b(?:private|deployer|signer)Key\b|\baccounts["']?\s*:\s*\[/i;
/** A name for something that only looks like a key. */
const NAMES_A_HASH =
  /hash|root|salt|slot|topic|role|selector|digest|nonce|leaf|proof|separator|address|public/i;
const ETHEREUM_KEY = { type: 'ethereum_private_key', provider: 'ethereum', revocable: false } as const;

export function matchEthereumKeys(text: string, hits: Hit[]): void {
  const re = HEX_KEY;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const at = m.index;
    if (at > 0 && /[0-9A-Za-z_]/.test(text[at - 1] as string)) continue;
    const lead = text.slice(Math.max(text.lastIndexOf('\n', at - 1) + 1, at - 200), at);
    if (!NAMES_A_KEY.test(lead) || NAMES_A_HASH.test(lead)) continue;
    const key = m[0].slice(2);
    if (longestRun(key) >= 6 || shannonEntropy(key) < 3.0 || isDocumentedExample(m[0].toLowerCase()))
      continue;
    hits.push(valueHit(ETHEREUM_KEY, at, m[0], 'high', PRIORITY.specific));
  }
}
