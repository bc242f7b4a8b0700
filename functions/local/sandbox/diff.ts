/**
 * Line diffs rendered the way GitHub's REST API renders a file's `patch`: unified hunks with three
 * lines of context, `@@ -a,b +c,d @@` headers (`,1` omitted as git does) followed by git's section
 * heading when there is one, no file headers, and `\ No newline at end of file` markers. Line
 * numbers must be exact: the detector maps each `+` line to its line number in the new file.
 */

export interface LineDiff {
  /** Unified hunks joined with `\n` (no trailing newline); empty when nothing changed. */
  readonly patch: string;
  readonly additions: number;
  readonly deletions: number;
}

interface Line {
  readonly text: string;
  readonly newline: boolean;
}

type Op = { readonly kind: ' ' | '-' | '+'; readonly line: Line };

const CONTEXT = 3;
/** Beyond this many edits the middle of the file is treated as replaced wholesale (git does similar). */
const MAX_EDIT_DISTANCE = 2000;

export function splitLines(content: string): Line[] {
  if (content === '') return [];
  const parts = content.split('\n');
  const endsWithNewline = parts[parts.length - 1] === '';
  if (endsWithNewline) parts.pop();
  return parts.map((text, i) => ({ text, newline: endsWithNewline || i < parts.length - 1 }));
}

const key = (line: Line): string => (line.newline ? `${line.text}\n` : line.text);

/** Myers' O(ND) shortest edit script over interned lines; returns ops in file order. */
function editScript(a: readonly Line[], b: readonly Line[]): Op[] {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && key(a[prefix]!) === key(b[prefix]!)) prefix++;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    key(a[a.length - 1 - suffix]!) === key(b[b.length - 1 - suffix]!)
  )
    suffix++;

  const head: Op[] = a.slice(0, prefix).map((line) => ({ kind: ' ', line }));
  const tail: Op[] = a.slice(a.length - suffix).map((line) => ({ kind: ' ', line }));
  const midA = a.slice(prefix, a.length - suffix);
  const midB = b.slice(prefix, b.length - suffix);
  return [...head, ...myers(midA, midB), ...tail];
}

function myers(a: readonly Line[], b: readonly Line[]): Op[] {
  const replaceAll = (): Op[] => [
    ...a.map((line): Op => ({ kind: '-', line })),
    ...b.map((line): Op => ({ kind: '+', line })),
  ];
  if (a.length === 0 || b.length === 0) return replaceAll();

  const ids = new Map<string, number>();
  const intern = (line: Line): number => {
    const k = key(line);
    let id = ids.get(k);
    if (id === undefined) {
      id = ids.size;
      ids.set(k, id);
    }
    return id;
  };
  const x0 = a.map(intern);
  const y0 = b.map(intern);
  const n = x0.length;
  const m = y0.length;
  const max = Math.min(n + m, MAX_EDIT_DISTANCE);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d] holds v[-d..d] as it was before step d, enough to walk the path back.
  const trace: Int32Array[] = [];
  let found = -1;
  outer: for (let d = 0; d <= max; d++) {
    trace.push(v.slice(offset - d, offset + d + 1));
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)) x = v[offset + k + 1]!;
      else x = v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && x0[x] === y0[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break outer;
      }
    }
  }
  if (found < 0) return replaceAll();

  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d]!; // v before step d, indexed by k + (d)
    const at = (k: number): number => prev[k + d]!;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ kind: ' ', line: a[--x]! });
      y--;
    }
    if (down) ops.push({ kind: '+', line: b[--y]! });
    else ops.push({ kind: '-', line: a[--x]! });
  }
  while (x > 0 && y > 0) {
    ops.push({ kind: ' ', line: a[--x]! });
    y--;
  }
  return ops.reverse();
}

/** GitHub/git hunk range: `start,count`, with `,1` omitted and start = preceding line when count is 0. */
function range(before: number, count: number): string {
  const start = count === 0 ? before : before + 1;
  return count === 1 ? `${start}` : `${start},${count}`;
}

/**
 * git's default hunk-header context (what GitHub shows after `@@ … @@`): the nearest line before
 * the hunk, in the old file, that starts with a letter, `_` or `$`; trailing space trimmed, 80 chars.
 */
function sectionHeading(oldLines: readonly Line[], before: number): string {
  for (let i = before - 1; i >= 0; i--) {
    const text = oldLines[i]!.text;
    if (/^[A-Za-z_$]/.test(text)) return ` ${text.slice(0, 80).trimEnd()}`;
  }
  return '';
}

export function diffLines(oldContent: string, newContent: string): LineDiff {
  const oldLines = splitLines(oldContent);
  const ops = editScript(oldLines, splitLines(newContent));
  const changes: number[] = [];
  ops.forEach((op, i) => {
    if (op.kind !== ' ') changes.push(i);
  });
  if (changes.length === 0) return { patch: '', additions: 0, deletions: 0 };

  // Lines consumed from each side before op i.
  const oldBefore = new Int32Array(ops.length + 1);
  const newBefore = new Int32Array(ops.length + 1);
  ops.forEach((op, i) => {
    oldBefore[i + 1] = oldBefore[i]! + (op.kind === '+' ? 0 : 1);
    newBefore[i + 1] = newBefore[i]! + (op.kind === '-' ? 0 : 1);
  });

  const hunks: string[] = [];
  let additions = 0;
  let deletions = 0;
  let c = 0;
  while (c < changes.length) {
    let last = changes[c]!;
    const start = Math.max(0, changes[c]! - CONTEXT);
    c++;
    // Changes separated by at most 2×context unchanged lines share a hunk, as in git.
    while (c < changes.length && changes[c]! - last - 1 <= 2 * CONTEXT) last = changes[c++]!;
    const end = Math.min(ops.length, last + 1 + CONTEXT);
    const oldCount = oldBefore[end]! - oldBefore[start]!;
    const newCount = newBefore[end]! - newBefore[start]!;
    const header = `@@ -${range(oldBefore[start]!, oldCount)} +${range(newBefore[start]!, newCount)} @@`;
    const lines = [`${header}${sectionHeading(oldLines, oldBefore[start]!)}`];
    for (let i = start; i < end; i++) {
      const op = ops[i]!;
      if (op.kind === '+') additions++;
      if (op.kind === '-') deletions++;
      lines.push(`${op.kind}${op.line.text}`);
      if (!op.line.newline) lines.push('\\ No newline at end of file');
    }
    hunks.push(lines.join('\n'));
  }
  return { patch: hunks.join('\n'), additions, deletions };
}
