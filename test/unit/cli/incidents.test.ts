/**
 * `leakstop incidents` against an HTTP server answering as the history API does: every page
 * followed, filters passed on, the CSV export, the API's errors shown, and SigV4 signatures that
 * the sandbox's own verifier (an independent implementation) accepts.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runIncidentsCommand, type IncidentsIO } from '../../../functions/cli/incidents.ts';
import { expectedSignature, parseAuthorization } from '../../../functions/local/sandbox/aws-auth.ts';
import { runCaptured } from '../../helpers/cli.ts';

const incident = (n: number, extra: Record<string, unknown> = {}) => ({
  id: `inc_${n.toString(16).padStart(20, '0')}`,
  status: 'contained',
  type: 'aws_access_key',
  provider: 'aws',
  severity: 'critical',
  redacted: 'AKIA…WXYZ',
  detectedAt: `2026-11-${String(n).padStart(2, '0')}T10:00:00.000Z`,
  exposureCount: 1,
  exposures: [{ repo: 'acme/api', path: 'config/.env', line: n }],
  timings: { revoke: 900 + n, verify: 1400 + n },
  ...extra,
});

const ALL = Array.from({ length: 7 }, (_, i) => incident(i + 1));
let requests: IncomingMessage[] = [];
let answer: ((req: IncomingMessage, url: URL) => { status: number; body: unknown }) | undefined;
let server: Server;
let base: string;

/** Pages of `limit` with an opaque cursor, as the history API pages. */
function historyApi(req: IncomingMessage, url: URL) {
  if (url.pathname.startsWith('/incidents/')) {
    const found = ALL.find((i) => url.pathname === `/incidents/${i.id}`);
    if (!found) return { status: 404, body: { error: `no incident ${url.pathname.slice(11)}` } };
    return {
      status: 200,
      body: { ...found, timeline: [{ at: found.detectedAt, type: 'detected', detail: 'found in a push' }] },
    };
  }
  const limit = Number(url.searchParams.get('limit') ?? 50);
  const start = Number(url.searchParams.get('cursor') ?? 0);
  const items = ALL.slice(start, start + limit);
  return {
    status: 200,
    body: { items, ...(start + limit < ALL.length ? { cursor: String(start + limit) } : {}) },
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req);
    const url = new URL(req.url ?? '/', 'http://x');
    const { status, body } = (answer ?? historyApi)(req, url);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests = [];
  answer = undefined;
});

const run = (args: string[], io: Partial<IncidentsIO> = {}) =>
  runCaptured(runIncidentsCommand, [...args, '--url', base], io);

const queries = () => requests.map((r) => new URL(r.url ?? '/', 'http://x').searchParams);

