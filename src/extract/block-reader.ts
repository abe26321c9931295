// A fast reader for the plain block-style YAML that nearly every Kubernetes manifest is written in.
//
// Why by hand: on a 20 MB corpus of workloads the `yaml` package composes documents at ≈ 3.7 MB/s and its
// lexer alone runs at ≈ 13 MB/s, while the scan must reach ≥ 10 MB/s end to end. This reader ACCEPTS only
// what it fully understands — block mappings and sequences (compact ones too), one-line plain and quoted
// scalars, literal and folded block scalars, flow sequences and mappings written on one line
// (`{cpu: 100m, memory: 128Mi}`, nested too), comments, CRLF line ends — and returns `undefined` for
// everything else (anchors, aliases, tags, merge keys, flow collections over several lines, multi-line
// plain or quoted scalars, unusual keys, tabs, duplicate keys and every syntax error).
// The caller then hands the document to `yaml`, which also reports the errors, so this reader never
// decides that a document is broken.
// test/extract/block-reader.test.ts and flow-collections.test.ts check it builds the same tree as `yaml`
// on every input it accepts.
import { parse } from 'yaml';
import { YAML_OPTIONS, resolvePlain } from './scalars.js';
import type { MapNode, Position, ScalarNode, SeqNode, TreeNode } from './tree.js';
import { scalar } from './tree.js';

/** Thrown inside the reader to leave the subset; never escapes this module. */
const DECLINE = Symbol('outside the block subset');

/** Characters YAML forbids or reads differently in YAML 1.1 (NEL, LS, PS are line breaks there). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNUSUAL_CHARACTERS = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u2028\u2029\uFEFF\uFFFE\uFFFF]/;
/** A plain key: what Kubernetes field names, label and annotation keys look like, followed by `: ` or `:`+EOL. */
const PLAIN_KEY = /[A-Za-z_][A-Za-z0-9_./-]*(?=:(?: |$))/y;
/** Plain keys YAML 1.1 types as booleans or null: `yaml` finds duplicates among them by value (`on` = `true`). */
const TYPED_KEY = /^(?:[yYnN]|[Yy]es|YES|[Nn]o|NO|[Tt]rue|TRUE|[Ff]alse|FALSE|[Oo]n|ON|[Oo]ff|OFF|[Nn]ull|NULL)$/;
/** Characters that may not start a plain scalar (YAML indicators). `-`, `?`, `:` are handled apart. */
const INDICATORS = new Set(['!', '&', '*', '#', '%', '@', '`', '|', '>', '[', ']', '{', '}', ',', "'", '"']);
/** Escapes JSON and YAML double-quoted scalars share (and `\uXXXX`); any other sends the document to `yaml`. */
const JSON_ESCAPES = '"\\/bfnrt';
const BLOCK_HEADER = /^[|>][-+]?(?: +#.*| *)$/;
const MAX_IMPLICIT_KEY = 1024;
/** Flow collections nested deeper than this on one line are left to yaml. */
const MAX_FLOW_DEPTH = 16;

/**
 * Reads one document (a chunk from splitDocuments). Returns its tree, null when the document holds no
 * content (only comments or blank lines), or undefined when it is outside the subset this reader handles.
 */
export function readBlockDocument(text: string, linesBefore: number): TreeNode | null | undefined {
  if (UNUSUAL_CHARACTERS.test(text)) return undefined;
  const lines = text.split('\n');
  if (text.includes('\r')) {
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      // Only CR LF is a line break; a CR anywhere else (the very end included) is left to yaml.
      const stripped = line.endsWith('\r') && i < lines.length - 1 ? line.slice(0, -1) : line;
      if (stripped.includes('\r')) return undefined;
      lines[i] = stripped;
    }
  }
  try {
    return new BlockReader(lines, linesBefore).document();
  } catch (thrown) {
    // Nesting deeper than this reader's recursion allows: `yaml` may still read it.
    if (thrown === DECLINE || thrown instanceof RangeError) return undefined;
    throw thrown;
  }
}

function decline(): never {
  throw DECLINE;
}

function indentOf(line: string): number {
  let n = 0;
  while (line.charCodeAt(n) === 32) n++;
  return n;
}

function skipSpaces(line: string, from: number): number {
  let at = from;
  while (line[at] === ' ') at++;
  return at;
}

