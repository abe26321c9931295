// Turns a file's text into its documents' trees: the fast block reader where it can, `yaml` elsewhere
// (and for every broken document, so each error is reported where `yaml` finds it).
import { readBlockDocument } from './block-reader.js';
import { splitDocuments } from './split.js';
import type { TreeNode } from './tree.js';
import { TOO_DEEP, readWithYaml, type ReadDocument } from './yaml-reader.js';

export function readDocuments(text: string): ReadDocument[] {
  const json = readJsonWithoutObjects(text);
  if (json) return [json];
  const documents: ReadDocument[] = [];
  for (const chunk of splitDocuments(text)) {
    try {
      const root = chunk.wholeStream ? undefined : readBlockDocument(chunk.text, chunk.linesBefore);
      if (root === undefined) documents.push(...readWithYaml(chunk.text, chunk.linesBefore));
      else documents.push({ root, problem: null });
    } catch (thrown) {
      const line = chunk.linesBefore + 1;
      const message =
        thrown instanceof RangeError
          ? TOO_DEEP
          : `The document could not be read: ${thrown instanceof Error ? thrown.message : String(thrown)}`;
      documents.push({ root: null, problem: { message, pos: { line, column: 1, endLine: line, endColumn: 1 } } });
    }
  }
  return documents;
}

/**
 * JSON files that are not Kubernetes objects (package-lock.json, tsconfig.json …) are common under the
 * default globs and can be megabytes; JSON.parse tells quickly that they hold no object, without `yaml`.
 * Anything else (a Kubernetes object, or text JSON.parse refuses) goes the normal way.
 */
function readJsonWithoutObjects(text: string): ReadDocument | null {
  const start = text.search(/\S/);
  if (start === -1 || (text[start] !== '{' && text[start] !== '[')) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value === 'object' && value !== null && 'apiVersion' in value && 'kind' in value) return null;
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < start; at = text.indexOf('\n', at + 1)) line++;
  const column = start - text.lastIndexOf('\n', start - 1);
  const pos = { line, column, endLine: line, endColumn: column };
  // The document's content is never looked at: an empty mapping stands for it.
  const root: TreeNode = { kind: 'map', entries: new Map(), pos };
  return { root, problem: null };
}
