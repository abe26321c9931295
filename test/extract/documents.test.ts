// Streams, broken documents and hostile input: each broken document is one finding where the YAML error
// is, the other documents are still read, and nothing throws or hangs.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractManifests } from '../../src/extract/index.js';
import { FIXTURES } from './fixture.js';

const extract = (text: string) => extractManifests(text, 'deploy/app.yaml', 'manifest');
const pod = (name: string, image: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n    - name: c\n      image: ${image}\n`;
const at = (f: { range: { line: number; column: number } | null }) => `${f.range?.line}:${f.range?.column}`;

describe('broken documents', () => {
  it('reports a broken document at its error and still reads the documents around it', () => {
    const broken = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: 1\n   b: 2\n';
    const result = extract(`${pod('one', 'nginx:1.25')}---\n${broken}---\n${pod('two', 'redis:7')}`);
    expect(result.occurrences.map((o) => `${o.workload} ${o.written} ${o.range.line}`)).toEqual([
      'Pod/one nginx:1.25 8',
      'Pod/two redis:7 25',
    ]);
    expect(result.findings).toEqual([
      {
        rule: 'manifest-invalid',
        severity: 'error',
        message: 'Nested mappings are not allowed in compact mappings.',
        range: { file: 'deploy/app.yaml', line: 15, column: 6, endLine: 15, endColumn: 7 },
        image: null,
        fix: null,
      },
    ]);
    expect(result.documents).toBe(3);
    expect(result.objects.map((o) => o.name)).toEqual(['one', 'two']);
  });

  it.each([
    ['tab indentation', 'apiVersion: v1\nkind: Pod\nspec:\n\tcontainers: []\n', '4:1', 'Tabs are not allowed as indentation.'],
    ['an unterminated quote', 'a: "x\nb: 1\n', '3:1', 'Missing closing "quote.'],
    ['a duplicate key', 'apiVersion: v1\nkind: Pod\nkind: Service\n', '3:1', 'Map keys must be unique.'],
    ['broken JSON', '{"apiVersion": "v1",, "kind": "Pod"}', '1:21', 'Unexpected , in flow map.'],
    ['an unknown alias', 'a: *nothing\n', '1:4', 'The alias *nothing names no anchor defined before it.'],
  ])('reports %s', (_name, text, position, message) => {
    const { findings } = extract(text);
    expect(findings.map((f) => `${at(f)} ${f.message}`)).toEqual([`${position} ${message}`]);
  });

  it('refuses an alias bomb with a finding instead of expanding it', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [prev, name] of [...'abcdefgh'].map((c, i) => [c, 'bcdefghi'[i]!])) {
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const bomb = `apiVersion: example.com/v1\nkind: Bomb\nmetadata:\n  name: lol\nspec:\n  ${levels.join('\n  ')}\n`;
    const result = extract(`${bomb}---\n${pod('after', 'nginx:1.25')}`);
    expect(result.findings.map((f) => `${at(f)} ${f.message}`)).toEqual([
      '1:1 The document\'s aliases expand past the limit of 100 (an "alias bomb"), so it was not read.',
    ]);
    expect(result.occurrences.map((o) => o.written)).toEqual(['nginx:1.25']);
  });

  it('says the image must be a string where Kubernetes would reject it (YAML 1.1 types, as kubectl reads them)', () => {
    const text =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n      containers:\n' +
      '        - name: a\n          image: 1.10\n' +
      '        - name: b\n          image: yes\n' +
      '        - name: c\n          image:\n' +
      '        - name: d\n          image:\n            repository: nginx\n';
    const result = extract(text);
    expect(result.occurrences).toEqual([]);
    expect(result.findings.map((f) => `${at(f)} ${f.message}`)).toEqual([
      '10:18 The image must be a string, but it is the number 1.1, which Kubernetes rejects.',
      '12:18 The image must be a string, but it is the boolean true, which Kubernetes rejects.',
      '14:11 The image must be a string, but it is empty, which Kubernetes rejects.',
      '17:13 The image must be a string, but it is a mapping, which Kubernetes rejects.',
    ]);
  });

  it('keeps numbers-looking images that are quoted as strings', () => {
    expect(extract(pod('p', '"1.10"')).occurrences.map((o) => o.written)).toEqual(['1.10']);
  });
});

describe('streams', () => {
  it('counts only documents with content', () => {
    expect(extract('---\n---\n# only a comment\n---\n')).toEqual({ documents: 0, objects: [], occurrences: [], findings: [] });
  });

  it('reads streams with directives and end markers', () => {
    const text = `%YAML 1.1\n---\n${pod('one', 'nginx:1.25')}...\n---\n${pod('two', 'redis:7')}`;
    const result = extract(text);
    expect(result.occurrences.map((o) => `${o.written} ${o.range.line}:${o.range.column}`)).toEqual([
      'nginx:1.25 10:14',
      'redis:7 20:14',
    ]);
    expect(result.findings).toEqual([]);
  });

  it('finds the pod spec of a custom resource nested 100 levels deep, in block and in flow style', () => {
    const keys = Array.from({ length: 100 }, (_, i) => `level${i}`);
    const block =
      'apiVersion: example.com/v1\nkind: Deep\nmetadata:\n  name: deep\n' +
      keys.map((key, i) => `${'  '.repeat(i)}${key}:\n`).join('') +
      `${'  '.repeat(100)}containers:\n${'  '.repeat(100)}- name: c\n${'  '.repeat(100)}  image: nginx:1.25\n`;
    const flow =
      'apiVersion: example.com/v1\nkind: Deep\nmetadata: {name: deep}\n' +
      `${keys.map((key) => `{${key}: `).join('').slice(1)}{containers: [{name: c, image: nginx:1.25}]}${'}'.repeat(99)}\n`;
    const path = `${keys.join('.')}.containers[0].image`;
    for (const text of [block, flow]) {
      const result = extract(text);
      expect(result.findings).toEqual([]);
      expect(result.occurrences.map((o) => [o.path, o.written])).toEqual([[path, 'nginx:1.25']]);
    }
  });

  it('answers nesting too deep for any reader with a finding', () => {
    const text = Array.from({ length: 6000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n');
    expect(extract(text).findings.map((f) => f.message)).toEqual(['The document is nested too deeply to be read.']);
  });

  it('reads a JSON file that holds no Kubernetes object as one document with no objects', () => {
    const lock = JSON.stringify({ name: 'x', packages: { a: { image: 'not-an-image' } } }, null, 2);
    expect(extract(lock)).toEqual({ documents: 1, objects: [], occurrences: [], findings: [] });
  });
});

describe('never throws', () => {
  const fixtures = readdirSync(FIXTURES).map((name) => readFileSync(path.join(FIXTURES, name), 'utf8'));

  it('on arbitrary text and on edited fixtures, and every finding points into the file', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.tuple(fc.constantFrom(...fixtures), fc.nat(), fc.nat({ max: 20 }), fc.string({ maxLength: 4 })).map(
        ([fixture, at, cut, insert]) => {
          const i = at % fixture.length;
          return fixture.slice(0, i) + insert + fixture.slice(i + cut);
        },
      ),
    );
    fc.assert(
      fc.property(text, (input) => {
        const result = extract(input);
        const lines = input.split('\n').length;
        for (const finding of result.findings) {
          expect(finding.rule).toBe('manifest-invalid');
          expect(finding.range!.line).toBeGreaterThanOrEqual(1);
          expect(finding.range!.line).toBeLessThanOrEqual(lines + 1);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
