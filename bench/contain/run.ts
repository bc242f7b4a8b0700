/**
 * `npm run bench:contain` — containment latency in the sandbox, as a user runs it: starts
 * `leakstop local --sandbox --in-memory --mode enforce` in its own process, registers N live
 * credentials (AWS key pairs, GitHub tokens and Slack tokens in turn), pushes them all at once, one
 * push each, and measures from the webhook (when the GitHub stand-in sent it, read from its delivery
 * log) to the incident's `verifiedAt`: the old credential proven dead. Prints p50/p95/p99 per provider and
 * overall, where the time goes (webhook → detected → containment started → verified), and checks
 * through GET /sandbox/credentials that every credential was revoked exactly once.
 *
 * The peer, measured in the same run and process: the same pipeline containing leaks one at a time
 * (no contention) — the ratio says what the simultaneous burst costs.
 *
 * Options: --n 100 (simultaneous leaks), --sequential 9 (baseline leaks), --target-p99-ms 2000,
 * --mode enforce. Exits 1 when a credential was not revoked exactly once or the target is missed.
 *
 * Where the cost goes (measurement aids; they do not change what the pipeline does):
 *  --requests       counts the pipeline process's outgoing HTTP requests during the burst (DynamoDB,
 *                   SQS by action; the sandbox stand-ins by path) and prints them per leak
 *                   (bench/contain/count-requests.ts, preloaded; Node's diagnostics channels).
 *  --cpu-prof DIR   runs the pipeline under node --cpu-prof --cpu-prof-dir=DIR and records the burst's
 *                   window there; `node --import tsx bench/contain/profile-summary.ts DIR` aggregates.
 * The CPU time the pipeline's Node process and DynamoDB Local's JVM spent during the burst is
 * always printed (from /proc).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { redact } from '../../functions/domain/detection/redact.ts';
import { percentile } from '../../functions/shared/percentile.ts';
import { awsKeyPair, githubToken, slackToken } from '../../test/helpers/credentials.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100' },
    sequential: { type: 'string', default: '9' },
    'target-p99-ms': { type: 'string', default: '2000' },
    mode: { type: 'string', default: 'enforce' },
    requests: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
  },
});
const N = Number(values.n);
const SEQUENTIAL = Number(values.sequential);
const TARGET = Number(values['target-p99-ms']);

type Provider = 'aws' | 'github' | 'slack';
interface Leak {
  readonly provider: Provider;
  readonly repo: string;
  readonly file: string;
  /** The credential, for registration and the push only. */
  readonly register: { value: string; secret?: string };
  readonly content: string;
  pushedAt?: number;
  /** The X-GitHub-Delivery of the push's webhook. */
  deliveryId?: string;
  /** When the sandbox sent the webhook (the push's commits were created by then): leakstop's receipt. */
  deliveredAt?: number;
}
interface IncidentItem {
  id: string;
  status: string;
  provider: string;
  detectedAt: string;
  phases: { containmentStartedAt?: string; verifiedAt?: string };
  exposures: { repo: string }[];
}

function makeLeak(i: number, tag: string): Leak {
  const provider = (['aws', 'github', 'slack'] as const)[i % 3]!;
  const repo = `bench/${tag}-${i}`;
  if (provider === 'aws') {
    const pair = awsKeyPair();
    return {
      provider,
      repo,
      file: 'deploy/.env',
      register: { value: pair.accessKeyId, secret: pair.secretAccessKey },
      content: `AWS_ACCESS_KEY_ID=${pair.accessKeyId}\nAWS_SECRET_ACCESS_KEY=${pair.secretAccessKey}\n`,
    };
  }
  const value = provider === 'github' ? githubToken() : slackToken();
  return {
    provider,
    repo,
    file: provider === 'github' ? 'scripts/release.sh' : 'bot/.env',
    register: { value },
    content: `${provider === 'github' ? 'GITHUB_TOKEN' : 'SLACK_BOT_TOKEN'}=${value}\n`,
  };
}

const REQUESTS_FILE = join(tmpdir(), `leakstop-bench-requests-${process.pid}.json`);
const CPU_PROF_DIR = values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined;

