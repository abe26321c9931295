import { readFileSync } from 'node:fs';
import path from 'node:path';
import { extractManifests, type ExtractResult } from '../../src/extract/index.js';

export const FIXTURES = path.resolve(__dirname, '../fixtures/extract');

/** Extracts test/fixtures/extract/<name> as a plain manifest. */
export function extractFixture(name: string): ExtractResult {
  const text = readFileSync(path.join(FIXTURES, name), 'utf8');
  return extractManifests(text, `fixtures/${name}`, 'manifest');
}

/** One line per image: where it is, which container, what it says. */
export function summary(result: ExtractResult): string[] {
  return result.occurrences.map((o) => `${o.workload} ${o.path} ${o.container ?? '-'} ${o.written}`);
}
