/**
 * Database clients whose constructor takes the password as a positional argument, with no key
 * name beside it: PHP's `new PDO($dsn, 'user', '…')`, `mysqli_connect('host', 'user', '…')` and
 * `new mysqli(…)`, Java's `DriverManager.getConnection(url, "user", "…")`. The third literal is
 * the password.
 */
import { judgeBarePassword } from './generic.ts';
import type { Hit } from './model.ts';
import { PRIORITY, valueHit } from './model.ts';

const CONNECT_CALL =
  /(?:\bnew\s+\\?PDO|\bmysqli_connect|\bnew\s+mysqli|\bDriverManager\.getConnection)\s*\(\s*(["'])[^"'\n]*\1\s*,\s*(["'])[^"'\n]*\2\s*,\s*(["'])([^"'\n]+)\3/g;

const PASSWORD = { type: 'generic_password', provider: 'generic', revocable: false };

export function matchConnectCalls(text: string, hits: Hit[]): void {
  if (!text.includes('PDO') && !text.includes('mysqli') && !text.includes('getConnection')) return;
  const re = CONNECT_CALL;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const password = m[4] as string;
    if (!judgeBarePassword(password)) continue;
    hits.push(
      valueHit(PASSWORD, m.index + m[0].length - 1 - password.length, password, 'medium', PRIORITY.generic),
    );
  }
}
