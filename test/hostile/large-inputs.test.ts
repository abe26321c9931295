// Inputs a pull request can make large: a 50 MB YAML file (skipped with a notice over max-file-size, scanned
// in bounded memory when the limit is raised, measured in a child process of its own), 10,000 small files,
// and an image string of 100,000 characters.
import { execFile } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/report.js';
import { deployment, workspace, type Workspace } from './cli.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;

/** Writes a ~`mb` MB manifest: Deployments (10%), then one ConfigMap with ~200-byte entries (90%). */
function writeBigManifest(file: string, mb: number): { deployments: number } {
  const fd = openSync(file, 'w');
  let written = 0;
  let deployments = 0;
  try {
    while (written < mb * MiB * 0.1) {
      written += writeSync(fd, `${deployment(`app-${deployments}`, [`registry.example.test/team/app-${deployments % 50}:1.${deployments % 7}.0`])}---\n`);
      deployments++;
    }
    written += writeSync(fd, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n');
    const value = 'y'.repeat(200);
    let lines: string[] = [];
    for (let i = 0; written < mb * MiB; i++) {
      lines.push(`  key${i}: "${value}"\n`);
      if (lines.length === 1000) {
        written += writeSync(fd, lines.join(''));
        lines = [];
      }
    }
    if (lines.length > 0) writeSync(fd, lines.join(''));
  } finally {
    closeSync(fd);
  }
  return { deployments };
}

describe('a 50 MB manifest', () => {
  let ws: Workspace;
  let deployments: number;
  beforeAll(() => {
    ws = workspace();
    ({ deployments } = writeBigManifest(path.join(ws.dir, 'big.yaml'), 50));
  });
  afterAll(() => ws?.remove());

  it('is skipped with a notice under the default max-file-size', async () => {
    const out = await ws.run(['--offline', '--format', 'json']);
    const report = JSON.parse(out.stdout) as Report;
    expect(report.findings.map((f) => [f.rule, f.file, f.message])).toEqual([
      ['file-skipped', 'big.yaml', expect.stringMatching(/^Not scanned: the file is 50\.\d MiB, more than the 10\.0 MiB limit \(max-file-size\)\.$/)],
    ]);
    expect(report.images).toEqual([]);
  });

  it('is scanned when the limit is raised, in bounded memory (the bundled CLI in a child process)', async () => {
    const bundle = path.join(ws.dir, '.bundle', 'cli.cjs');
    await build({ entryPoints: [path.resolve('src/cli.ts')], outfile: bundle, bundle: true, platform: 'node', target: 'node24', format: 'cjs', logLevel: 'error' });
    const rss = ws.write('.bundle/rss.cjs', "process.on('exit', () => require('node:fs').writeSync(2, `maxRSS_KB=${process.resourceUsage().maxRSS}\\n`));\n");
    ws.write('.pullcheck.yml', 'max-file-size: 64MB\n');
    const started = performance.now();
    const { stdout, stderr } = await run(process.execPath, ['-r', rss, bundle, '--offline', '--format', 'json', '--exclude', '.bundle/**'], { cwd: ws.dir, maxBuffer: 256 * MiB, timeout: 60_000 });
    const seconds = (performance.now() - started) / 1000;
    const report = JSON.parse(stdout) as Report;
    expect(report.findings).toEqual([]);
    expect(report.summary.objects).toBe(deployments + 1);
    expect(report.images).toHaveLength(350); // 50 repositories × 7 tags
    const peakMiB = Number(/maxRSS_KB=(\d+)/.exec(stderr)?.[1]) / 1024;
    console.info(`50 MB manifest (${deployments} Deployments + one ConfigMap): scanned in ${seconds.toFixed(1)} s, peak RSS ${peakMiB.toFixed(0)} MiB`);
    expect(peakMiB).toBeLessThan(1536); // "bounded": measured ≈ 420 MiB; a regression to holding copies would pass 1.5 GiB
  });
});

describe('many files', () => {
  let ws: Workspace;
  beforeAll(() => {
    ws = workspace();
    for (let i = 0; i < 10_000; i++) ws.write(`apps/group-${i % 100}/app-${i}.yaml`, deployment(`app-${i}`, [`registry.example.test/team/app-${i % 250}:1.0.${i % 4}`]));
  });
  afterAll(() => ws?.remove());

  it('scans 10,000 small files, every one of them', async () => {
    const started = performance.now();
    const out = await ws.run(['--offline', '--format', 'json']);
    const report = JSON.parse(out.stdout) as Report;
    console.info(`10,000 files: scanned in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    expect(report.summary).toMatchObject({ files: 10_000, objects: 10_000, occurrences: 10_000, images: 500 });
    expect(report.findings).toEqual([]);
  });
});

describe('an image string of 100,000 characters', () => {
  let ws: Workspace;
  beforeAll(() => {
    ws = workspace();
  });
  afterAll(() => ws?.remove());

  it.each([
    ['one long repository name', `registry.example.test/${'a'.repeat(100_000)}:1`],
    ['one long tag', `nginx:${'1'.repeat(100_000)}`],
    ['a long string of path separators', `${'a/'.repeat(50_000)}b`],
  ])('%s: invalid-reference at its line, with a message of bounded length', async (_what, image) => {
    ws.write('deploy/long.yaml', deployment('long', [image]));
    const started = performance.now();
    const out = await ws.run(['--offline', '--format', 'json']);
    const report = JSON.parse(out.stdout) as Report;
    expect(performance.now() - started).toBeLessThan(10_000);
    const [finding, ...others] = report.findings;
    expect(others).toEqual([]);
    expect(finding).toMatchObject({ rule: 'invalid-reference', file: 'deploy/long.yaml', line: 14 });
    expect(finding!.message.length).toBeLessThan(1_000);
  });
});