function isSeqIndicator(line: string, col: number): boolean {
  return line[col] === '-' && (col + 1 === line.length || line[col + 1] === ' ');
}

/** After a complete value: only spaces, then end of line or a comment. */
function expectLineEnd(line: string, from: number): void {
  if (from === line.length) return;
  if (line[from] !== ' ') decline();
  let k = from;
  while (line[k] === ' ') k++;
  if (k < line.length && line[k] !== '#') decline();
}

/** Index one past the closing quote of the double-quoted scalar opening at `open`. */
function closeDouble(line: string, open: number): number {
  for (let j = open + 1; j < line.length; j++) {
    const ch = line[j];
    if (ch === '\\') j++;
    else if (ch === '"') return j + 1;
  }
  return decline();
}

function doubleValue(line: string, open: number, end: number): string {
  const raw = line.slice(open + 1, end - 1);
  if (!raw.includes('\\')) return raw;
  for (let j = raw.indexOf('\\'); j !== -1; j = raw.indexOf('\\', j)) {
    const escape = raw[j + 1]!;
    if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(raw.slice(j + 2, j + 6))) j += 6;
    else if (JSON_ESCAPES.includes(escape)) j += 2;
    else decline();
  }
  return JSON.parse(`"${raw}"`) as string;
}

/** Index one past the closing quote of the single-quoted scalar opening at `open` (`''` is a quote). */
function closeSingle(line: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const quote = line.indexOf("'", from);
    if (quote === -1) decline();
    if (line[quote + 1] !== "'") return quote + 1;
    from = quote + 2;
  }
}

function singleValue(line: string, open: number, end: number): string {
  return line.slice(open + 1, end - 1).replaceAll("''", "'");
}

/** A plain scalar, typed (YAML 1.1) only when something reads it: most values are never looked at. */
class PlainScalar implements ScalarNode {
  readonly kind = 'scalar';
  constructor(
    private readonly text: string,
    readonly pos: Position,
  ) {}
  get value(): unknown {
    return resolvePlain(this.text);
  }
}

/** A literal or folded block scalar; its value is worked out by `yaml` when something reads it. */
class BlockScalar implements ScalarNode {
  readonly kind = 'scalar';
  constructor(
    private readonly source: string,
    readonly pos: Position,
  ) {}
  get value(): unknown {
    return (parse(this.source, YAML_OPTIONS) as { x: unknown }).x;
  }
}

class BlockReader {
  /** The line being read (index into `lines`). */
  private i = 0;

  constructor(
    private readonly lines: string[],
    private readonly linesBefore: number,
  ) {}

  document(): TreeNode | null {
    const first = this.lines[0]!;
    if (first.startsWith('---')) {
      expectLineEnd(first, 3);
      this.i = 1;
    }
    const indent = this.skipToContent();
    if (indent === -1) return null;
    const root = this.node(indent);
    if (this.skipToContent() !== -1) decline();
    return root;
  }

  private pos(line: number, start: number, end: number): Position {
    const at = this.linesBefore + line + 1;
    return { line: at, column: start + 1, endLine: at, endColumn: end + 1 };
  }

  /** Moves to the next line with content; returns its indentation, or -1 at the end of the document. */
  private skipToContent(): number {
    for (; this.i < this.lines.length; this.i++) {
      const line = this.lines[this.i]!;
      const n = indentOf(line);
      if (n === line.length || line[n] === '#') continue;
      if (line.includes('\t', n)) decline();
      return n;
    }
    return -1;
  }

  /** A node on a line of its own, from column `col`: a block collection or a one-line value (`key:\n  {}`). */
  private node(col: number): TreeNode {
    const line = this.lines[this.i]!;
    if (isSeqIndicator(line, col)) return this.sequence(col);
    const key = this.key(line, col);
    if (key !== undefined) return this.mapping(col, key);
    // A block scalar here is indented against its parent, not against `col`: rare, leave it to yaml.
    if (line[col] === '|' || line[col] === '>') decline();
    return this.inline(line, col, col);
  }

