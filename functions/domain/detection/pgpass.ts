/**
 * PostgreSQL password files (`~/.pgpass`, `%APPDATA%\postgresql\pgpass.conf`): each line is
 * `hostname:port:database:username:password`, `\:` and `\\` escaped, `#` comments. The format,
 * not a keyword, says where the password is.
 * https://www.postgresql.org/docs/current/libpq-pgpass.html
 */
import { judgeBarePassword } from './generic.ts';
import type { Hit } from './model.ts';
import { makeHit, PRIORITY } from './model.ts';

/** True for the file names libpq reads a password file from. */
export function isPgpassFile(path: string): boolean {
  const base = path.slice(path.replace(/\\/g, '/').lastIndexOf('/') + 1).toLowerCase();
  return base === '.pgpass' || base === 'pgpass.conf' || base === 'pgpass';
}

/** The fields of one line, split at unescaped colons, with each field's offset in the line. */
function fields(line: string): { value: string; start: number }[] {
  const out: { value: string; start: number }[] = [];
  let value = '';
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === '\\' && i + 1 < line.length) {
      value += line[++i];
    } else if (c === ':') {
      out.push({ value, start });
      value = '';
      start = i + 1;
    } else value += c;
  }
  out.push({ value, start });
  return out;
}

/** The password file's lines in `text` from `from` to `to`; `written` asks for a port field (a heredoc, not the file). */
export function matchPgpass(text: string, hits: Hit[], from = 0, to = text.length, written = false): void {
  let lineStart = from;
  while (lineStart < to) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
    const parts = line.startsWith('#') ? [] : fields(line);
    const password = parts[4];
    const port = parts[1]?.value ?? '';
    if (
      parts.length === 5 &&
      password &&
      (!written || (/^(?:\d{1,5}|\*)$/.test(port) && !/\s/.test(line))) &&
      judgeBarePassword(password.value)
    ) {
      const start = lineStart + password.start;
      hits.push(
        makeHit({
          type: 'postgres_password',
          provider: 'postgres',
          revocable: false,
          start,
          end: start + Math.min(password.value.length, line.length - password.start),
          secret: password.value,
          identity: `${parts[0]?.value}:${parts[1]?.value}:${parts[2]?.value}:${parts[3]?.value}:${password.value}`,
          preview: { value: password.value, prefix: '' },
          confidence: 'high',
          priority: PRIORITY.specific,
        }),
      );
    }
    lineStart = lineEnd + 1;
  }
}

/** Lines a script writes into a password file: `cat > ~/.pgpass <<EOF`, `echo "…" >> .pgpass`. */
export function matchWrittenPgpass(text: string, hits: Hit[]): void {
  for (let at = text.indexOf('pgpass'); at >= 0; at = text.indexOf('pgpass', at + 6)) {
    const lineStart = text.lastIndexOf('\n', at) + 1;
    let to = lineStart;
    for (let n = 0; n < 12 && to >= 0 && to < text.length; n++) to = text.indexOf('\n', to + 1);
    matchPgpass(text, hits, lineStart, to < 0 ? text.length : to, true);
  }
}
