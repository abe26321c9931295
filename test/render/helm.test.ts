// Helm charts rendered with the real `helm template` (v3.17), images traced back to values lines; and the
// values heuristic when helm is missing.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAll, type RenderResult } from '../../src/discover/render.js';
import { FIXTURES, occurrence, options, rangeOf } from './support.js';

const ROOT = path.join(FIXTURES, 'helm');
// As walk() reports them: the vendored subchart is a chart folder too.
const CHARTS = ['api', 'broken', 'needs-deps', 'web', 'web/charts/cache'];

describe('helm charts', () => {
  let result: RenderResult;
  beforeAll(async () => {
    result = await renderAll({ charts: CHARTS, kustomizations: [] }, options(ROOT));
  });

  it('renders each top-level chart once (the subchart with its parent, the chart with missing dependencies not at all)', () => {
    expect(result.renders.map((r) => [r.source, r.tool, r.ok])).toEqual([
      ['api', 'helm template', true],
      ['broken', 'helm template', false],
      ['web', 'helm template', true],
    ]);
    expect(result.occurrences.every((o) => o.origin === 'helm')).toBe(true);
    expect(result.coveredFiles).toEqual([]);
  });

  it('points image.repository + image.tag at the tag line', () => {
    const api = occurrence(result, 'ghcr.io/acme/api:2.4.0');
    expect(api.range).toEqual(rangeOf(ROOT, 'api/values.yaml', 3, '2.4.0'));
    expect(api).toMatchObject({ workload: 'Deployment/api', container: 'api' });
  });

  it('points a whole `repo:tag` value at that value', () => {
    expect(occurrence(result, 'prom/statsd-exporter:v0.26.0').range).toEqual(rangeOf(ROOT, 'api/values.yaml', 4, 'prom/statsd-exporter:v0.26.0'));
  });

  it('points a tag that defaults to appVersion at Chart.yaml\'s appVersion line', () => {
    expect(occurrence(result, 'nginx:1.25.3').range).toEqual(rangeOf(ROOT, 'web/Chart.yaml', 5, '1.25.3'));
    expect(occurrence(result, 'envoyproxy/envoy:v2.4.1').range).toEqual(rangeOf(ROOT, 'api/Chart.yaml', 4, '2.4.1'));
  });

  it('points a subchart image under global.imageRegistry at the subchart\'s tag line', () => {
    const redis = occurrence(result, 'mirror.example.com/bitnami/redis:7.2.4-debian-12-r9');
    expect(redis.range).toEqual(rangeOf(ROOT, 'web/charts/cache/values.yaml', 6, '7.2.4-debian-12-r9'));
    expect(redis.workload).toBe('StatefulSet/web-cache');
  });

  it('points an image written in a template at the template line', () => {
    expect(occurrence(result, 'busybox:1.36').range).toEqual(rangeOf(ROOT, 'api/templates/deployment.yaml', 16, 'busybox:1.36'));
  });

  it('reports a chart that fails to render with helm\'s message', () => {
    const failed = result.findings.filter((f) => f.rule === 'render-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.range).toEqual(rangeOf(ROOT, 'broken/Chart.yaml', 1, 'apiVersion: v2'));
    expect(failed[0]?.message).toContain('helm template broken');
    expect(failed[0]?.message).toContain('image.repository is required');
  });

  it('reports missing dependencies by name with the command that fetches them', () => {
    const missing = result.findings.filter((f) => f.rule === 'chart-dependencies-missing');
    expect(missing).toHaveLength(1);
    expect(missing[0]?.severity).toBe('error');
    expect(missing[0]?.range).toEqual(rangeOf(ROOT, 'needs-deps/Chart.yaml', 5, 'postgresql'));
    expect(missing[0]?.message).toContain('postgresql, common');
    expect(missing[0]?.message).toContain('helm dependency build needs-deps');
  });

  it('places rendered objects at their template', () => {
    expect(result.objects.find((o) => o.kind === 'StatefulSet')).toMatchObject({ file: 'web/charts/cache/templates/statefulset.yaml', name: 'web-cache' });
  });
});

describe('chart settings', () => {
  it('uses a values override file, release name and namespace, and points at the override\'s line', async () => {
    const result = await renderAll(
      { charts: ['web'], kustomizations: [] },
      options(ROOT, { charts: { './web/': { values: ['environments/prod/web-values.yaml'], release: 'shop', namespace: 'prod' } } }),
    );
    const web = occurrence(result, 'nginx:1.27.0');
    expect(web.range).toEqual(rangeOf(ROOT, 'environments/prod/web-values.yaml', 2, '1.27.0'));
    expect(web.workload).toBe('Deployment/shop-web');
  });

  it('points a --set tag at the values line it overrides', async () => {
    const result = await renderAll({ charts: ['api'], kustomizations: [] }, options(ROOT, { charts: { api: { set: { 'image.tag': '2.5.0' } } } }));
    expect(occurrence(result, 'ghcr.io/acme/api:2.5.0').range).toEqual(rangeOf(ROOT, 'api/values.yaml', 3, '2.4.0'));
  });
});

describe('without helm', () => {
  let result: RenderResult;
  beforeAll(async () => {
    result = await renderAll({ charts: CHARTS, kustomizations: [] }, options(ROOT, { helmCommand: './no-such-dir/helm' }));
  });

  it('guesses images from values files, with one notice', () => {
    expect(result.findings.filter((f) => f.rule === 'rendering-skipped')).toEqual([
      expect.objectContaining({ severity: 'notice', range: null, message: expect.stringContaining('./no-such-dir/helm') }),
    ]);
    expect(result.renders).toEqual([]);
    expect(result.occurrences.map((o) => o.written).sort()).toEqual([
      'ghcr.io/acme/api:2.4.0',
      'mirror.example.com/bitnami/redis:7.2.4-debian-12-r9', // metrics.image is disabled: not guessed
      'nginx:1.25.3',
      'prom/statsd-exporter:v0.26.0',
    ]);
    expect(result.occurrences.every((o) => o.origin === 'helm-values' && o.pod === null)).toBe(true);
  });

  it('points each guess at the line that decides it', () => {
    expect(occurrence(result, 'nginx:1.25.3').range).toEqual(rangeOf(ROOT, 'web/Chart.yaml', 5, '1.25.3'));
    expect(occurrence(result, 'mirror.example.com/bitnami/redis:7.2.4-debian-12-r9').range).toEqual(
      rangeOf(ROOT, 'web/charts/cache/values.yaml', 6, '7.2.4-debian-12-r9'),
    );
    expect(occurrence(result, 'ghcr.io/acme/api:2.4.0')).toMatchObject({ path: 'image', range: rangeOf(ROOT, 'api/values.yaml', 3, '2.4.0') });
  });

  it('still reports missing dependencies', () => {
    expect(result.findings.filter((f) => f.rule === 'chart-dependencies-missing')).toHaveLength(1);
  });

  it('applies override files to the guess', async () => {
    const guessed = await renderAll(
      { charts: ['web'], kustomizations: [] },
      options(ROOT, { helmCommand: './no-such-dir/helm', charts: { web: { values: ['environments/prod/web-values.yaml'] } } }),
    );
    expect(occurrence(guessed, 'nginx:1.27.0').range).toEqual(rangeOf(ROOT, 'environments/prod/web-values.yaml', 2, '1.27.0'));
  });
});

describe('a helm that hangs', () => {
  let bin: string;
  beforeAll(async () => {
    bin = await mkdtemp(path.join(tmpdir(), 'pullcheck-helm-'));
    await writeFile(path.join(bin, 'helm'), '#!/bin/sh\nexec sleep 30\n');
    await chmod(path.join(bin, 'helm'), 0o755);
  });
  afterAll(async () => {
    await rm(bin, { recursive: true, force: true });
  });

  it('is stopped at the timeout and reported as render-failed', async () => {
    const result = await renderAll({ charts: ['api'], kustomizations: [] }, options(ROOT, { helmCommand: path.join(bin, 'helm'), timeoutMs: 500 }));
    expect(result.findings).toEqual([
      expect.objectContaining({ rule: 'render-failed', message: expect.stringContaining('did not finish within 500 ms') }),
    ]);
  });
});