  /** A key at `col` and the index just past its colon, or undefined when the text there is not such a key. */
  private key(line: string, col: number): [string, number] | undefined {
    const quote = line[col];
    let text: string;
    let end: number;
    if (quote === '"' || quote === "'") {
      end = quote === '"' ? closeDouble(line, col) : closeSingle(line, col);
      if (line[end] !== ':' || (end + 1 < line.length && line[end + 1] !== ' ')) return undefined;
      text = quote === '"' ? doubleValue(line, col, end) : singleValue(line, col, end);
    } else {
      PLAIN_KEY.lastIndex = col;
      const match = PLAIN_KEY.exec(line);
      if (match === null || TYPED_KEY.test(match[0])) return undefined;
      text = match[0];
      end = col + text.length;
    }
    if (end - col > MAX_IMPLICIT_KEY) return undefined;
    return [text, end + 1];
  }

  private mapping(indent: number, firstKey: [string, number]): MapNode {
    const entries = new Map<string, TreeNode>();
    const map: MapNode = { kind: 'map', entries, pos: this.pos(this.i, indent, indent) };
    let key: [string, number] | undefined = firstKey;
    for (;;) {
      const [text, afterColon] = key;
      if (entries.has(text)) decline();
      const keyPos = this.pos(this.i, indent, afterColon - 1);
      entries.set(text, this.value(afterColon, indent, keyPos, true));
      const next = this.skipToContent();
      if (next === -1 || next < indent) return map;
      if (next > indent) decline();
      key = this.key(this.lines[this.i]!, indent);
      if (key === undefined) decline();
    }
  }

  private sequence(indent: number): SeqNode {
    const items: TreeNode[] = [];
    const seq: SeqNode = { kind: 'seq', items, pos: this.pos(this.i, indent, indent) };
    for (;;) {
      const line = this.lines[this.i]!;
      let at = indent + 1;
      while (line[at] === ' ') at++;
      if (at === line.length || line[at] === '#') {
        items.push(this.value(at, indent, this.pos(this.i, at, at), false));
      } else if (isSeqIndicator(line, at)) {
        items.push(this.sequence(at)); // `- - x`: its items sit at the inner dash's column
      } else {
        const key = this.key(line, at);
        items.push(key === undefined ? this.inline(line, at, indent) : this.mapping(at, key));
      }
      const next = this.skipToContent();
      if (next === -1 || next < indent) return seq;
      if (next > indent) decline();
      if (!isSeqIndicator(this.lines[this.i]!, indent)) return seq;
    }
  }

  /**
   * The value after a key's colon or a sequence's dash (`from` is just past it). `indent` is the enclosing
   * collection's; `emptyPos` is where an empty value is reported (its key, or just past its dash).
   */
  private value(from: number, indent: number, emptyPos: Position, isMappingValue: boolean): TreeNode {
    const line = this.lines[this.i]!;
    let at = from;
    while (line[at] === ' ') at++;
    if (at < line.length && line[at] !== '#') return this.inline(line, at, indent);
    this.i++;
    const next = this.skipToContent();
    if (next > indent) return this.node(next);
    // A sequence may sit at its key's own indentation: `containers:\n- name: app`.
    if (next === indent && isMappingValue && isSeqIndicator(this.lines[this.i]!, indent)) return this.sequence(indent);
    return scalar(null, emptyPos);
  }

  /** A value written on the current line from column `at` (a block scalar also takes the lines below). */
  private inline(line: string, at: number, indent: number): TreeNode {
    const first = line[at]!;
    if (first === '"' || first === "'") {
      const end = first === '"' ? closeDouble(line, at) : closeSingle(line, at);
      const value = first === '"' ? doubleValue(line, at, end) : singleValue(line, at, end);
      expectLineEnd(line, end);
      return scalar(value, this.pos(this.i++, at, end));
    }
    if (first === '|' || first === '>') return this.blockScalar(line, at, indent);
    if (first === '[' || first === '{') {
      const [collection, end] = this.flowCollection(line, at, 0);
      expectLineEnd(line, end);
      this.i++;
      return collection;
    }
    const text = this.plainText(line, at);
    if (text.includes(': ') || text.endsWith(':')) decline(); // a mapping where a value belongs
    return new PlainScalar(text, this.pos(this.i++, at, at + text.length));
  }

  /** A one-line plain scalar from `at` up to a comment or the end of the line, trailing spaces dropped. */
  private plainText(line: string, at: number): string {
    const first = line[at]!;
    if (INDICATORS.has(first) || first === '?' || first === ':' || isSeqIndicator(line, at)) decline();
    const comment = line.indexOf(' #', at);
    let end = comment === -1 ? line.length : comment;
    while (line[end - 1] === ' ') end--;
    return line.slice(at, end);
  }

