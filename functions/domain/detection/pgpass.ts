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

export function matchPgpass(text: string, hits: Hit[]): void {
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
    const parts = line.startsWith('#') ? [] : fields(line);
    const password = parts[4];
    if (parts.length === 5 && password && judgeBarePassword(password.value)) {
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
