// Smoke test of `npm run bench` (scripts/bench.mjs): with tiny sizes it runs every part end to end — the
// real registry, the delaying proxy, skopeo when installed, the corpus, the built dist/ — and prints the
// table. The figures themselves are not asserted (speed lives in the benchmark, not in tests).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'pullcheck-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('runs every part with tiny sizes and prints one table', async () => {
  const json = path.join(dir, 'figures.json');
  const args = ['scripts/bench.mjs', '--images', '12', '--repos', '3', '--duplicates', '2', '--mb', '0.2', '--runs', '1',
    '--skopeo-sample', '2', '--xargs-sample', '4', '--no-build', '--json', json];
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, timeout: 60_000 }, (error, out, err) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout: out, stderr: err });
    });
  });
  expect(code, stderr).toBe(0);
  const lines = stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^measure\s+pullcheck\s+peer \/ reference\s+ratio\s+target$/);
  for (const section of ['Resolution: 12 unique images in 3 repositories', 'Extraction: ', 'Start-up on an empty folder']) {
    expect(lines.some((line) => line.startsWith(section)), section).toBe(true);
  }
  for (const row of ['pullcheck CLI, end to end', 'registry requests per unique image', 'extractManifests (exact positions)', 'node dist/cli.js', 'dist/index.js size']) {
    expect(lines.find((line) => line.startsWith(row)), row).toMatch(/\d/);
  }
  const figures = JSON.parse(readFileSync(json, 'utf8'));
  expect(figures.resolution.cli.requests.perImage).toBeGreaterThanOrEqual(1);
  expect(figures.extraction.documents).toBeGreaterThan(0);
}, 90_000);
