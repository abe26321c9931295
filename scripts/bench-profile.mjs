// `npm run bench -- --profile DIR`: after the measured rounds, one more run of the CLI under
// `node --cpu-prof` per part, with an unminified build of the same entry so the profile names pullcheck's
// functions. The .cpuprofile files stay in DIR (open them in Chrome DevTools); the slowest functions,
// by time including what they call, go to stderr and to DIR/<part>.txt.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { ROOT, say, timed } from './bench-lib.mjs';

/** dist/cli.js's entry, bundled the same way but readable. */
export async function readableCli(outDir) {
  const outfile = path.join(outDir, 'cli-readable.cjs');
  await build({ entryPoints: [path.join(ROOT, 'src', 'cli.ts')], outfile, bundle: true, platform: 'node', target: 'node24', format: 'cjs', alias: { undici: 'undici' }, logLevel: 'error' });
  return outfile;
}

/** Runs `node --cpu-prof CLI args` in `cwd`, keeps the profile in DIR/part/, and summarises it. */
export async function profileCli(profileDir, part, cli, args, cwd) {
  const dir = path.join(profileDir, part);
  mkdirSync(dir, { recursive: true });
  await timed(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, cli, ...args], { cwd, allowCodes: [0, 1] });
  const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort().pop();
  const summary = summarize(JSON.parse(readFileSync(path.join(dir, file), 'utf8')), 20);
  writeFileSync(path.join(profileDir, `${part}.txt`), `${summary}\n`);
  say(`profile of the ${part} run (${path.join(dir, file)}):\n${summary}`);
}

/** The bundle's functions with the most time including their callees; idle and GC time on the first line. */
export function summarize(profile, top) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const ticks = new Map();
  profile.samples.forEach((id, i) => ticks.set(id, (ticks.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const name = (n) => `${n.callFrame.functionName || '(anonymous)'} ${path.basename(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const inclusive = new Map();
  let total = 0;
  for (const [id, us] of ticks) {
    total += us;
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (!node.callFrame.url.endsWith('cli-readable.cjs')) continue; // Node's own code is not ours to fix
      const key = name(node);
      if (seen.has(key)) continue; // recursion counts once
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  const self = (fn) => [...ticks].filter(([id]) => byId.get(id).callFrame.functionName === fn).reduce((n, [, us]) => n + us, 0);
  const rows = [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top);
  const ms = (us) => `${Math.round(us / 1000)} ms`.padStart(8);
  const head = `total ${ms(total).trim()}; idle (waiting for I/O) ${ms(self('(idle)')).trim()}; garbage collection ${ms(self('(garbage collector)')).trim()}`;
  return [head, ...rows.map(([key, us]) => `${ms(us)} ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`)].join('\n');
}
