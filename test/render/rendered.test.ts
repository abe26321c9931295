// --rendered files: output of an earlier `helm template` / `kustomize build`, traced through `# Source:`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderAll, type RenderResult } from '../../src/discover/render.js';
import { FIXTURES, occurrence, options, rangeOf } from './support.js';

const ROOT = path.join(FIXTURES, 'helm');
const RENDERED = 'rendered/release.yaml';

describe('--rendered files', () => {
  let result: RenderResult;
  beforeAll(async () => {
    // helm: 'off' keeps the charts themselves out of it: only the rendered file is read.
    result = await renderAll({ charts: ['web', 'api'], kustomizations: [] }, options(ROOT, { helm: 'off', rendered: [path.join(ROOT, RENDERED)] }));
  });

  it('reads every image of the file with origin rendered, and covers the file', () => {
    expect(result.occurrences.map((o) => o.written).sort()).toEqual([
      'alpine:3.20',
      'busybox:1.36',
      'curlimages/curl:8.10.1',
      'mirror.example.com/bitnami/redis:7.2.4-debian-12-r9',
      'nginx:1.25.3',
    ]);
    expect(result.occurrences.every((o) => o.origin === 'rendered')).toBe(true);
    expect(result.coveredFiles).toEqual([RENDERED]);
    expect(result.renders).toEqual([]);
    expect(result.texts).toEqual([{ file: RENDERED, text: readFileSync(path.join(ROOT, RENDERED), 'utf8') }]);
  });

  it('traces a `# Source:` whose chart is under the root back to its values and Chart.yaml', () => {
    expect(occurrence(result, 'nginx:1.25.3').range).toEqual(rangeOf(ROOT, 'web/Chart.yaml', 5, '1.25.3'));
    expect(occurrence(result, 'mirror.example.com/bitnami/redis:7.2.4-debian-12-r9').range).toEqual(
      rangeOf(ROOT, 'web/charts/cache/values.yaml', 6, '7.2.4-debian-12-r9'),
    );
    expect(occurrence(result, 'busybox:1.36').range).toEqual(rangeOf(ROOT, 'api/templates/deployment.yaml', 16, 'busybox:1.36'));
  });

  it('keeps the rendered file line when the source is not under the root, or not named', () => {
    expect(occurrence(result, 'alpine:3.20').range).toEqual(rangeOf(ROOT, RENDERED, 51, 'alpine:3.20'));
    expect(occurrence(result, 'curlimages/curl:8.10.1').range).toEqual(rangeOf(ROOT, RENDERED, 61, 'curlimages/curl:8.10.1'));
  });

  it('reports a --rendered file that does not exist, and goes on', async () => {
    const missing = await renderAll({ charts: [], kustomizations: [] }, options(ROOT, { rendered: ['rendered/nope.yaml', RENDERED] }));
    expect(missing.findings).toEqual([
      expect.objectContaining({ rule: 'file-skipped', range: null, message: 'The --rendered file rendered/nope.yaml was not scanned: it does not exist.' }),
    ]);
    expect(missing.occurrences).toHaveLength(5);
  });
});