  private blockScalar(line: string, at: number, indent: number): ScalarNode {
    if (!BLOCK_HEADER.test(line.slice(at))) decline(); // indentation indicators and the like
    const headerLine = this.i;
    let contentIndent = -1;
    let widestLeadingBlank = 0;
    let j = headerLine + 1;
    for (; j < this.lines.length; j++) {
      const text = this.lines[j]!;
      const n = indentOf(text);
      if (n === text.length) {
        if (contentIndent === -1) widestLeadingBlank = Math.max(widestLeadingBlank, n);
        continue;
      }
      if (contentIndent === -1) {
        if (n <= indent) break;
        if (widestLeadingBlank > n) decline();
        contentIndent = n;
      } else if (n < contentIndent) {
        break;
      }
    }
    const body = this.lines.slice(headerLine + 1, j).join('\n') + (j < this.lines.length ? '\n' : '');
    this.i = j;
    const header = line.slice(at).trimEnd();
    return new BlockScalar(`x: ${header}\n${body}`, this.pos(headerLine, at, at + 1));
  }

  /**
   * A flow collection written on one line, from its `[` or `{` at `open`, and the index just past its
   * closing bracket: `["/bin/app", "--port", 80]`, `{cpu: 100m, memory: 128Mi}`, `{requests: {cpu: 1}}`.
   * Its scalars are one-line scalars (no `:` or `#` in plain ones), its keys those of block mappings.
   */
  private flowCollection(line: string, open: number, depth: number): [SeqNode | MapNode, number] {
    if (depth > MAX_FLOW_DEPTH) decline();
    const closer = line[open] === '[' ? ']' : '}';
    const pos = this.pos(this.i, open, open);
    const items: TreeNode[] = [];
    const entries = new Map<string, TreeNode>();
    let at = skipSpaces(line, open + 1);
    if (line[at] !== closer) {
      for (;;) {
        let valueAt = at;
        let key: [string, number] | undefined;
        if (closer === '}') {
          key = this.key(line, at);
          // `{a:1}` and `{a}` mean other things in flow context; duplicate keys are an error: all to yaml
          if (key === undefined || line[key[1]] !== ' ' || entries.has(key[0])) decline();
          valueAt = skipSpaces(line, key[1]);
        }
        const [value, end] = line[valueAt] === '[' || line[valueAt] === '{'
          ? this.flowCollection(line, valueAt, depth + 1)
          : this.flowItem(line, valueAt);
        if (key === undefined) items.push(value);
        else entries.set(key[0], value);
        at = skipSpaces(line, end);
        if (line[at] === closer) break;
        if (line[at] !== ',') decline();
        at = skipSpaces(line, at + 1);
        if (at >= line.length || line[at] === closer) decline(); // trailing comma or line break: leave to yaml
      }
    }
    return [closer === ']' ? { kind: 'seq', items, pos } : { kind: 'map', entries, pos }, at + 1];
  }

  /** One scalar of a flow collection and the index just past it. */
  private flowItem(line: string, at: number): [ScalarNode, number] {
    const first = line[at];
    if (first === '"' || first === "'") {
      const end = first === '"' ? closeDouble(line, at) : closeSingle(line, at);
      const value = first === '"' ? doubleValue(line, at, end) : singleValue(line, at, end);
      return [scalar(value, this.pos(this.i, at, end)), end];
    }
    if (first === undefined || INDICATORS.has(first) || first === '?' || first === ':') decline();
    if (first === '-' && !/[^ ,[\]{}]/.test(line[at + 1] ?? ' ')) decline(); // `-` starts a plain scalar only before a safe character
    let stop = at;
    while (stop < line.length && line[stop] !== ',' && line[stop] !== ']' && line[stop] !== '}') stop++;
    if (stop === line.length) decline();
    let end = stop;
    while (line[end - 1] === ' ') end--;
    const text = line.slice(at, end);
    if (/[:#[{}]/.test(text)) decline(); // single-pair mappings, comments, nested flow: leave to yaml
    return [new PlainScalar(text, this.pos(this.i, at, end)), stop];
  }
}
