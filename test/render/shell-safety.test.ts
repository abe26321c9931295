// Folder and file names are data, never shell: names crafted as shell commands must render as plain paths.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAll, type RenderResult } from '../../src/discover/render.js';
import { occurrence, options } from './support.js';

const OVERLAYS = ['$(touch pwned-dollar)', 'a;touch pwned-semicolon', '`touch pwned-backtick`', '-x && touch pwned-and'];
const CHART = '--debug $(touch pwned-chart)';
const VALUES = '`touch pwned-values`;.yaml';

describe('paths crafted as shell', () => {
  let root: string;
  let result: RenderResult;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'pullcheck-shell-'));
    for (const [i, dir] of OVERLAYS.entries()) {
      await mkdir(path.join(root, dir));
      await writeFile(path.join(root, dir, 'kustomization.yaml'), 'resources:\n  - pod.yaml\n');
      await writeFile(path.join(root, dir, 'pod.yaml'), `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\nspec:\n  containers:\n    - name: c\n      image: busybox:1.${i}\n`);
    }
    await mkdir(path.join(root, CHART, 'templates'), { recursive: true });
    await writeFile(path.join(root, CHART, 'Chart.yaml'), 'apiVersion: v2\nname: crafted\nversion: 0.1.0\n');
    await writeFile(path.join(root, CHART, 'values.yaml'), 'image: alpine:3.19\n');
    await writeFile(path.join(root, VALUES), 'image: alpine:3.20\n');
    await writeFile(path.join(root, CHART, 'templates', 'pod.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  containers:\n    - name: c\n      image: {{ .Values.image }}\n');
    result = await renderAll(
      { charts: [CHART], kustomizations: OVERLAYS.map((dir) => `${dir}/kustomization.yaml`) },
      options(root, { charts: { [CHART]: { values: [VALUES], set: { 'x': '$(touch pwned-set)' } } } }),
    );
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('renders every one of them as a plain path', () => {
    expect(result.findings).toEqual([]);
    expect(result.renders.every((r) => r.ok)).toBe(true);
    expect(result.renders).toHaveLength(OVERLAYS.length + 1);
    for (const [i, dir] of OVERLAYS.entries()) {
      expect(occurrence(result, `busybox:1.${i}`).range).toEqual({ file: `${dir}/pod.yaml`, line: 8, column: 14, endLine: 8, endColumn: 14 + `busybox:1.${i}`.length });
    }
    const chart = occurrence(result, 'alpine:3.20');
    expect(chart.range).toEqual({ file: VALUES, line: 1, column: 8, endLine: 1, endColumn: 19 });
    expect(chart.workload).toBe('Pod/debug-touch-pwned-chart'); // the default release name, made valid
  });

  it('runs nothing the names spell', async () => {
    const everything = await readdir(root, { recursive: true });
    expect(everything.filter((name) => path.basename(name).startsWith('pwned-'))).toEqual([]);
    expect((await readdir(process.cwd())).filter((name) => name.startsWith('pwned-'))).toEqual([]);
  });
});
