/**
 * The leakstop CLI. Each subcommand lives in its own module and is loaded only when used, so
 * `leakstop scan` does not pay for the local runtime's dependencies.
 */
const USAGE = `leakstop — leaked-credential response pipeline

Usage:
  leakstop scan [PATH…|-] [options]   scan files, folders, stdin or a diff for credentials
  leakstop local [options]            run the whole pipeline on this machine
  leakstop incidents [options]        list incidents from the history API (table, jsonl, csv)
  leakstop help [COMMAND]             show help for a command

Run 'leakstop COMMAND --help' for a command's options.
`;

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  scan: async () => (await import('../functions/cli/scan.ts')).runScanCommand,
  local: async () => (await import('../functions/local/main.ts')).runLocalCommand,
  incidents: async () => (await import('../functions/cli/incidents.ts')).runIncidentsCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic && COMMANDS[topic]) return (await COMMANDS[topic]())(['--help']);
    process.stdout.write(USAGE);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`leakstop: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  return (await load())(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`leakstop: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
