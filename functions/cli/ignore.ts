/**
 * A small `.gitignore`-syntax matcher (comments, negation, anchored and directory-only
 * patterns, `*`, `**`, `?`, character classes) for `.leakstopignore` and, on request,
 * `.gitignore` files met while walking a directory.
 */

interface Rule {
  readonly regex: RegExp;
  readonly negate: boolean;
  readonly dirOnly: boolean;
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches any number of directories, a trailing `**` everything below.
        if (glob[i + 2] === '/') {
          out += '(?:.*/)?';
          i += 2;
        } else {
          out += '.*';
          i += 1;
        }
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) out += '\\[';
      else {
        const body = glob
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        out += `[${body}]`;
        i = close;
      }
    } else if (c === '\\' && i + 1 < glob.length) {
      out += `\\${glob[i + 1]}`;
      i++;
    } else out += /[.+^${}()|\]\\/]/.test(c) ? `\\${c}` : c;
  }
  return out;
}

export class IgnoreRules {
  private readonly rules: Rule[] = [];

  /** Add the lines of one ignore file; patterns are relative to `base` ('' for the root). */
  add(content: string, base: string): void {
    const prefix = base === '' ? '' : `${base.replace(/\/+$/, '')}/`;
    for (let raw of content.split(/\r?\n/)) {
      raw = raw.replace(/(?<!\\)\s+$/, '');
      if (raw === '' || raw.startsWith('#')) continue;
      let negate = false;
      if (raw.startsWith('!')) {
        negate = true;
        raw = raw.slice(1);
      }
      let dirOnly = false;
      if (raw.endsWith('/')) {
        dirOnly = true;
        raw = raw.slice(0, -1);
      }
      const anchored = raw.startsWith('/') || raw.slice(0, -1).includes('/');
      raw = raw.replace(/^\//, '');
      const body = globToRegex(raw);
      const source = anchored
        ? `^${escapeLiteral(prefix)}${body}(?:/.*)?$`
        : `^${escapeLiteral(prefix)}(?:.*/)?${body}(?:/.*)?$`;
      this.rules.push({ regex: new RegExp(source), negate, dirOnly });
    }
  }

  /** `path` is relative to the walk root with `/` separators. */
  ignores(path: string, isDir: boolean): boolean {
    return this.verdict(path, isDir) ?? false;
  }

  /** True (ignored), false (re-included by a `!` rule) or undefined (no rule matches). */
  verdict(path: string, isDir: boolean): boolean | undefined {
    let ignored: boolean | undefined;
    for (const rule of this.rules) {
      // A directory-only rule reaches a file only through one of its parent directories.
      const matches = rule.dirOnly && !isDir ? parentMatches(rule.regex, path) : rule.regex.test(path);
      if (matches) ignored = !rule.negate;
    }
    return ignored;
  }

  get size(): number {
    return this.rules.length;
  }
}

function parentMatches(regex: RegExp, path: string): boolean {
  let i = path.lastIndexOf('/');
  while (i > 0) {
    if (regex.test(path.slice(0, i))) return true;
    i = path.lastIndexOf('/', i - 1);
  }
  return false;
}

function escapeLiteral(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
