// The fast block reader must never disagree with `yaml`: on every document it accepts it builds the same
// tree (values, YAML 1.1 types, positions), and it accepts no document `yaml` finds broken.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { readBlockDocument } from '../../src/extract/block-reader.js';
import { splitDocuments } from '../../src/extract/split.js';
import { FIXTURES } from './fixture.js';
import { readBoth } from './plain-tree.js';

const KEYS = ['apiVersion', 'kind', 'metadata', 'name', 'image', 'containers', 'app.kubernetes.io/name', 'x-y_z',
  'on', 'yes', 'y', 'null', '1', '0x1', 'with space', 'quo"te', "it's", '#hash', 'colon:key', '-dash', '<<', '',
  'ü', 'a\\b'];
const STRINGS = ['nginx:1.25', 'registry.example.com:5000/a/b@sha256:' + 'a'.repeat(64), 'yes', 'No', 'on', 'y', '1.0',
  '0x10', '010', '0b11', '1_000', '~', 'null', '', ' lead', 'trail ', 'a: b', 'a #b', 'a#b', '- x', '-Xmx1g', '"q"',
  "'s'", 'two\nlines', 'tab\there', '[x]', '{y}', '*ref', '&anc', '!tag', '%pct', '@at', '`bt`', '?q', ':c', 'ünï',
  '2024-01-01', '1:20', 'http://x:8080/p?q=1#f', '.inf', '-.5', '1e3', '+1', '日本', 'trailing:', '\\back', 'a\u00a0b',
  'end\n', '\n\nlead'];

const scalarValue = fc.oneof(
  fc.constantFrom(...STRINGS),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
);
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalarValue, tie('map'), tie('seq')),
  map: fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 })), tie('tree'), { maxKeys: 5 }),
  seq: fc.array(tie('tree'), { maxLength: 4 }),
}));
const styles = fc.record({
  indent: fc.constantFrom(2, 4),
  indentSeq: fc.boolean(),
  defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'),
  defaultKeyType: fc.constantFrom(null, 'PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE'),
  lineWidth: fc.constantFrom(0, 20, 80),
  flowCollectionPadding: fc.boolean(),
  collectionStyle: fc.constantFrom('any', 'block', 'block', 'block'),
} as const);
/** Text-level variations `yaml.stringify` never writes: comments, CRLF, a `---` line, trailing spaces. */
const variations = fc.record({ comments: fc.boolean(), crlf: fc.boolean(), header: fc.boolean(), trailing: fc.boolean() });

function vary(text: string, v: { comments: boolean; crlf: boolean; header: boolean; trailing: boolean }): string {
  let lines = text.split('\n');
  if (v.comments) lines = lines.flatMap((line, i) => (i % 3 === 0 ? [`${' '.repeat(i % 5)}# note ${i}`, line] : [line]));
  if (v.trailing) lines = lines.map((line, i) => (i % 2 === 0 && line !== '' ? `${line}  ` : line));
  if (v.header) lines.unshift('--- # document');
  return lines.join(v.crlf ? '\r\n' : '\n');
}

/** Mostly mappings at the root, as manifests are. */
const rootValue = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...KEYS), tree, { minKeys: 1, maxKeys: 6 }) },
  { weight: 1, arbitrary: tree },
);
const documents = fc.tuple(rootValue, styles, variations).map(([value, style, v]) => {
  try {
    return vary(stringify(value, style), v);
  } catch {
    return 'a: 1\n'; // a style that cannot write this value
  }
});

describe('block reader against yaml', () => {
  it('builds the same tree as yaml on every generated document it accepts', () => {
    let accepted = 0;
    let runs = 0;
    fc.assert(
      fc.property(documents, fc.integer({ min: 0, max: 5 }), (text, linesBefore) => {
        runs++;
        const { fast, yaml } = readBoth(text, linesBefore);
        if (fast === undefined) return;
        accepted++;
        expect(fast).toEqual(yaml);
      }),
      { numRuns: 3000 },
    );
    expect(accepted / runs, "share of documents the fast reader accepted").toBeGreaterThan(0.5);
  });

  it('accepts no document yaml finds broken (random one-character edits of valid documents)', () => {
    const edits = fc.record({
      at: fc.nat(),
      remove: fc.boolean(),
      insert: fc.constantFrom('', ' ', '  ', ':', ': ', '-', '- ', '"', "'", '#', ' #', '\n', '\n  ', '[', ']', '{', '}',
        ',', '|', '>', '&a ', '*a', '!', '?', '\t', '%', '@', '\\', 'x'),
    });
    let broken = 0;
    fc.assert(
      fc.property(documents, edits, (text, edit) => {
        const at = text.length === 0 ? 0 : edit.at % text.length;
        const edited = text.slice(0, at) + edit.insert + text.slice(edit.remove ? at + 1 : at);
        const { fast, yaml } = readBoth(edited);
        if (yaml === 'error') {
          broken++;
          expect(fast).toBeUndefined();
        } else if (fast !== undefined) {
          expect(fast).toEqual(yaml);
        }
      }),
      { numRuns: 5000 },
    );
    expect(broken).toBeGreaterThan(500);
  });
});

