/**
 * `leakstop incidents [show ID] [filters] [--format table|jsonl|csv] [--url URL]`
 *
 * The security lead's view of the history API (functions/handlers/history.ts): lists incidents with
 * the API's filters, following its cursor through every page, with the phase timings (detection to
 * acknowledge, revoke, verify, containment end, scope correction, resolution); `--format csv` is the
 * export for a spreadsheet. `show ID` prints one incident with its exposures and timeline.
 * Against the IAM-authorised Function URL in AWS, requests are signed with SigV4 (service `lambda`)
 * from the default AWS credential chain; against the local run, nothing is signed.
 */
import { isIncidentId } from '../domain/incidents/incident.ts';
import { alignColumns, parseCommandLine, UsageError } from './command-line.ts';
import { humanDuration, PHASES, renderSummary, summarize } from './incident-summary.ts';

export const INCIDENTS_USAGE = `Usage: leakstop incidents [options]
       leakstop incidents show ID [--url URL]

List incidents from the history API, every page, with phase timings.

Options:
  --status STATUS    only incidents in this status (open, containing, contained, …)
  --type TYPE        only this credential type (aws_access_key, github_pat_classic, …)
  --repo OWNER/NAME  only incidents exposed in this repository
  --from DATE        detected at or after DATE (ISO-8601: 2026-10-01 or a UTC timestamp)
  --to DATE          detected before DATE
  --limit N          at most N incidents (default: all)
  --summary          instead of the list: counts by status, type, repository and owner, and
                     how long each phase took from detection (p50, p90, max)
  --format FORMAT    table | jsonl | csv (default: table on a terminal, jsonl otherwise)
  --url URL          the history API (default: $LEAKSTOP_HISTORY_URL, else the local run
                     at http://127.0.0.1:3000). A Lambda Function URL (*.lambda-url.*.on.aws)
                     is called with SigV4 from the default AWS credentials; --sign forces it
  --sign             sign requests with SigV4 whatever the URL (region: from the URL, else
                     $AWS_REGION)
  -h, --help         show this help

Exit codes: 0 done, 2 error (the API's answer is printed).
`;

export interface IncidentsIO {
  readonly stdout: (chunk: string) => void;
  readonly stderr: (chunk: string) => void;
  readonly isTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fetch: typeof fetch;
}

/** The fields of the history API's incident view this command prints. */
interface IncidentView {
  id: string;
  status: string;
  type: string;
  provider: string;
  severity?: string;
  redacted?: string;
  detectedAt: string;
  exposureCount?: number;
  exposures?: { repo?: string; path?: string; line?: number }[];
  acknowledged?: { by?: { name?: string; id?: string } };
  /** Whose credential it is, as its issuer answered the live check before revocation. */
  liveCheck?: { identity?: string };
  timings?: Record<string, number | undefined>;
}

/** Phase timings as the API names them, in the order a lead reads them. */
const TIMINGS = PHASES.map(([phase]) => phase);

class ApiError extends Error {}

interface Options {
  readonly show?: string;
  readonly query: URLSearchParams;
  readonly limit: number;
  readonly format: 'table' | 'jsonl' | 'csv';
  readonly url: URL;
  readonly sign: boolean;
  readonly summary: boolean;
}

const LOCAL_URL = 'http://127.0.0.1:3000';
const FUNCTION_URL_HOST = /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/;

