/** Runs a CLI command in-process with its output captured (not a terminal, no environment). */
interface CommandIO {
  readonly stdout: (chunk: string) => void;
  readonly stderr: (chunk: string) => void;
  readonly isTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface CommandRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCaptured<IO extends CommandIO>(
  command: (args: string[], io: Partial<IO>) => Promise<number>,
  args: string[],
  io: Partial<IO> = {},
): Promise<CommandRun> {
  let stdout = '';
  let stderr = '';
  const code = await command(args, {
    stdout: (c: string) => (stdout += c),
    stderr: (c: string) => (stderr += c),
    isTTY: false,
    env: {},
    ...io,
  } as Partial<IO>);
  return { code, stdout, stderr };
}
