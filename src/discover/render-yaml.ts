// The user's own files (kustomizations, resources, values files, templates), read with positions so a
// rendered image can be pointed back at the exact scalar a person would edit.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseAllDocuments, type Document, type Scalar } from 'yaml';
import type { SourceRange } from '../model.js';

export interface SourceFile {
  /** Root-relative, forward slashes. */
  file: string;
  text: string;
  lines: LineCounter;
  documents: Document.Parsed[];
}

/** Source files bigger than this are not read for mapping (the rendered file line is used instead). */
const MAX_SOURCE_BYTES = 8 * 1024 * 1024;

/** Reads and parses each file once per run: a base shared by many overlays is read once. */
export class SourceFiles {
  private readonly cache = new Map<string, Promise<SourceFile | null>>();

  constructor(readonly root: string) {}

  /** Null when the file is outside the root, missing, not a regular file, or too big. */
  get(file: string): Promise<SourceFile | null> {
    let entry = this.cache.get(file);
    if (!entry) {
      entry = this.load(file);
      this.cache.set(file, entry);
    }
    return entry;
  }

  private async load(file: string): Promise<SourceFile | null> {
    if (!insideRoot(file)) return null;
    try {
      const absolute = path.join(this.root, file);
      const info = await stat(absolute);
      if (!info.isFile() || info.size > MAX_SOURCE_BYTES) return null;
      const text = await readFile(absolute, 'utf8');
      const lines = new LineCounter();
      const documents = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false });
      return { file, text, lines, documents: Array.isArray(documents) ? documents : [] };
    } catch {
      return null;
    }
  }
}

/** `dir` joined with a relative `entry`, normalised, forward slashes; '' is the root itself. */
export function joinRelative(dir: string, entry: string): string {
  const joined = path.posix.normalize(path.posix.join(dir === '' ? '.' : dir, entry.replaceAll('\\', '/')));
  return joined === '.' ? '' : joined.replace(/\/$/, '');
}

/** Whether a root-relative path stays inside the root. */
export function insideRoot(file: string): boolean {
  return file !== '..' && !file.startsWith('../') && !path.isAbsolute(file);
}

/** The exact text of a scalar, quotes excluded (block scalars: from their indicator to their end). */
export function scalarRange(source: SourceFile, node: Scalar): SourceRange | null {
  if (!node.range) return null;
  let [start, end] = node.range;
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') {
    start += 1;
    end -= 1;
  }
  return offsetRange(source, start, end);
}

/** The text a scalar was written as (`1.10`, not the number 1.1), quotes excluded. */
export function scalarText(source: SourceFile, node: Scalar): string {
  const range = node.range;
  if (!range) return String(node.value ?? '');
  if (node.type === 'PLAIN') return source.text.slice(range[0], range[1]);
  return node.value === null || node.value === undefined ? '' : String(node.value);
}

export function offsetRange(source: SourceFile, start: number, end: number): SourceRange {
  const from = source.lines.linePos(start);
  const to = source.lines.linePos(end);
  return { file: source.file, line: from.line, column: from.col, endLine: to.line, endColumn: to.col };
}

/** A whole line without its indentation and trailing blanks (the fallback when no scalar can be named). */
export function lineRange(source: SourceFile, line: number): SourceRange {
  const text = source.text.split('\n')[line - 1] ?? '';
  const content = text.replace(/\s+$/, '');
  const column = content.length - content.trimStart().length + 1;
  return { file: source.file, line, column, endLine: line, endColumn: Math.max(column, content.length + 1) };
}

/** The start of a file, for a location when nothing inside it can be named. */
export function fileStart(file: string): SourceRange {
  return { file, line: 1, column: 1, endLine: 1, endColumn: 1 };
}
