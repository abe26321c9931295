// Kustomize overlays rendered with the real `kubectl kustomize` (kustomize v5.5), images traced back to the
// line a person would edit.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAll, type RenderResult } from '../../src/discover/render.js';
import { FIXTURES, occurrence, options, rangeOf } from './support.js';

const ROOT = path.join(FIXTURES, 'kustomize');
const KUSTOMIZATIONS = [
  'base/kustomization.yaml',
  'components/debug/kustomization.yaml',
  'overlays/staging/kustomization.yaml',
  'overlays/production/kustomization.yaml',
  'overlays/pinned/kustomization.yaml',
  'overlays/broken/kustomization.yaml',
  'overlays/remote/kustomization.yaml',
  'apps/api/base/kustomization.yaml',
  'apps/api/mid/kustomization.yaml',
  'apps/api/top/kustomization.yaml',
];

describe('kustomize overlays', () => {
  let result: RenderResult;
  beforeAll(async () => {
    result = await renderAll({ charts: [], kustomizations: KUSTOMIZATIONS }, options(ROOT));
  });

  it('renders only the roots: overlays no other kustomization builds on', () => {
    expect(result.renders.map((r) => r.source).sort()).toEqual([
      'apps/api/top/kustomization.yaml',
      'overlays/broken/kustomization.yaml',
      'overlays/pinned/kustomization.yaml',
      'overlays/production/kustomization.yaml',
      'overlays/remote/kustomization.yaml',
      'overlays/staging/kustomization.yaml',
    ]);
    expect(new Set(result.renders.map((r) => r.tool))).toEqual(new Set(['kubectl kustomize']));
    expect(result.occurrences.every((o) => o.origin === 'kustomize')).toBe(true);
  });

  it('points newName + newTag at the overlay\'s newTag line', () => {
    const staging = occurrence(result, 'registry.example.com/acme/app:2.0');
    expect(staging.range).toEqual(rangeOf(ROOT, 'overlays/staging/kustomization.yaml', 11, '2.0'));
    expect(staging.workload).toBe('Deployment/staging/web');
    expect(staging.container).toBe('web');
  });

  it('traces a base shared by two overlays to two different lines, one per overlay', () => {
    expect(occurrence(result, 'registry.example.com/acme/app:3.1', 'Deployment/prod-web').range).toEqual(
      rangeOf(ROOT, 'overlays/production/kustomization.yaml', 9, '3.1'),
    );
    expect(occurrence(result, 'registry.example.com/acme/app:2.0', 'Deployment/staging/web').range).toEqual(
      rangeOf(ROOT, 'overlays/staging/kustomization.yaml', 11, '2.0'),
    );
  });

  it('points a digest at the digest line', () => {
    const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
    const pinned = occurrence(result, `registry.example.com/acme/app@${digest}`);
    expect(pinned.range).toEqual(rangeOf(ROOT, 'overlays/pinned/kustomization.yaml', 6, digest));
  });

  it('points an image no overlay rewrites at the base resource line', () => {
    expect(occurrence(result, 'docker.io/library/redis:7.2', 'Deployment/prod-web').range).toEqual(
      rangeOf(ROOT, 'base/deployment.yaml', 18, 'docker.io/library/redis:7.2'),
    );
    expect(occurrence(result, 'busybox:1.36', 'Deployment/prod-web').range).toEqual(rangeOf(ROOT, 'base/deployment.yaml', 20, 'busybox:1.36'));
  });

  it('points an image a component rewrites at the component\'s entry', () => {
    expect(occurrence(result, 'busybox:1.36.1', 'Deployment/staging/web').range).toEqual(
      rangeOf(ROOT, 'components/debug/kustomization.yaml', 5, '1.36.1'),
    );
  });

  it('lets the outermost of nested overlays win, and finds images added by a patch', () => {
    const api = occurrence(result, 'ghcr.io/acme/api:1.2');
    expect(api.workload).toBe('Deployment/api-v2');
    expect(api.range).toEqual(rangeOf(ROOT, 'apps/api/top/kustomization.yaml', 8, '1.2'));
    expect(occurrence(result, 'ghcr.io/acme/migrate:0.9').range).toEqual(rangeOf(ROOT, 'apps/api/top/add-migrations.yaml', 10, 'ghcr.io/acme/migrate:0.9'));
  });

  it('reports a failing overlay with the tool\'s message and still renders the others', () => {
    const failed = result.findings.filter((f) => f.rule === 'render-failed' && f.range?.file === 'overlays/broken/kustomization.yaml');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.severity).toBe('error');
    expect(failed[0]?.message).toContain('kubectl kustomize ./overlays/broken');
    expect(failed[0]?.message).toContain("accumulating resources from 'missing-service.yaml'");
    // eslint-disable-next-line no-control-regex -- the point: no control characters reach the message
    expect(failed[0]?.message).not.toMatch(/[\u0000-\u001f]/);
    expect(failed[0]?.message).not.toContain(ROOT); // paths are shown relative to the root
    expect(result.renders.find((r) => r.source === 'overlays/broken/kustomization.yaml')?.ok).toBe(false);
    expect(result.renders.filter((r) => r.ok)).toHaveLength(4);
  });

  it('says plainly that remote resources need the network', () => {
    const remote = result.findings.find((f) => f.range?.file === 'overlays/remote/kustomization.yaml');
    expect(remote?.rule).toBe('render-failed');
    expect(remote?.message).toContain('It needs the network');
    expect(remote?.message).toContain('http://127.0.0.1:9/manifests/app.yaml');
  });

  it('covers every local file of the rendered trees, so the pipeline does not scan bases raw', () => {
    expect(result.coveredFiles.sort()).toEqual([
      'apps/api/base/deployment.yaml',
      'apps/api/base/kustomization.yaml',
      'apps/api/mid/kustomization.yaml',
      'apps/api/top/add-migrations.yaml',
      'apps/api/top/kustomization.yaml',
      'base/deployment.yaml',
      'base/kustomization.yaml',
      'components/debug/kustomization.yaml',
      'overlays/broken/kustomization.yaml',
      'overlays/pinned/kustomization.yaml',
      'overlays/production/kustomization.yaml',
      'overlays/remote/kustomization.yaml',
      'overlays/staging/kustomization.yaml',
    ]);
    expect(result.occurrences.some((o) => o.written === 'app')).toBe(false);
  });

  it('places rendered objects at their source resource', () => {
    const prod = result.objects.find((o) => o.name === 'prod-web');
    expect(prod).toMatchObject({ kind: 'Deployment', file: 'base/deployment.yaml', line: 1, images: 3 });
  });
});

