import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { resolvePlain, YAML_OPTIONS } from '../../src/extract/scalars.js';
import { extractManifests } from '../../src/extract/index.js';

describe('plain scalars typed as kubectl (go-yaml v2) types them', () => {
  it.each([
    ['yes', true], ['off', false], ['~', null], ['0x10', 16], ['010', 8], ['1_000', 1000],
    ['1.5', 1.5], ['.5', 0.5], ['1.', 1], ['1e3', 1000], ['-2.5E-1', -0.25], ['.inf', Infinity],
    // go-yaml keeps these as strings; the yaml package's YAML 1.1 schema alone would not.
    ['.', '.'], ['-.', '-.'], ['e3', 'e3'], ['.e3', '.e3'], ['2024-01-01', '2024-01-01'], ['1:20', '1:20'],
  ])('%s → %j', (text, value) => {
    expect(resolvePlain(text)).toEqual(value);
    // The slow path (the yaml package with the same options) agrees.
    expect(parseDocument(`v: ${text}`, YAML_OPTIONS).toJS()).toEqual({ v: value });
  });

  it('reads `image: .` as the string it is, so the judge can call it an invalid reference', () => {
    const result = extractManifests('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: .\n', 'p.yaml', 'manifest');
    expect(result.findings).toEqual([]);
    expect(result.occurrences.map((o) => o.written)).toEqual(['.']);
  });
});
