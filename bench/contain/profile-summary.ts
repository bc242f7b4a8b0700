/**
 * Where the pipeline's CPU went: reads the .cpuprofile files `bench:contain --cpu-prof DIR` left in
 * DIR and prints self time by function and by package. When DIR holds `burst-window.json` (written
 * by the bench: the burst's start and end on the monotonic clock V8's profiles use), only samples
 * inside that window count.
 *
 *   node --import tsx bench/contain/profile-summary.ts DIR [--top 40]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '40' } },
});
const dir = positionals[0];
if (!dir) throw new Error('usage: profile-summary.ts DIR [--top 40]');
let window: { startUs: number; endUs: number } | undefined;
try {
  window = JSON.parse(readFileSync(join(dir, 'burst-window.json'), 'utf8')) as typeof window;
} catch {
  window = undefined;
}

/** A package name for a script URL: node_modules/<pkg>, node:internal, or the project's folder. */
function packageOf(url: string): string {
  if (!url) return '(native / gc / idle)';
  if (url.startsWith('node:')) return url.split('/')[0]!;
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const project = /\/(functions\/[^/]+\/[^/]+|bench\/[^/]+|bin)\//.exec(url);
  return project ? project[1]! : url;
}

const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
let totalUs = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at < window.startUs || at > window.endUs)) continue;
    const node = nodes.get(profile.samples[i]!);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    const us = profile.timeDeltas[i + 1] ?? delta;
    totalUs += us;
    const name = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|functions|bench)\//, '$1/')}:${lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const pkg = functionName.startsWith('(') && !url ? functionName : packageOf(url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
}

const top = Number(values.top);
const print = (title: string, map: Map<string, number>, n: number) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, us] of [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n))
    process.stdout.write(
      `${String(Math.round(us / 1000)).padStart(7)} ms ${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${name}\n`,
    );
};
process.stdout.write(
  `CPU (non-idle) ${Math.round(totalUs / 1000)} ms${window ? ' inside the burst window' : ' over the whole run'}\n`,
);
print('by package', byPackage, 30);
print('by function (self time)', byFunction, top);
