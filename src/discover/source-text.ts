// The text a range points at, read back from the workspace, for fixes that must fit the exact scalar a
// rendered image was traced to. Files are read once; ranges are 1-based, columns in UTF-16 code units
// (what the extract stage and the yaml library count).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SourceRange } from '../model.js';

/** The scalar at a range: its value, and the quote character it is written with ('' when plain). */
export interface ScalarText { value: string; quote: '"' | "'" | '' }
export type RangeReader = (range: SourceRange) => Promise<ScalarText | null>;

export function rangeReader(root: string): RangeReader {
  const files = new Map<string, Promise<string[] | null>>();
  const linesOf = (file: string) => {
    let lines = files.get(file);
    if (!lines) {
      lines = readFile(path.join(root, file), 'utf8').then((text) => text.replace(/^\uFEFF/, '').split(/\r?\n/), () => null);
      files.set(file, lines);
    }
    return lines;
  };
  return async (range) => {
    if (range.line !== range.endLine) return null;
    const line = (await linesOf(range.file))?.[range.line - 1];
    if (line === undefined) return null;
    const text = line.slice(range.column - 1, range.endColumn - 1);
    // A quoted scalar's range includes its quotes.
    const quote = text.length >= 2 && (text[0] === '"' || text[0] === "'") && text.endsWith(text[0]) ? text[0] : '';
    return { value: quote ? text.slice(1, -1) : text, quote };
  };
}