function parseOptions(args: string[], io: IncidentsIO): Options | 'help' {
  const { values, positionals } = parseCommandLine(args, {
    status: { type: 'string' },
    type: { type: 'string' },
    repo: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    limit: { type: 'string' },
    format: { type: 'string' },
    url: { type: 'string' },
    sign: { type: 'boolean', default: false },
    summary: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return 'help';
  let show: string | undefined;
  if (positionals.length > 0) {
    if (positionals[0] !== 'show' || positionals.length !== 2)
      throw new UsageError(`unexpected ${positionals.join(' ')} (use: leakstop incidents show ID)`);
    show = positionals[1];
    if (!isIncidentId(show ?? ''))
      throw new UsageError(`'${show}' is not an incident id (inc_ and 20 hex digits)`);
  }
  const format = values.format ?? (io.isTTY ? 'table' : 'jsonl');
  if (format !== 'table' && format !== 'jsonl' && format !== 'csv')
    throw new UsageError(`unknown --format '${format}' (use table, jsonl or csv)`);
  if (values.summary && (show || format === 'csv'))
    throw new UsageError('--summary is a table or one JSON object (--format jsonl), for a list of incidents');
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  if (!(limit === Infinity || (Number.isInteger(limit) && limit > 0)))
    throw new UsageError('--limit must be a positive integer');
  const raw = values.url ?? io.env.LEAKSTOP_HISTORY_URL ?? LOCAL_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url '${raw}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--url must be http or https, not ${url.protocol}`);
  const query = new URLSearchParams();
  for (const name of ['status', 'type', 'repo', 'from', 'to'] as const) {
    const value = values[name];
    if (value !== undefined) query.set(name, value);
  }
  return {
    ...(show ? { show } : {}),
    query,
    limit,
    format,
    url,
    sign: values.sign || FUNCTION_URL_HOST.test(url.hostname),
    summary: values.summary,
  };
}

/** GET `path` from the API: JSON on 200, an ApiError with the API's own message otherwise. */
async function get(opts: Options, io: IncidentsIO, path: string, query: URLSearchParams): Promise<unknown> {
  const base = opts.url.href.replace(/\/+$/, '');
  const url = new URL(`${base}${path}${query.size > 0 ? `?${query}` : ''}`);
  const region = FUNCTION_URL_HOST.exec(url.hostname)?.[1] ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.sign) {
    if (!region) throw new UsageError('--sign needs a region: set AWS_REGION');
    // Loaded only to sign: the credential chain is not needed against the local run.
    const { signedHeaders } = await import('./sigv4.ts');
    Object.assign(headers, await signedHeaders(url, region, io.env));
  }
  let response: Response;
  try {
    response = await io.fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    const hint = opts.url.href === new URL(LOCAL_URL).href ? ' (is `npm start` running? Or give --url)' : '';
    throw new ApiError(`cannot reach ${url.origin}: ${why}${hint}`);
  }
  const text = await response.text();
  if (!response.ok) {
    let message = text.slice(0, 500);
    try {
      const body = JSON.parse(text) as { error?: string; message?: string; Message?: string };
      message = body.error ?? body.message ?? body.Message ?? message;
    } catch {
      // Not JSON (a proxy's page): print its start.
    }
    throw new ApiError(`${url.pathname} answered ${response.status}: ${message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(`${url.pathname} answered 200 with something that is not JSON`);
  }
}

async function* incidents(opts: Options, io: IncidentsIO): AsyncGenerator<IncidentView> {
  let cursor: string | undefined;
  let left = opts.limit;
  do {
    const query = new URLSearchParams(opts.query);
    query.set('limit', String(Math.min(100, left)));
    if (cursor) query.set('cursor', cursor);
    const page = (await get(opts, io, '/incidents', query)) as { items?: IncidentView[]; cursor?: string };
    for (const item of page.items ?? []) {
      if (left <= 0) return;
      left--;
      yield item;
    }
    cursor = page.cursor;
  } while (cursor && left > 0);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

const CSV_COLUMNS = [
  'id',
  'status',
  'type',
  'provider',
  'severity',
  'redacted',
  'detected_at',
  'repo',
  'path',
  'line',
  'exposures',
  'identity',
  'acknowledged_by',
  ...TIMINGS.map((t) => `${t.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_ms`),
];

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  // Quoted when needed (RFC 4180); a leading =, +, - or @ is prefixed so a spreadsheet does not run it.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function csvRow(i: IncidentView): string {
  const first = i.exposures?.[0];
  const by = i.acknowledged?.by;
  return [
    i.id,
    i.status,
    i.type,
    i.provider,
    i.severity,
    i.redacted,
    i.detectedAt,
    first?.repo,
    first?.path,
    first?.line,
    i.exposureCount ?? i.exposures?.length,
    i.liveCheck?.identity,
    by ? (by.name ?? by.id) : undefined,
    ...TIMINGS.map((t) => i.timings?.[t]),
  ]
    .map(csvCell)
    .join(',');
}

const took = (ms: number | undefined): string => (ms === undefined ? '–' : humanDuration(ms));

function tableOf(items: readonly IncidentView[]): string {
  if (items.length === 0) return 'No incidents.\n';
  const header = ['ID', 'STATUS', 'TYPE', 'REPO', 'DETECTED', 'REVOKE', 'VERIFY', 'ACK'];
  const rows = items.map((i) => [
    i.id,
    i.status,
    i.type,
    i.exposures?.[0]?.repo ?? '',
    i.detectedAt.replace(/\.\d+Z$/, 'Z'),
    took(i.timings?.revoke),
    took(i.timings?.verify),
    took(i.timings?.acknowledge),
  ]);
  const n = items.length;
  return `${alignColumns(header, rows).join('\n')}\n\n${n} incident${n === 1 ? '' : 's'}; times from detection.\n`;
}

function showOne(incident: Record<string, unknown>, format: Options['format']): string {
  if (format !== 'table') return `${JSON.stringify(incident)}\n`;
  const view = incident as unknown as IncidentView & {
    timeline?: { at: string; type: string; detail?: string }[];
  };
  const lines = [
    `${view.id}  ${view.status}  ${view.type} (${view.provider})  ${view.redacted ?? ''}`.trimEnd(),
    `detected ${view.detectedAt}; ${TIMINGS.map((t) => `${t} ${took(view.timings?.[t])}`).join(', ')}`,
    '',
    'exposures:',
    ...(view.exposures ?? []).map((e) => `  ${e.repo ?? '?'} ${e.path ?? ''}:${e.line ?? ''}`),
    '',
    'timeline:',
    ...(view.timeline ?? []).map((e) => `  ${e.at}  ${e.type}${e.detail ? `: ${e.detail}` : ''}`),
  ];
  return `${lines.join('\n')}\n`;
}

const defaultIO = (): IncidentsIO => ({
  stdout: (chunk) => {
    process.stdout.write(chunk);
  },
  stderr: (chunk) => {
    process.stderr.write(chunk);
  },
  isTTY: process.stdout.isTTY === true,
  env: process.env,
  fetch: globalThis.fetch,
});

/** Run `leakstop incidents`; returns the exit code. `io` is injectable for tests. */
export async function runIncidentsCommand(args: string[], io: Partial<IncidentsIO> = {}): Promise<number> {
  const sys: IncidentsIO = { ...defaultIO(), ...io };
  try {
    const opts = parseOptions(args, sys);
    if (opts === 'help') {
      sys.stdout(INCIDENTS_USAGE);
      return 0;
    }
    if (opts.show) {
      const incident = (await get(opts, sys, `/incidents/${opts.show}`, new URLSearchParams())) as Record<
        string,
        unknown
      >;
      sys.stdout(showOne(incident, opts.format));
      return 0;
    }
    if (opts.summary) {
      const summary = summarize(await collect(incidents(opts, sys)));
      sys.stdout(opts.format === 'table' ? renderSummary(summary) : `${JSON.stringify(summary)}\n`);
      return 0;
    }
    if (opts.format === 'table') {
      sys.stdout(tableOf(await collect(incidents(opts, sys))));
      return 0;
    }
    if (opts.format === 'csv') sys.stdout(`${CSV_COLUMNS.join(',')}\n`);
    for await (const item of incidents(opts, sys))
      sys.stdout(opts.format === 'csv' ? `${csvRow(item)}\n` : `${JSON.stringify(item)}\n`);
    return 0;
  } catch (error) {
    const usage = error instanceof UsageError ? `\n\n${INCIDENTS_USAGE}` : '\n';
    sys.stderr(`leakstop incidents: ${(error as Error).message}${usage}`);
    return 2;
  }
}