describe('block reader on edited manifests', () => {
  const manifests = readdirSync(FIXTURES).flatMap((name) =>
    splitDocuments(readFileSync(path.join(FIXTURES, name), 'utf8')).map((chunk) => chunk.text),
  );
  const edit = fc.record({
    at: fc.nat(),
    remove: fc.nat({ max: 3 }),
    insert: fc.oneof(fc.constantFrom(' ', '  ', ':', '- ', '"', "'", '#', '\n', '\n  ', '[', '{', '|', '\t', ','), fc.string({ maxLength: 3 })),
  });

  it('agrees with yaml on every edit of every fixture document it accepts, and accepts no broken one', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.constantFrom(...manifests), fc.array(edit, { minLength: 1, maxLength: 3 }), (text, edits) => {
        const edited = edits.reduce((current, { at, remove, insert }) => {
          const i = at % (current.length + 1);
          return current.slice(0, i) + insert + current.slice(i + remove);
        }, text);
        const { fast, yaml } = readBoth(edited, 7);
        if (fast === undefined) return;
        accepted++;
        expect(yaml).not.toBe('error');
        expect(fast).toEqual(yaml);
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(500);
  });
});

describe('block reader on what manifests are written in', () => {
  const accepted: [string, string][] = [
    ['a deployment-like document', 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.25 # pinned\n'],
    ['indented sequences and empty values', 'a:\n  - x\n  -\n  - k: 1\n    v:\nb: ~\n'],
    ['quoted scalars with escapes', 'a: "tab\\there \\u00e9 \\"q\\""\nb: \'it\'\'s\'\n"c": 1\n'],
    ['literal and folded block scalars', 'a: |\n  one\n\n  two\nb: >-\n  folded\n  text\n\nc: |+\n  keep\n\n'],
    ['flow sequences of scalars and empty collections', 'command: ["/bin/sh", -c, \'echo hi\']\nargs: []\nres: {}\ne: { }\n'],
    ['comments everywhere', '---   # start\n# top\na: 1 # one\n  # odd indent\nb:\n# between\n  - 2\n'],
    ['sequences in sequences on one line', 'a:\n- - x\n  - - y\n- z\n'],
    ['CRLF line ends', 'a: 1\r\nb:\r\n  - "x"\r\n'],
    ['a document of comments only', '# nothing\n\n'],
    ['a value on the line after its key', 'a:\n  {}\nb:\n    "x"\n'],
    ['a scalar document', 'just text\n'],
  ];
  it.each(accepted)('reads %s exactly as yaml does', (_name, text) => {
    const { fast, yaml } = readBoth(text, 3);
    expect(fast).not.toBeUndefined();
    expect(fast).toEqual(yaml);
  });

  const declined: [string, string][] = [
    ['anchors and aliases', 'a: &x 1\nb: *x\n'],
    ['merge keys', 'a: &x {k: 1}\nb:\n  <<: *x\n'],
    ['tags', 'a: !!str 1\n'],
    ['flow mappings over several lines', 'a: {b: 1,\n  c: 2}\n'],
    ['multi-line plain scalars', 'a: one\n  two\n'],
    ['multi-line quoted scalars', 'a: "one\n  two"\n'],
    ['keys YAML 1.1 types', 'on: push\n'],
    ['keys with spaces', 'a key: 1\n'],
    ['tab indentation', 'a:\n\tb: 1\n'],
    ['block scalar indentation indicators', 'a: |2\n   x\n'],
    ['duplicate keys (an error)', 'a: 1\na: 2\n'],
    ['bad indentation (an error)', 'a:\n  b: 1\n c: 2\n'],
    ['a mapping in a value (an error)', 'a: b: c\n'],
  ];
  it.each(declined)('leaves %s to yaml', (_name, text) => {
    expect(readBlockDocument(text, 0)).toBeUndefined();
  });
});
