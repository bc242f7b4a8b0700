/**
 * `npm run demo`: pushes every sample in events/sandbox/ through a running local pipeline's GitHub
 * stand-in and prints what happened to each — incidents opened, their status and Slack card.
 * Start the pipeline first: `npm start -- --sandbox`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fillFakeCredentials } from '../functions/local/sandbox/fake-credentials.ts';

const base = (process.env.LEAKSTOP_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`).replace(/\/+$/, '');
const samples = join(import.meta.dirname, '..', 'events', 'sandbox');

interface Incident {
  id: string;
  status: string;
  type: string;
  redacted: string;
  exposures: { repo: string; path: string; line: number }[];
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(`${base}${path}`);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function settle(repo: string, waitMs: number): Promise<Incident[]> {
  const deadline = Date.now() + waitMs;
  let last = '';
  let stableSince = Date.now();
  for (;;) {
    const { items } = await getJson<{ items: Incident[] }>(
      `/incidents?repo=${encodeURIComponent(repo)}&limit=100`,
    );
    const now = JSON.stringify(items.map((i) => [i.id, i.status]));
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    }
    const busy = items.some((i) => i.status === 'open' || i.status === 'containing');
    if ((!busy && Date.now() - stableSince > 1500) || Date.now() > deadline) return items;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main(): Promise<number> {
  try {
    await getJson('/healthz');
  } catch {
    process.stderr.write(
      `demo: no leakstop pipeline answers at ${base}. Start one with: npm start -- --sandbox\n`,
    );
    return 2;
  }
  const files = (await readdir(samples)).filter((f) => f.endsWith('.json')).sort();
  const run = Date.now().toString(36);
  for (const file of files) {
    // Samples hold `{{fake:…}}` templates, never credential literals: fresh fakes are made per run.
    const sample = JSON.parse(fillFakeCredentials(await readFile(join(samples, file), 'utf8'))) as {
      ref?: string;
      commits: unknown[];
    };
    const repo = `demo/${file.replace(/\.json$/, '')}-${run}`;
    const response = await fetch(`${base}/sandbox/github/repos/${repo}/pushes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ref: sample.ref ?? 'refs/heads/main', commits: sample.commits }),
    });
    if (response.status !== 201) {
      process.stdout.write(
        `✗ ${file}: the GitHub stand-in refused the push (${response.status}): ${await response.text()}\n`,
      );
      continue;
    }
    const { delivery, response: ingest } = (await response.json()) as {
      delivery: { id: string };
      response: { status: number };
    };
    const incidents = await settle(repo, 15_000);
    process.stdout.write(
      `\n▶ ${file} → ${repo} (delivery ${delivery.id}, webhook answered ${ingest.status})\n`,
    );
    if (incidents.length === 0) process.stdout.write('  no credential found\n');
    for (const incident of incidents) {
      const where = incident.exposures.map((e) => `${e.path}:${e.line}`).join(', ');
      process.stdout.write(
        `  ${incident.id}  ${incident.type} ${incident.redacted}  at ${where}  → ${incident.status}\n`,
      );
    }
  }
  const { messages } = await getJson<{ messages: unknown[] }>('/sandbox/slack/messages').catch(() => ({
    messages: [],
  }));
  process.stdout.write(
    `\nSlack stand-in holds ${messages.length} message(s): GET ${base}/sandbox/slack/messages\n`,
  );
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`demo: ${(error as Error).message}\n`);
    process.exitCode = 2;
  },
);