describe('choosing the kustomize command', () => {
  let bin: string;
  const savedPath = process.env.PATH;
  beforeAll(async () => {
    bin = await mkdtemp(path.join(tmpdir(), 'pullcheck-kustomize-'));
    // A stand-in `kustomize` binary: `kustomize build DIR` is `kubectl kustomize DIR`.
    await writeFile(path.join(bin, 'kustomize'), '#!/bin/sh\n[ "$1" = build ] || exit 9\nshift\nexec kubectl kustomize "$@"\n');
    await chmod(path.join(bin, 'kustomize'), 0o755);
  });
  afterAll(async () => {
    process.env.PATH = savedPath;
    await rm(bin, { recursive: true, force: true });
  });

  it('prefers `kustomize build` when kustomize is on PATH', async () => {
    process.env.PATH = `${bin}${path.delimiter}${savedPath}`;
    try {
      const result = await renderAll({ charts: [], kustomizations: ['overlays/staging/kustomization.yaml'] }, options(ROOT));
      expect(result.renders).toEqual([expect.objectContaining({ tool: 'kustomize build', ok: true })]);
      expect(occurrence(result, 'registry.example.com/acme/app:2.0').range.file).toBe('overlays/staging/kustomization.yaml');
    } finally {
      process.env.PATH = savedPath;
    }
  });

  it('skips rendering with one notice when the given command does not exist, and covers nothing', async () => {
    const result = await renderAll(
      { charts: [], kustomizations: KUSTOMIZATIONS },
      options(ROOT, { kustomizeCommand: ['./no-such-kustomize', 'build'] }),
    );
    expect(result.findings).toEqual([
      expect.objectContaining({ rule: 'rendering-skipped', severity: 'notice', range: null, message: expect.stringContaining('./no-such-kustomize build') }),
    ]);
    expect(result.coveredFiles).toEqual([]);
    expect(result.renders).toEqual([]);
  });

  it('does nothing when kustomize rendering is off', async () => {
    const result = await renderAll({ charts: [], kustomizations: KUSTOMIZATIONS }, options(ROOT, { kustomize: 'off' }));
    expect(result).toEqual({ occurrences: [], objects: [], findings: [], coveredFiles: [], renders: [], texts: [] });
  });
});
