/**
 * Diff parsing for the scanner: GitHub `patch` strings (hunks only) and unified diffs (`git
 * diff`, `git log -p`, `git format-patch`, many files, possibly the same file several times).
 * The new side of each hunk (added and context lines) is rebuilt as text so multi-line
 * credentials and AWS key pairs are seen whole; only added lines are reported, with their line
 * numbers in the new file.
 */

export interface DiffSection {
  /** New-file path (`b/` stripped); undefined for a deleted file. */
  readonly path: string | undefined;
  /** Rebuilt new-side text: hunks joined, separated by an empty line. */
  readonly text: string;
  /** For each 1-based line of `text`: the new-file line number if the line was added, else 0. */
  readonly addedLine: Int32Array;
}

const HUNK = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

class SectionBuilder {
  private readonly lines: string[] = [];
  private readonly added: number[] = [0]; // index 0 unused: lines are 1-based
  constructor(readonly path: string | undefined) {}

  push(line: string, newLine: number): void {
    this.lines.push(line);
    this.added.push(newLine);
  }

  separate(): void {
    if (this.lines.length > 0) this.push('', 0);
  }

  build(): DiffSection {
    return { path: this.path, text: this.lines.join('\n'), addedLine: Int32Array.from(this.added) };
  }

  get empty(): boolean {
    return !this.added.some((n) => n > 0);
  }
}

/**
 * Consume hunks starting at `i`; returns the index after the last hunk line. Lines of a hunk
 * are counted against its header so a `+++`/`---` line inside a hunk is content, not a header.
 */
function readHunks(lines: string[], i: number, out: SectionBuilder, stopAtHeaders: boolean): number {
  while (i < lines.length) {
    const header = HUNK.exec(lines[i] as string);
    if (!header) {
      if (stopAtHeaders) return i;
      i++;
      continue;
    }
    let oldLeft = header[1] === undefined ? 1 : Number(header[1]);
    let newLeft = header[3] === undefined ? 1 : Number(header[3]);
    let newLine = Number(header[2]);
    out.separate();
    i++;
    while (i < lines.length && (oldLeft > 0 || newLeft > 0)) {
      const line = lines[i] as string;
      const tag = line[0];
      if (tag === '+') {
        out.push(line.slice(1), newLine++);
        newLeft--;
      } else if (tag === '-') {
        oldLeft--;
      } else if (tag === '\\') {
        // "\ No newline at end of file"
      } else if (tag === ' ' || line === '') {
        out.push(line.slice(1), 0);
        newLine++;
        oldLeft--;
        newLeft--;
      } else {
        break; // malformed hunk: resynchronise on the next header
      }
      i++;
    }
    while (i < lines.length && (lines[i] as string).startsWith('\\')) i++;
  }
  return i;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/** A GitHub `patch`: hunks of one file, no headers. */
export function parsePatch(patch: string): DiffSection {
  const out = new SectionBuilder(undefined);
  readHunks(splitLines(patch), 0, out, false);
  return out.build();
}

function unquotePath(raw: string): string {
  let p = raw.trim();
  if (p.startsWith('"') && p.endsWith('"')) {
    p = p.slice(1, -1).replace(/\\(["\\])/g, '$1');
  }
  const tab = p.indexOf('\t');
  if (tab >= 0) p = p.slice(0, tab);
  return p;
}

function stripPrefix(p: string): string {
  return /^[abciwo12]\//.test(p) ? p.slice(2) : p;
}

/** A unified diff with `diff --git` and/or `---`/`+++` headers, possibly many commits. */
export function parseUnifiedDiff(diff: string): DiffSection[] {
  const lines = splitLines(diff);
  const sections: DiffSection[] = [];
  let path: string | undefined;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    if (line.startsWith('diff --git ')) {
      const m = /^diff --git (?:"?[a-z0-9]\/.*?"?) "?[a-z0-9]\/(.*?)"?$/.exec(line);
      path = m?.[1];
      i++;
    } else if (line.startsWith('+++ ')) {
      const target = unquotePath(line.slice(4));
      path = target === '/dev/null' ? undefined : stripPrefix(target);
      i++;
    } else if (line.startsWith('--- ')) {
      i++;
    } else if (HUNK.test(line)) {
      const out = new SectionBuilder(path);
      i = readHunks(lines, i, out, true);
      if (path !== undefined && !out.empty) sections.push(out.build());
    } else {
      i++;
    }
  }
  return sections;
}
