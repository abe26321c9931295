// Reads documents with the `yaml` package — every document the fast block reader declines, which includes
// every broken one — and turns each into the shared tree. Aliases become shared subtrees (so an occurrence
// reached through an alias points at the anchored scalar, the text a user edits); merge keys are applied
// the way `yaml` applies them (explicit keys win, then earlier merge sources).
import {
  LineCounter,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
  Scalar,
  type Document,
  type Node as YamlNode,
  type YAMLMap,
} from 'yaml';
import { YAML_OPTIONS } from './scalars.js';
import type { MapNode, Position, TreeNode } from './tree.js';
import { scalar } from './tree.js';

/** How far `yaml` lets aliases expand before calling it a resource exhaustion attack (its default). */
const MAX_ALIAS_COUNT = 100;
const ALIAS_BOMB = `The document's aliases expand past the limit of ${MAX_ALIAS_COUNT} (an "alias bomb"), so it was not read.`;
export const TOO_DEEP = 'The document is nested too deeply to be read.';

export interface DocumentProblem {
  message: string;
  pos: Position;
}

export type ReadDocument = { root: TreeNode | null; problem: null } | { root: null; problem: DocumentProblem };

/** Thrown while converting one document; becomes that document's problem. */
class ConversionProblem extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Reads every document of `text` (a chunk of the file starting `linesBefore` lines into it). */
export function readWithYaml(text: string, linesBefore: number): ReadDocument[] {
  const lineCounter = new LineCounter();
  // `yaml` checks unique keys by comparing each key with every earlier one: quadratic, minutes for a valid
  // 1 MB mapping. The Converter checks them instead, with a set (same rule: equal scalar values).
  const documents = parseAllDocuments(text, { ...YAML_OPTIONS, uniqueKeys: false, lineCounter });
  const at = (offset: number): { line: number; column: number } => {
    const { line, col } = lineCounter.linePos(offset);
    return { line: linesBefore + Math.max(line, 1), column: col };
  };
  const span = (start: number, end: number): Position => {
    const from = at(start);
    const to = at(end);
    return { line: from.line, column: from.column, endLine: to.line, endColumn: to.column };
  };
  if (!Array.isArray(documents)) return [];
  return documents.map((doc): ReadDocument => {
    const error = doc.errors[0];
    if (error) {
      const [start, end] = error.pos;
      return { root: null, problem: { message: sentence(error.message), pos: span(start, Math.max(end, start + 1)) } };
    }
    const converter = new Converter(doc, span);
    try {
      const root = isEmpty(doc.contents) ? null : converter.convert(doc.contents);
      if (converter.sawAlias) doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      return { root, problem: null };
    } catch (thrown) {
      if (thrown instanceof ConversionProblem) {
        return { root: null, problem: { message: thrown.message, pos: span(thrown.offset, thrown.offset + 1) } };
      }
      const cause = thrown instanceof Error ? thrown.message : String(thrown);
      const message = /resource exhaustion/i.test(cause) ? ALIAS_BOMB : sentence(cause);
      const start = doc.range[0];
      return { root: null, problem: { message, pos: span(start, start + 1) } };
    }
  });
}

function sentence(message: string): string {
  if (message.includes('call stack')) return TOO_DEEP;
  const text = message.trim();
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** No content at all (`---` with nothing after it is an empty plain scalar to `yaml`). */
function isEmpty(node: unknown): node is null | Scalar {
  return node === null || (isScalar(node) && node.value === null && node.source === '');
}

function isMergeKey(key: unknown): boolean {
  return (
    isScalar(key) &&
    (key.type === undefined || key.type === Scalar.PLAIN) &&
    (key.value === '<<' || (typeof key.value === 'symbol' && key.value.description === '<<'))
  );
}

class Converter {
  sawAlias = false;
  /** Converted nodes, so every alias of an anchor shares one subtree (and alias bombs stay linear here). */
  private readonly converted = new Map<YamlNode, TreeNode>();

  constructor(
    private readonly doc: Document,
    private readonly span: (start: number, end: number) => Position,
  ) {}

  convert(node: YamlNode): TreeNode {
    if (isAlias(node)) {
      this.sawAlias = true;
      const target = node.resolve(this.doc);
      if (target === undefined) throw new ConversionProblem(`The alias *${node.source} names no anchor defined before it.`, node.range?.[0] ?? 0);
      return this.convert(target);
    }
    const done = this.converted.get(node);
    if (done) return done;
    const tree = this.build(node);
    this.converted.set(node, tree);
    return tree;
  }

  private position(node: YamlNode): Position {
    const [start, end] = node.range ?? [0, 0];
    return this.span(start, end);
  }

  private build(node: YamlNode): TreeNode {
    if (isScalar(node)) {
      const pos = this.position(node);
      const block = node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED;
      // A block scalar is positioned at its `|` or `>` indicator only (its value spans many lines).
      return scalar(node.value, block ? { ...pos, endLine: pos.line, endColumn: pos.column + 1 } : pos);
    }
    if (isSeq(node)) {
      const start = this.position(node);
      return { kind: 'seq', items: node.items.map((item) => this.convert(item as YamlNode)), pos: atStart(start) };
    }
    if (isMap(node)) return this.mapping(node);
    throw new ConversionProblem('Unsupported YAML node.', node.range?.[0] ?? 0);
  }

  private mapping(node: YAMLMap): MapNode {
    const entries = new Map<string, TreeNode>();
    const merges: YamlNode[] = [];
    const seen = new Set<unknown>();
    for (const pair of node.items) {
      const key = isAlias(pair.key) ? pair.key.resolve(this.doc) : pair.key;
      if (isMergeKey(key)) {
        merges.push(pair.value as YamlNode);
        continue;
      }
      if (isScalar(key)) {
        if (seen.has(key.value)) throw new ConversionProblem('Map keys must be unique.', key.range?.[0] ?? 0);
        seen.add(key.value);
      }
      // Kubernetes keys are scalars; a complex key (`? [a, b]`) names no field pullcheck reads.
      if (!isScalar(key)) continue;
      const text = key.source ?? String(key.value);
      const value = pair.value as YamlNode | null;
      entries.set(text, isEmpty(value) ? scalar(null, this.position(key)) : this.convert(value));
    }
    for (const merge of merges) {
      const source = this.convert(merge);
      const sources = source.kind === 'seq' ? source.items : [source];
      for (const each of sources) {
        if (each.kind !== 'map') throw new ConversionProblem('Merge sources must be maps or map aliases.', merge.range?.[0] ?? 0);
        for (const [key, value] of each.entries) if (!entries.has(key)) entries.set(key, value);
      }
    }
    return { kind: 'map', entries, pos: atStart(this.position(node)) };
  }
}

/** Collections are positioned at their first character only, as the block reader does. */
function atStart(pos: Position): Position {
  return { line: pos.line, column: pos.column, endLine: pos.line, endColumn: pos.column };
}
