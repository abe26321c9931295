// Helpers for comparing the two readers: a tree as plain data, every lazily typed value read.
import { readBlockDocument } from '../../src/extract/block-reader.js';
import type { TreeNode } from '../../src/extract/tree.js';
import { readWithYaml } from '../../src/extract/yaml-reader.js';

export type Plain =
  | { scalar: unknown; at: string }
  | { map: [string, Plain][]; at: string }
  | { seq: Plain[]; at: string };

export function plain(node: TreeNode): Plain {
  const { line, column, endLine, endColumn } = node.pos;
  const at = `${line}:${column}-${endLine}:${endColumn}`;
  if (node.kind === 'scalar') return { scalar: node.value, at };
  if (node.kind === 'seq') return { seq: node.items.map(plain), at };
  return { map: [...node.entries].map(([key, value]) => [key, plain(value)]), at };
}

/** The fast reader's tree (undefined when it declines) and `yaml`'s (or its error) for one document. */
export function readBoth(text: string, linesBefore = 0): { fast: Plain | null | undefined; yaml: Plain | null | 'error' } {
  const fast = readBlockDocument(text, linesBefore);
  const documents = readWithYaml(text, linesBefore);
  const first = documents[0];
  const yaml = first === undefined ? null : first.problem ? 'error' : first.root && plain(first.root);
  return { fast: fast === undefined || fast === null ? fast : plain(fast), yaml };
}
