// The text a range points at, read back from the workspace, for fixes that must fit the exact scalar a
// rendered image was traced to, and the lines around it (`# pullcheck-ignore:` comments). Files are read
// once; ranges are 1-based, columns in UTF-16 code units (what the extract stage and the yaml library count).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SourceRange } from '../model.js';

/** The scalar at a range: its value, and the quote character it is written with ('' when plain). */
export interface ScalarText { value: string; quote: '"' | "'" | '' }
export type RangeReader = (range: SourceRange) => Promise<ScalarText | null>;

/** The lines of a file under the root (null when unreadable); each file is read once per reader. */
export type LinesReader = (file: string) => Promise<string[] | null>;

/** `known`: texts already read (relative path → text), so they are not read again. */
export function linesReader(root: string, known: Iterable<{ file: string; text: string }> = []): LinesReader {
  const files = new Map<string, Promise<string[] | null>>();
  const seeded = new Map([...known].map(({ file, text }) => [file, text]));
  return (file) => {
    const text = seeded.get(file);
    if (text !== undefined) {
      seeded.delete(file);
      files.set(file, Promise.resolve(splitLines(text)));
    }
    let lines = files.get(file);
    if (!lines) {
      lines = readFile(path.join(root, file), 'utf8').then(splitLines, () => null);
      files.set(file, lines);
    }
    return lines;
  };
}

export function rangeReader(root: string, linesOf: LinesReader = linesReader(root)): RangeReader {
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

function splitLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r?\n/);
}