describe('leakstop incidents', () => {
  it('follows the cursor through every page and passes the filters on', async () => {
    const r = await run(['--status', 'contained', '--repo', 'acme/api', '--from', '2026-11-01']);
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id),
    ).toEqual(ALL.map((i) => i.id));
    expect(queries().map((q) => [q.get('status'), q.get('repo'), q.get('from'), q.get('cursor')])).toEqual([
      ['contained', 'acme/api', '2026-11-01', null],
    ]);
  });

  it('stops at --limit, asking the API for no more than it needs', async () => {
    answer = (req, url) => {
      const limit = Number(url.searchParams.get('limit'));
      return historyApi(req, new URL(`${url.pathname}?limit=${Math.min(limit, 2)}&${url.searchParams}`, url));
    };
    const r = await run(['--limit', '3']);
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
    expect(queries().map((q) => q.get('limit'))).toEqual(['3', '1']);
  });

  it('exports CSV with the phase timings, quoting what needs it and defusing spreadsheet formulas', async () => {
    answer = (req, url) =>
      url.pathname === '/incidents'
        ? {
            status: 200,
            body: {
              items: [
                incident(1, {
                  exposures: [{ repo: 'acme/api', path: 'a,"b".env', line: 3 }],
                  liveCheck: { identity: 'arn:aws:iam::111122223333:user/ci' },
                }),
                incident(2, { exposures: [{ repo: 'acme/web', path: '=HYPERLINK("x")', line: 1 }] }),
              ],
            },
          }
        : historyApi(req, url);
    const r = await run(['--format', 'csv']);
    const [header, first, second] = r.stdout.trim().split('\n');
    expect(header).toBe(
      'id,status,type,provider,severity,redacted,detected_at,repo,path,line,exposures,identity,acknowledged_by,revoke_ms,verify_ms,containment_end_ms,acknowledge_ms,scope_correct_ms,resolve_ms',
    );
    expect(first).toBe(
      `${ALL[0]!.id},contained,aws_access_key,aws,critical,AKIA…WXYZ,2026-11-01T10:00:00.000Z,acme/api,"a,""b"".env",3,1,arn:aws:iam::111122223333:user/ci,,901,1401,,,,`,
    );
    expect(second).toContain(`,acme/web,"'=HYPERLINK(""x"")",1,`);
  });

  it('prints a table on a terminal, with the revoke and verify times', async () => {
    const r = await run([], { isTTY: true });
    const [header, first] = r.stdout.split('\n');
    expect(header).toMatch(/^ID +STATUS +TYPE +REPO +DETECTED +REVOKE +VERIFY +ACK$/);
    expect(first).toMatch(
      new RegExp(
        `^${ALL[0]!.id} +contained +aws_access_key +acme/api +2026-11-01T10:00:00Z +901 ms +1\\.4 s +–$`,
      ),
    );
    expect(r.stdout).toContain('7 incidents; times from detection.');
  });

  it('summarises every page of the filtered incidents with --summary', async () => {
    const r = await run(['--summary', '--status', 'contained']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { count: number; phases: { revoke: { n: number; max: number } } };
    expect([summary.count, summary.phases.revoke]).toEqual([7, { n: 7, p50: 904, p90: 907, max: 907 }]);
    expect(queries().map((q) => q.get('status'))).toEqual(['contained']);
    expect((await run(['--summary', '--format', 'csv'])).code).toBe(2);
  });

  it('prints one incident with its timeline', async () => {
    const r = await run(['show', ALL[2]!.id, '--format', 'table']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${ALL[2]!.id}  contained  aws_access_key (aws)`);
    expect(r.stdout).toMatch(/revoke 903 ms, verify 1\.4 s, containmentEnd –, acknowledge –/);
    expect(r.stdout).toContain('detected: found in a push');
  });

  it("exits 2 with the API's own message when it refuses, and on bad options before any request", async () => {
    answer = () => ({ status: 400, body: { error: 'from must be an ISO-8601 date or UTC timestamp' } });
    const refused = await run(['--from', 'yesterday']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      '/incidents answered 400: from must be an ISO-8601 date or UTC timestamp',
    );
    requests = [];
    for (const args of [['--format', 'xml'], ['--limit', '0'], ['show', 'inc_nope'], ['list']]) {
      const r = await run(args);
      expect([r.code, r.stderr.startsWith('leakstop incidents: ')]).toEqual([2, true]);
    }
    expect(requests).toHaveLength(0);
    answer = undefined;
    const missing = await run(['show', 'inc_ffffffffffffffffffff']);
    expect([missing.code, missing.stderr]).toEqual([
      2,
      'leakstop incidents: /incidents/inc_ffffffffffffffffffff answered 404: no incident inc_ffffffffffffffffffff\n',
    ]);
  });

  it('says which address it could not reach, and why', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const { code, stderr } = await runCaptured(runIncidentsCommand, ['--url', `http://127.0.0.1:${port}`]);
    expect([code, stderr]).toEqual([
      2,
      `leakstop incidents: cannot reach http://127.0.0.1:${port}: ECONNREFUSED\n`,
    ]);
  });

  it('signs with SigV4 for Lambda when asked, as AWS verifies it; the local run gets no signature', async () => {
    const env = {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDSECURITYLEAD0001',
      AWS_SECRET_ACCESS_KEY: 'lead-secret-access-key',
      AWS_SESSION_TOKEN: 'lead-session',
    };
    const signed = await run(['--sign', '--status', 'contained', '--repo', 'acme/a b'], { env });
    expect(signed.code).toBe(0);
    const req = requests[0]!;
    const url = new URL(req.url ?? '/', 'http://x');
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
    );
    const auth = parseAuthorization(headers.authorization);
    expect([auth.accessKeyId, auth.region, auth.service]).toEqual([
      'AKIDSECURITYLEAD0001',
      'eu-west-1',
      'lambda',
    ]);
    expect(headers['x-amz-security-token']).toBe('lead-session');
    const request = { method: 'GET', path: url.pathname, query: url.searchParams, headers, body: '' };
    expect(expectedSignature(request, auth, 'lead-secret-access-key')).toBe(auth.signature);
    expect(expectedSignature(request, auth, 'another-secret')).not.toBe(auth.signature);

    requests = [];
    await run([], { env });
    expect(requests[0]!.headers.authorization).toBeUndefined();
  });
});
