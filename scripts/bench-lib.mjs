// What the benchmark's parts share: bundling TypeScript (the harness, pullcheck's modules) into a file a
// child process can run, timing child processes with their peak RSS, medians, and the table.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const say = (line) => process.stderr.write(`bench: ${line}\n`);

/** A scratch folder removed by `cleanUpScratch` (also on Ctrl-C, see bench.mjs). */
const scratchDirs = [];
export function scratch(prefix) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `pullcheck-bench-${prefix}-`));
  scratchDirs.push(dir);
  return dir;
}
export function cleanUpScratch() {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Bundles a script of this folder that imports pullcheck's or the harness's TypeScript into one CommonJS
 * file (the pattern of scripts/gen-docs.mjs, written to disk so a child process can run it).
 */
export async function bundleScript(entry, outDir) {
  const outfile = path.join(outDir, `${path.basename(entry, '.mjs')}.cjs`);
  await build({
    entryPoints: [path.join(ROOT, 'scripts', entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    logLevel: 'error',
  });
  return outfile;
}

/** Loads a bundled module into this process (for the harness: registry, proxies, pushes). */
export async function loadBundled(entry, outDir) {
  const file = await bundleScript(entry, outDir);
  const { createRequire } = await import('node:module');
  return createRequire(import.meta.url)(file);
}

const GNU_TIME = '/usr/bin/time';
const haveGnuTime = existsSync(GNU_TIME);

/**
 * Runs a command to its end: wall time (ms), peak RSS (MB, from GNU time's %M; null without it), exit
 * code, and its output. A command that fails makes the benchmark fail, loudly: a figure of a broken run
 * would be meaningless.
 */
export async function timed(command, args, { cwd = ROOT, env = process.env, input, allowCodes = [0] } = {}) {
  const dir = scratch('time');
  const rssFile = path.join(dir, 'rss');
  const [cmd, argv] = haveGnuTime ? [GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args]] : [command, args];
  const started = process.hrtime.bigint();
  const result = await new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.end(input ?? '');
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  let rssMb = null;
  if (haveGnuTime) {
    const kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
    if (Number.isFinite(kb)) rssMb = kb / 1024;
  }
  rmSync(dir, { recursive: true, force: true });
  if (!allowCodes.includes(result.code)) {
    throw new Error(`${command} ${args.join(' ').slice(0, 200)} exited ${result.code}: ${result.stderr.trim().slice(-800)}`);
  }
  return { ms, rssMb, ...result };
}

export function median(values) {
  const sorted = values.filter((v) => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `once` `runs` times (after `warmup` unmeasured runs) and returns every result. */
export async function repeat(runs, once, { warmup = 0 } = {}) {
  for (let i = 0; i < warmup; i++) await once(-1);
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await once(i));
  return results;
}

/** Median of one field over several results. */
export const medianOf = (results, field) => median(results.map((r) => (typeof field === 'function' ? field(r) : r[field])));

export function formatMs(ms) {
  if (ms === null || ms === undefined) return 'n/a';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export const formatMb = (mb) => (mb === null || mb === undefined ? 'n/a' : `${Math.round(mb)} MB`);
export const formatRatio = (x) => (x === null || !Number.isFinite(x) ? 'n/a' : x >= 100 ? `${Math.round(x)}×` : `${x.toFixed(x >= 10 ? 1 : 2)}×`);

/** `✓`/`✗` and the target's words, for the last column. */
export function verdict(ok, target) {
  if (ok === null) return `  (${target})`;
  return `${ok ? '✓' : '✗'} ${target}`;
}

/** A plain-text table: a header row, then rows; section rows are single strings. */
export function renderTable(header, rows) {
  const cells = rows.filter(Array.isArray);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r) => r.map((c, i) => String(c ?? '').padEnd(widths[i])).join('  ').trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  const out = [line(header), rule];
  for (const row of rows) out.push(Array.isArray(row) ? line(row) : `${row}`);
  return out.join('\n');
}

/** Deterministic pseudo-random numbers (mulberry32), so every run generates the same bytes. */
export function seededRandom(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
