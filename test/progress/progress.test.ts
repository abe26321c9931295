// What a long run shows: on a terminal a live line (files scanned, images resolved / total) that is
// cleared before every stage line; in a log only one line per stage with its time; stdout only the report.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { progressLines } from '../../src/report/progress.js';

class Capture extends Writable {
  text = '';
  isTTY?: boolean;
  constructor(tty = false) {
    super();
    if (tty) this.isTTY = true;
  }
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

const CLEAR = '\r\u001b[2K';

describe('progressLines', () => {
  it('on a terminal: redraws the live line at most every 100 ms, always at the end, and clears it before a stage line', () => {
    const out: string[] = [];
    let clock = 0;
    const progress = progressLines((text) => out.push(text), { live: true, now: () => clock });
    progress.advance('extract', 1, 3);
    clock = 50;
    progress.advance('extract', 2, 3); // too soon: not drawn
    progress.advance('extract', 3, 3); // the last one always is
    progress.finish('extract', 'scanned 3 files', 1234);
    progress.finish('resolve', 'resolved 1 image', 80);
    expect(out).toEqual([
      `${CLEAR}pullcheck: files scanned 1/3`,
      `${CLEAR}pullcheck: files scanned 3/3`,
      `${CLEAR}pullcheck: scanned 3 files in 1.2 s\n`,
      'pullcheck: resolved 1 image in 80 ms\n',
    ]);
  });

  it('without stages (a script\'s pipe): only the notes', () => {
    const out: string[] = [];
    const progress = progressLines((text) => out.push(text), { live: false, stages: false });
    progress.advance('extract', 1, 1);
    progress.finish('extract', 'scanned 1 file', 3);
    progress.note('something to know');
    expect(out).toEqual(['pullcheck: something to know\n']);
  });

  it('in a log: only the stage lines and notes, one line each', () => {
    const out: string[] = [];
    const progress = progressLines((text) => out.push(text), { live: false });
    for (let i = 1; i <= 5_000; i++) progress.advance('resolve', i, 5_000);
    progress.finish('resolve', 'resolved 5,000 images at 3 registries', 2_345);
    progress.note('the results cache /tmp/x cannot be written (EACCES); the next run checks every image again');
    expect(out).toEqual([
      'pullcheck: resolved 5,000 images at 3 registries in 2.3 s\n',
      'pullcheck: the results cache /tmp/x cannot be written (EACCES); the next run checks every image again\n',
    ]);
  });
});

describe('the CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pullcheck-progress-'));
    mkdirSync(path.join(dir, 'deploy'));
    for (let i = 0; i < 3; i++) {
      writeFileSync(path.join(dir, 'deploy', `app-${i}.yaml`), `apiVersion: v1\nkind: Pod\nmetadata:\n  name: app-${i}\nspec:\n  containers:\n  - name: app\n    image: nginx:1.2${i}\n`);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cli = async (args: string[], tty: boolean, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> => {
    const stdout = new Capture();
    const stderr = new Capture(tty);
    const code = await main(args, { stdout, stderr, cwd: dir, env });
    return { code, stdout: stdout.text, stderr: stderr.text };
  };

  it('keeps stdout to the report and writes one line per stage to stderr in CI', async () => {
    const run = await cli(['--offline', '--format', 'json'], false, { CI: 'true' });
    expect(JSON.parse(run.stdout).summary.images).toBe(3);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines.map((l) => l.replace(/ in \d+(\.\d)? m?s$/, ''))).toEqual([
      'pullcheck: found 3 files, 0 charts, 0 kustomizations',
      'pullcheck: scanned 3 files (3 documents): 3 images, 3 unique',
      'pullcheck: checked the rules: 0 findings',
    ]);
    expect(run.stderr).not.toContain('\r');
  });

  it('shows the live line on a terminal; nothing in a script\'s pipe or with --quiet', async () => {
    expect((await cli(['--offline'], true)).stderr).toContain(`${CLEAR}pullcheck: files scanned 3/3`);
    expect((await cli(['--offline'], false, { CI: 'false' })).stderr).toBe('');
    expect((await cli(['--offline', '--quiet'], true, { CI: 'true' })).stderr).toBe('');
  });
});
