// The block reader also reads one-line flow collections (`resources: {requests: {cpu: 100m}}`, common in
// hand-written manifests), which used to send the whole document to the slower `yaml` path. It must build
// exactly yaml's tree for every such document it accepts, and accept none that yaml finds broken.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Document, visit } from 'yaml';
import { readBlockDocument } from '../../src/extract/block-reader.js';
import { readBoth } from './plain-tree.js';

const KEYS = ['apiVersion', 'kind', 'name', 'image', 'cpu', 'memory', 'app.kubernetes.io/name', 'x-y_z', 'on', 'yes', 'null', '1',
  'with space', 'quo"te', "it's", '#hash', 'colon:key', '-dash', '<<', '', 'ü'];
const STRINGS = ['nginx:1.25', '100m', '128Mi', '/healthz', 'http', 'yes', 'No', 'on', '1.0', '0x10', '010', '~', 'null', '',
  ' lead', 'trail ', 'a: b', 'a #b', 'a#b', '- x', '-1', '-Xmx1g', '"q"', "'s'", 'two\nlines', '[x]', '{y}', 'a,b', 'a}b',
  '*ref', '&anc', '!tag', '?q', ':c', '2024-01-01', '1:20', '.inf', 'ünï'];

const scalarValue = fc.oneof(fc.constantFrom(...STRINGS), fc.string({ maxLength: 8 }), fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null));
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalarValue, tie('map'), tie('seq')),
  map: fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 5 })), tie('tree'), { maxKeys: 4 }),
  seq: fc.array(tie('tree'), { maxLength: 4 }),
}));

/** A manifest-like mapping whose nested collections are written in flow style, each with probability `flowShare`. */
const documents = fc.tuple(
  fc.dictionary(fc.constantFrom(...KEYS), tree, { minKeys: 1, maxKeys: 5 }),
  fc.infiniteStream(fc.boolean()),
  fc.record({ padding: fc.boolean(), stringType: fc.constantFrom('PLAIN', 'PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE'), comment: fc.boolean() }),
).map(([value, coin, style]) => {
  try {
    const doc = new Document(value);
    const flip = (node: { flow?: boolean }): void => {
      node.flow = coin.next().value as boolean;
    };
    visit(doc, { Map: (_, node) => void (node !== doc.contents && flip(node)), Seq: (_, node) => flip(node) });
    const text = doc.toString({ lineWidth: 0, flowCollectionPadding: style.padding, defaultStringType: style.stringType as 'PLAIN' });
    return style.comment ? text.replace(/\n/, ' # note\n') : text;
  } catch {
    return 'a: {b: 1}\n';
  }
});

describe('one-line flow collections in the block reader', () => {
  it('builds the same tree as yaml on every generated document it accepts, and accepts most', () => {
    let runs = 0;
    let acceptedWithFlow = 0;
    fc.assert(
      fc.property(documents, fc.integer({ min: 0, max: 5 }), (text, linesBefore) => {
        runs++;
        const { fast, yaml } = readBoth(text, linesBefore);
        if (fast === undefined) return;
        if (/[{[]/.test(text)) acceptedWithFlow++;
        expect(yaml).not.toBe('error');
        expect(fast).toEqual(yaml);
      }),
      { numRuns: 3000 },
    );
    expect(acceptedWithFlow / runs, 'share of documents with flow collections the fast reader accepted').toBeGreaterThan(0.2);
  });

  it('accepts no document yaml finds broken (random edits of flow documents)', () => {
    const edit = fc.record({ at: fc.nat(), remove: fc.nat({ max: 2 }), insert: fc.constantFrom('', ' ', ':', ': ', ',', ', ', '{', '}', '[', ']', '"', "'", '#', ' #', '\n', '-', '?', '&a ', '*a', '!', '\t') });
    let broken = 0;
    fc.assert(
      fc.property(documents, edit, (text, { at, remove, insert }) => {
        const i = at % (text.length + 1);
        const edited = text.slice(0, i) + insert + text.slice(i + remove);
        const { fast, yaml } = readBoth(edited, 2);
        if (yaml === 'error') {
          broken++;
          expect(fast).toBeUndefined();
        } else if (fast !== undefined) {
          expect(fast).toEqual(yaml);
        }
      }),
      { numRuns: 5000 },
    );
    expect(broken).toBeGreaterThan(300);
  });

  const accepted: [string, string][] = [
    ['resources and probes as Kubernetes docs write them', 'resources:\n  requests: {cpu: 100m, memory: 128Mi}\n  limits: { memory: 1Gi }\nreadinessProbe:\n  httpGet: {path: /healthz, port: http}\n'],
    ['nested flow collections', 'a: {b: {c: [1, "two", {d: null}]}, e: []}\nf: [[x, y], {}]\n'],
    ['a flow mapping as a sequence item and as a root', '- {name: app, value: "1"}\n- {}\n'],
    ['quoted keys and values', 'a: {"k": \'v\', "q\\"uote": "x"}\n'],
  ];
  it.each(accepted)('reads %s exactly as yaml does', (_name, text) => {
    const { fast, yaml } = readBoth(text, 1);
    expect(fast).not.toBeUndefined();
    expect(fast).toEqual(yaml);
  });

  const declined: [string, string][] = [
    ['flow collections over several lines', 'a: {b: 1,\n  c: 2}\n'],
    ['a key without a space after its colon', 'a: {b:1}\n'],
    ['a key without a value', 'a: {b}\n'],
    ['a trailing comma', 'a: {b: 1, }\n'],
    ['duplicate keys (an error)', 'a: {b: 1, b: 2}\n'],
    ['a plain value with a colon', 'a: {image: nginx:1.25}\n'],
    ['a single-pair mapping in a flow sequence', 'a: [b: 1]\n'],
    ['text after the closing bracket (an error)', 'a: {b: 1} c\n'],
  ];
  it.each(declined)('leaves %s to yaml', (_name, text) => {
    expect(readBlockDocument(text, 0)).toBeUndefined();
  });
});