interface Pipeline {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

async function startPipeline(mode: string): Promise<Pipeline> {
  const nodeOptions = [
    ...(CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : []),
    ...(values.requests ? ['--import', 'tsx', '--import', './bench/contain/count-requests.ts'] : []),
  ];
  if (CPU_PROF_DIR) mkdirSync(CPU_PROF_DIR, { recursive: true });
  const child = spawn(
    process.execPath,
    [...nodeOptions, 'bin/leakstop.js', 'local', '--sandbox', '--in-memory', '--mode', mode, '--port', '0'],
    {
      cwd: ROOT,
      env: { ...process.env, PORT: '', LEAKSTOP_BENCH_REQUESTS_FILE: REQUESTS_FILE },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const deadline = Date.now() + 90_000;
  for (;;) {
    const url = /ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    if (url) {
      return {
        url,
        pid: child.pid ?? 0,
        stop: async () => {
          if (child.exitCode !== null) return;
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGINT');
          await exited;
        },
      };
    }
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`leakstop local did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The counts count-requests.ts has so far (it writes them on SIGUSR2). */
async function requestCounts(pid: number): Promise<Map<string, number>> {
  const before = existsSync(REQUESTS_FILE) ? statSync(REQUESTS_FILE).mtimeMs : 0;
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 50; i += 1) {
    await new Promise((r) => setTimeout(r, 20));
    if (existsSync(REQUESTS_FILE) && statSync(REQUESTS_FILE).mtimeMs !== before) break;
  }
  return new Map(Object.entries(JSON.parse(readFileSync(REQUESTS_FILE, 'utf8')) as Record<string, number>));
}

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU milliseconds (user + system) of a process and of the java processes below it, from /proc. */
function cpuTimes(pid: number): { node: number; jvm: number } {
  const stat = (p: string) => {
    try {
      const text = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      return {
        ppid: Number(fields[1]),
        comm: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')),
        ms: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND,
      };
    } catch {
      return undefined;
    }
  };
  const all = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map((p) => ({ pid: Number(p), ...stat(p) }));
  let jvm = 0;
  const below = new Set([pid]);
  for (let changed = true; changed;) {
    changed = false;
    for (const p of all)
      if (p.ppid !== undefined && below.has(p.ppid) && !below.has(p.pid)) {
        below.add(p.pid);
        changed = true;
      }
  }
  for (const p of all) if (p.pid !== pid && below.has(p.pid) && p.comm === 'java') jvm += p.ms ?? 0;
  return { node: stat(String(pid))?.ms ?? 0, jvm };
}

async function post(url: string, body: unknown): Promise<Response> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
  return response;
}

async function push(url: string, leak: Leak): Promise<void> {
  leak.pushedAt = Date.now();
  const response = await post(`${url}/sandbox/github/repos/${leak.repo}/pushes`, {
    ref: 'refs/heads/main',
    commits: [{ message: 'config', files: { [leak.file]: leak.content } }],
  });
  leak.deliveryId = ((await response.json()) as { delivery: { id: string } }).delivery.id;
}

/** Webhook send times from the GitHub stand-in's delivery log. */
async function deliveryTimes(url: string, leaks: readonly Leak[]): Promise<void> {
  const log = (await (await fetch(`${url}/sandbox/github/deliveries`)).json()) as {
    deliveries: { id: string; at: string }[];
  };
  const at = new Map(log.deliveries.map((d) => [d.id, Date.parse(d.at)]));
  for (const leak of leaks) if (leak.deliveryId) leak.deliveredAt = at.get(leak.deliveryId);
}

async function allIncidents(url: string): Promise<IncidentItem[]> {
  const items: IncidentItem[] = [];
  let cursor: string | undefined;
  do {
    const response = await fetch(`${url}/incidents?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    const page = (await response.json()) as { items: IncidentItem[]; cursor?: string };
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

/** Waits until every leak's incident is verified (or settled otherwise); returns them by repo. */
async function settle(
  url: string,
  leaks: readonly Leak[],
  timeoutMs = 60_000,
): Promise<Map<string, IncidentItem>> {
  const repos = new Set(leaks.map((l) => l.repo));
  const deadline = Date.now() + timeoutMs;
  // The registry first (in memory, cheap): listing incidents loads the pipeline's DynamoDB, and the
  // latencies come from the incidents' own timestamps, not from when this loop looks.
  const previews = new Set(leaks.map((l) => redact(l.register.value)));
  for (;;) {
    const registry = (await (await fetch(`${url}/sandbox/credentials`)).json()) as {
      credentials: { preview: string; live: boolean }[];
    };
    if (!registry.credentials.some((c) => previews.has(c.preview) && c.live) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  for (;;) {
    const byRepo = new Map<string, IncidentItem>();
    for (const incident of await allIncidents(url)) {
      const repo = incident.exposures[0]?.repo;
      if (repo && repos.has(repo)) byRepo.set(repo, incident);
    }
    const done = [...byRepo.values()].filter((i) => !['open', 'containing'].includes(i.status));
    if (done.length === repos.size || Date.now() > deadline) return byRepo;
    await new Promise((r) => setTimeout(r, 500));
  }
}

function stats(samples: readonly number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
  };
}

const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v)} ms`.padStart(8) : '       –');

function latencies(leaks: readonly Leak[], incidents: Map<string, IncidentItem>) {
  const rows: { provider: Provider; total: number; detect: number; queue: number; contain: number }[] = [];
  let unverified = 0;
  for (const leak of leaks) {
    const incident = incidents.get(leak.repo);
    const verified = incident?.phases.verifiedAt;
    const received = leak.deliveredAt ?? leak.pushedAt;
    if (!incident || !verified || !received) {
      unverified += 1;
      continue;
    }
    const detected = Date.parse(incident.detectedAt);
    const started = Date.parse(incident.phases.containmentStartedAt ?? incident.detectedAt);
    rows.push({
      provider: leak.provider,
      total: Date.parse(verified) - received,
      detect: detected - received,
      queue: started - detected,
      contain: Date.parse(verified) - started,
    });
  }
  return { rows, unverified };
}

async function main(): Promise<number> {
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  process.stdout.write(
    `bench:contain — ${N} simultaneous leaks (AWS, GitHub, Slack in turn), mode ${values.mode}; ${cpus().length} CPUs, load average ${load} at start\n`,
  );
  const pipeline = await startPipeline(values.mode);
  try {
    const sequential = Array.from({ length: SEQUENTIAL }, (_, i) => makeLeak(i, 'seq'));
    const burst = Array.from({ length: N }, (_, i) => makeLeak(i, 'burst'));
    for (const leak of [...sequential, ...burst])
      await post(`${pipeline.url}/sandbox/credentials`, leak.register);

    // Peer: one leak at a time, each contained before the next is pushed.
    for (const leak of sequential) {
      await push(pipeline.url, leak);
      await settle(pipeline.url, [leak], 20_000);
    }
    await deliveryTimes(pipeline.url, sequential);
    const seq = latencies(sequential, await settle(pipeline.url, sequential));

    const countsBefore = values.requests ? await requestCounts(pipeline.pid) : undefined;
    const cpuBefore = cpuTimes(pipeline.pid);
    const windowStartUs = Number(process.hrtime.bigint() / 1000n);
    const started = Date.now();
    await Promise.all(burst.map((leak) => push(pipeline.url, leak)));
    const incidents = await settle(pipeline.url, burst);
    const wall = Date.now() - started;
    const cpuAfter = cpuTimes(pipeline.pid);
    const countsAfter = values.requests ? await requestCounts(pipeline.pid) : undefined;
    if (CPU_PROF_DIR)
      writeFileSync(
        join(CPU_PROF_DIR, 'burst-window.json'),
        JSON.stringify({ startUs: windowStartUs, endUs: Number(process.hrtime.bigint() / 1000n) }),
      );
    await deliveryTimes(pipeline.url, burst);
    const run = latencies(burst, incidents);

    // Every registered credential revoked exactly once, and dead.
    const registry = (await (await fetch(`${pipeline.url}/sandbox/credentials`)).json()) as {
      credentials: { live: boolean; revocations: number }[];
    };
    const wrong = registry.credentials.filter((c) => c.live || c.revocations !== 1);

    const header = `${'leaks'.padEnd(22)} ${'n'.padStart(4)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(8)}`;
    const line = (label: string, samples: number[]) => {
      const s = stats(samples);
      return `${label.padEnd(22)} ${String(s.n).padStart(4)} ${ms(s.p50)} ${ms(s.p95)} ${ms(s.p99)} ${ms(s.max)}`;
    };
    const totals = run.rows.map((r) => r.total);
    const lines = [
      '',
      'webhook → verified containment',
      header,
      line(
        `sequential (peer)`,
        seq.rows.map((r) => r.total),
      ),
      line(`simultaneous, all`, totals),
      ...(['aws', 'github', 'slack'] as const).map((p) =>
        line(
          `  ${p}`,
          run.rows.filter((r) => r.provider === p).map((r) => r.total),
        ),
      ),
      '',
      'where the time goes (simultaneous, p50 / p99)',
      ...(['detect', 'queue', 'contain'] as const).map((phase) => {
        const s = stats(run.rows.map((r) => r[phase]));
        const label = {
          detect: 'webhook → detected',
          queue: 'detected → containing',
          contain: 'containing → verified',
        }[phase];
        return `  ${label.padEnd(24)} ${ms(s.p50)} / ${ms(s.p99)}`;
      }),
      '',
      `burst wall time ${wall} ms; throughput ${(run.rows.length / (wall / 1000)).toFixed(1)} verified containments/s`,
      `CPU during the burst: pipeline (Node) ${Math.round(cpuAfter.node - cpuBefore.node)} ms, DynamoDB Local (JVM) ${Math.round(cpuAfter.jvm - cpuBefore.jvm)} ms — per leak ${Math.round((cpuAfter.node - cpuBefore.node) / N)} / ${Math.round((cpuAfter.jvm - cpuBefore.jvm) / N)} ms (includes the bench's own polling of the API)`,
    ];
    if (countsBefore && countsAfter) {
      const during = [...countsAfter.entries()]
        .map(([key, count]) => [key, count - (countsBefore.get(key) ?? 0)] as const)
        .filter(([, count]) => count > 0)
        .sort((a, b) => b[1] - a[1]);
      const total = (prefix: string) =>
        during.filter(([key]) => key.startsWith(prefix)).reduce((sum, [, count]) => sum + count, 0);
      lines.push(
        '',
        `requests during the burst, per leak: DynamoDB ${(total('dynamodb') / N).toFixed(1)}, SQS ${(total('sqs') / N).toFixed(1)}, other HTTP ${(total('http') / N).toFixed(1)} (the bench's own polling included)`,
        ...during.map(([key, count]) => `  ${(count / N).toFixed(2).padStart(7)}  ${key}`),
      );
    }
    const p99 = stats(totals).p99;
    const peer = stats(seq.rows.map((r) => r.total)).p50;
    lines.push(
      `p99 simultaneous / p50 sequential = ${(p99 / peer).toFixed(2)}× (what ${N} at once cost over one alone)`,
      `revoked exactly once: ${registry.credentials.length - wrong.length}/${registry.credentials.length}${wrong.length ? `  ✗ ${wrong.length} live or revoked ≠ 1` : '  ✓'}`,
      `verified: ${run.rows.length}/${N}${run.unverified ? `  ✗ ${run.unverified} not verified` : '  ✓'}`,
      `target p99 ≤ ${TARGET} ms: ${p99 <= TARGET ? '✓ met' : '✗ missed'} (p99 ${Math.round(p99)} ms); load average now ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
      '',
    );
    // What happened to any leak that was not verified (timelines carry no values).
    for (const leak of burst) {
      const incident = incidents.get(leak.repo);
      if (incident?.phases.verifiedAt) continue;
      lines.push(
        `not verified: ${leak.provider} ${leak.repo} → ${incident ? incident.status : 'no incident'}`,
      );
      if (!incident) continue;
      const detail = (await (await fetch(`${pipeline.url}/incidents/${incident.id}`)).json()) as {
        timeline: { at: string; type: string; detail: string }[];
      };
      for (const event of detail.timeline.slice(-8))
        lines.push(`    ${event.at} ${event.type}: ${event.detail}`);
    }
    process.stdout.write(lines.join('\n'));
    return wrong.length === 0 && run.unverified === 0 && p99 <= TARGET ? 0 : 1;
  } finally {
    await pipeline.stop();
  }
}

process.exitCode = await main();
