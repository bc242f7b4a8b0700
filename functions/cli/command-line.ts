/** What the CLI's commands share: strict option parsing with clear errors, and aligned columns. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command line the command cannot run: the message, then the usage, and exit code 2. */
export class UsageError extends Error {}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** `parseArgs`, strict, positionals allowed; its complaints (unknown option, missing value) become UsageErrors. */
export function parseCommandLine<const O extends OptionsConfig>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Rows under a header, in columns two spaces apart; nothing trails a line. */
export function alignColumns(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  return [header, ...rows].map((cells) =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
