// Helpers for the render tests: fixture roots and exact source ranges.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { ImageOccurrence, SourceRange } from '../../src/model.js';
import type { RenderOptions, RenderResult } from '../../src/discover/render.js';

export const FIXTURES = path.resolve(__dirname, '../fixtures/render');

export function options(root: string, overrides: Partial<RenderOptions> = {}): RenderOptions {
  return { root, kustomize: 'auto', helm: 'auto', charts: {}, rendered: [], timeoutMs: 20_000, ...overrides };
}

/** The range of `text` on `line` of a fixture file (the first place it appears on that line). */
export function rangeOf(root: string, file: string, line: number, text: string): SourceRange {
  const content = readFileSync(path.join(root, file), 'utf8').split('\n')[line - 1] ?? '';
  const index = content.indexOf(text);
  expect(index, `"${text}" on ${file}:${line}`).toBeGreaterThanOrEqual(0);
  return { file, line, column: index + 1, endLine: line, endColumn: index + 1 + text.length };
}

/** The one occurrence of an image from a given render source (its workload tells renders apart). */
export function occurrence(result: RenderResult, written: string, workload?: string): ImageOccurrence {
  const found = result.occurrences.filter((o) => o.written === written && (workload === undefined || o.workload === workload));
  expect(found.map((o) => `${o.written} ${o.workload}`), `occurrences of ${written}`).toHaveLength(1);
  return found[0] as ImageOccurrence;
}
