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
 */
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { redact } from '../../functions/domain/detection/redact.ts';
import { awsKeyPair, githubToken, slackToken } from '../../test/helpers/credentials.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100' },
    sequential: { type: 'string', default: '9' },
    'target-p99-ms': { type: 'string', default: '2000' },
    mode: { type: 'string', default: 'enforce' },
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

async function startPipeline(mode: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['bin/leakstop.js', 'local', '--sandbox', '--in-memory', '--mode', mode, '--port', '0'],
    { cwd: ROOT, env: { ...process.env, PORT: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
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

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
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

    const started = Date.now();
    await Promise.all(burst.map((leak) => push(pipeline.url, leak)));
    const incidents = await settle(pipeline.url, burst);
    const wall = Date.now() - started;
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
    ];
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
