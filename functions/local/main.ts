/** `leakstop local` (what `npm start` runs): the whole pipeline on this machine. */
import { parseArgs } from 'node:util';
import { isMode, MODES } from '../domain/containment/modes.ts';
import { startPipeline } from './runtime.ts';

const USAGE = `leakstop local — run the whole pipeline on this machine

Usage: npm start -- [options]      (or: leakstop local [options])

Options:
  --port N          HTTP port on 127.0.0.1 (default: $PORT or 3000)
  --sandbox         add local stand-ins for the GitHub and Slack APIs (no accounts needed)
  --in-memory       keep nothing on disk (DynamoDB Local in memory, vault in memory)
  --data-dir DIR    where incidents and the encrypted vault live (default: .leakstop/data)
  --mode MODE       ${MODES.join(' | ')} for every provider (default: dry-run)
  --verbose         print the functions' structured logs
  -h, --help        show this help

Routes: GET /healthz, POST /webhooks/github, POST /slack/interactions, POST /slack/commands,
        GET /incidents, GET /incidents/{id}; with --sandbox also /sandbox/github/…, /sandbox/slack/….
`;

export async function runLocalCommand(args: string[]): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        port: { type: 'string' },
        sandbox: { type: 'boolean', default: false },
        'in-memory': { type: 'boolean', default: false },
        'data-dir': { type: 'string', default: '.leakstop/data' },
        mode: { type: 'string', default: process.env.LEAKSTOP_MODE ?? 'dry-run' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
  } catch (error) {
    process.stderr.write(`leakstop local: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const port = Number(values.port ?? process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(
      `leakstop local: --port must be a port number, not '${values.port ?? process.env.PORT}'\n`,
    );
    return 2;
  }
  if (!isMode(values.mode)) {
    process.stderr.write(`leakstop local: --mode must be one of ${MODES.join(', ')}\n`);
    return 2;
  }
  if (values.verbose) process.env.POWERTOOLS_LOG_LEVEL = 'INFO';

  process.stdout.write('leakstop local: starting DynamoDB Local, the SQS server and the functions…\n');
  const pipeline = await startPipeline({
    port,
    sandbox: values.sandbox,
    inMemory: values['in-memory'],
    dataDir: values['data-dir'],
    mode: values.mode,
  });
  const where = values['in-memory'] ? 'in memory (nothing kept)' : `data in ${values['data-dir']}`;
  process.stdout.write(
    [
      `leakstop local: ready on ${pipeline.url} — mode ${values.mode}${values.sandbox ? ', sandbox' : ''}, ${where}`,
      `  webhooks  POST ${pipeline.url}/webhooks/github`,
      `  history   GET  ${pipeline.url}/incidents`,
      ...(values.sandbox
        ? [
            `  sandbox   POST ${pipeline.url}/sandbox/github/repos/{owner}/{repo}/pushes · GET ${pipeline.url}/sandbox/slack/messages`,
          ]
        : []),
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );

  await new Promise<void>((resolveStop) => {
    const shutdown = () => {
      process.stdout.write('\nleakstop local: stopping…\n');
      pipeline.stop().finally(resolveStop);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  return 0;
}
