// Properties over generated inputs. Extraction: any YAML a serializer can write (anchors, flow and block
// styles, odd keys, any string as an image) is read without throwing, and each container's image comes back
// as the YAML says (which is as written, but for a block scalar of blanks only). The pipeline: run() offline over random small trees (broken, binary, empty and odd
// files, kustomizations and charts among them) never throws and reports only files inside the tree.
// (Arbitrary text into extraction is in test/extract/documents.test.ts; the reference parser's properties
// in test/reference/properties.test.ts.)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { extractManifests } from '../../src/extract/index.js';
import { buildOptions } from '../../src/options.js';
import { run } from '../../src/run.js';

const anyString = fc.string({ unit: 'grapheme', maxLength: 40 });
const junk = fc.oneof(
  anyString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(anyString, { maxLength: 3 }),
  fc.dictionary(anyString, anyString, { maxKeys: 3 }),
);

/** A Pod with `images` as its containers' images, junk fields around them, and a shared (aliased) value. */
const podWithImages = fc.record({
  images: fc.array(anyString, { minLength: 1, maxLength: 4 }),
  extra: fc.dictionary(fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,8}$/), junk, { maxKeys: 4 }),
  shared: fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), anyString, { minKeys: 1, maxKeys: 3 }),
  style: fc.record({
    collectionStyle: fc.constantFrom('any', 'block', 'flow'),
    lineWidth: fc.constantFrom(0, 20, 80),
    defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'),
  }),
});

describe('extraction of serialized YAML', () => {
  it('never throws, and reads every container image back as yaml reads it', () => {
    fc.assert(
      fc.property(podWithImages, ({ images, extra, shared, style }) => {
        const pod = {
          apiVersion: 'v1',
          kind: 'Pod',
          // the same object twice: the serializer writes an anchor and an alias
          metadata: { name: 'p', labels: shared, annotations: shared },
          spec: { ...extra, containers: images.map((image, i) => ({ name: `c${i}`, image, env: [{ name: 'SHARED', value: shared }] })) },
        };
        // Written as YAML 1.1, the version kubectl reads: strings such as `y` or `on` get quoted.
        const text = stringify(pod, { version: '1.1', aliasDuplicateObjects: true, ...style });
        const result = extractManifests(text, 'pod.yaml', 'manifest');
        expect(result.findings).toEqual([]);
        // What the text means, per yaml: a block scalar of blanks only is '' (the serializer cannot keep
        // them), so the oracle is yaml's reading of the same text, not the value before serializing.
        const meant = (parse(text, { version: '1.1' }) as typeof pod).spec.containers.map((c) => c.image);
        expect(result.occurrences.map((o) => o.written)).toEqual(meant);
        const lines = text.split('\n').length;
        for (const o of result.occurrences) {
          expect(o.range.line).toBeGreaterThanOrEqual(1);
          expect(o.range.endLine).toBeLessThanOrEqual(lines);
        }
      }),
      { numRuns: 500 },
    );
  });
});

const FRAGMENTS = [
  'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: a, image: "nginx:1.25"}\n',
  'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: UPPER/Case\n',
  'a: [unclosed\n',
  'a: &a [*a]\n',
  '---\n---\n',
  '',
  '\uFEFFkind: Pod\n',
  'image: 123\n',
  'resources: ["deploy.yaml", "../outside.yaml", "$(touch pwned)"]\n',
  'apiVersion: v2\nname: c\nversion: 0.1.0\n',
  '{"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [{"name": "x", "image": "x:1"}]}}',
  'x'.repeat(5000),
];
const NAMES = ['a.yaml', 'b.yml', 'c.json', 'kustomization.yaml', 'Chart.yaml', 'values.yaml', 'deploy.yaml', 'sp ace.yaml', 'ü.yaml', '%.yaml', 'x.txt'];
const tree = fc.array(
  fc.record({
    dir: fc.array(fc.constantFrom('app', 'base', 'overlays', 'charts', 'templates', 'd i r'), { maxLength: 2 }),
    name: fc.constantFrom(...NAMES),
    content: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes))),
  }),
  { minLength: 1, maxLength: 8 },
);

describe('the pipeline, offline', () => {
  it('never throws on random small trees, and reports only files inside them', async () => {
    await fc.assert(
      fc.asyncProperty(tree, fc.boolean(), async (files, render) => {
        const root = mkdtempSync(path.join(os.tmpdir(), 'pullcheck-property-'));
        try {
          for (const file of files) {
            mkdirSync(path.join(root, ...file.dir), { recursive: true });
            writeFileSync(path.join(root, ...file.dir, file.name), file.content);
          }
          const options = buildOptions({ root, offline: true, kustomize: render ? 'auto' : 'off', helm: render ? 'auto' : 'off' });
          const report = await run(options);
          for (const finding of report.findings) {
            if (finding.file !== null) expect(path.resolve(root, finding.file).startsWith(root + path.sep)).toBe(true);
          }
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 30 },
    );
  }, 60_000);
});
