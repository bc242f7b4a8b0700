/**
 * WordPress authentication keys and salts: `define( 'AUTH_KEY', '…' );` and its seven siblings
 * in wp-config.php sign the login cookies, so whoever has them can forge a session. Their values
 * are 64 random characters from api.wordpress.org/secret-key/1.1/salt/, punctuation included
 * (`{`, `<`, `|`: a placeholder check would take them for templates); the file as shipped holds
 * the phrase `put your unique phrase here`.
 * https://developer.wordpress.org/apis/wp-config-php/#security-keys
 */
import { shannonEntropy } from './heuristics.ts';
import type { Hit } from './model.ts';
import { PRIORITY, valueHit } from './model.ts';

const DEFINE = /define\(\s*(['"])(?:AUTH|SECURE_AUTH|LOGGED_IN|NONCE)_(?:KEY|SALT)\1\s*,\s*(['"])/y;
const KIND = { type: 'wordpress_secret_key', provider: 'wordpress', revocable: false };

/** `at` is the position of `define(`. */
export function matchWordPressKey(text: string, at: number): Hit | undefined {
  DEFINE.lastIndex = at;
  const m = DEFINE.exec(text);
  if (!m) return undefined;
  const start = at + m[0].length;
  const end = text.indexOf(m[2] as string, start);
  // The value's own characters never include its quote; a `'` inside ends it early and the
  // define must still close right after.
  if (end < 0 || end - start > 256 || !/^\s*\)/.test(text.slice(end + 1, end + 8))) return undefined;
  const value = text.slice(start, end);
  if (value.length < 32 || /\s/.test(value) || shannonEntropy(value) < 4.5) return undefined;
  return valueHit(KIND, start, value, 'high', PRIORITY.specific);
}
