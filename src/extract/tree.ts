// The small document tree both parsers produce (the fast block-YAML reader and the `yaml` package's
// composer), so the object and image rules are written once against one shape.
// Positions are absolute in the file: 1-based line and column, endColumn exclusive.

export interface Position {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface ScalarNode {
  readonly kind: 'scalar';
  /** The resolved value (YAML 1.1 types: string, number, boolean, null …). May be computed on first read. */
  readonly value: unknown;
  /** For a quoted scalar, from the opening quote to one past the closing quote. */
  readonly pos: Position;
}

export interface MapNode {
  readonly kind: 'map';
  /** Keys as written (the scalar's text before type resolution); merge keys are already applied. */
  readonly entries: Map<string, TreeNode>;
  /** Where the mapping starts (its first key). */
  readonly pos: Position;
}

export interface SeqNode {
  readonly kind: 'seq';
  readonly items: TreeNode[];
  readonly pos: Position;
}

/** An empty value (`key:` with nothing after it) is a ScalarNode whose value is null, positioned at its key. */
export type TreeNode = ScalarNode | MapNode | SeqNode;

export function scalar(value: unknown, pos: Position): ScalarNode {
  return { kind: 'scalar', value, pos };
}

export function asMap(node: TreeNode | undefined): MapNode | undefined {
  return node?.kind === 'map' ? node : undefined;
}

export function asSeq(node: TreeNode | undefined): SeqNode | undefined {
  return node?.kind === 'seq' ? node : undefined;
}

/** The tree as plain values (objects, arrays, scalars), as `yaml`'s toJS gives a document. */
export function plainValue(node: TreeNode): unknown {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(plainValue);
  return Object.fromEntries([...node.entries].map(([key, value]) => [key, plainValue(value)]));
}

/** The string value at `key`, or null when absent or not a string. */
export function stringAt(map: MapNode | undefined, key: string): string | null {
  const node = map?.entries.get(key);
  return node?.kind === 'scalar' && typeof node.value === 'string' ? node.value : null;
}
