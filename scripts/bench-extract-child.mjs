// Child process of the extraction benchmark: reads every file listed in the JSON file argv[3] into memory,
// then times one reader over all of them (argv[2]): pullcheck's extractManifests (exact positions),
// js-yaml loadAll (plain values, no positions) or yaml parseAllDocuments (a full document tree with
// positions). Each file's result is dropped after it is counted, as a scan would. Prints one JSON line.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadAll } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { extractManifests } from '../src/extract/index.ts';

const READERS = {
  pullcheck: (text, file) => {
    const r = extractManifests(text, file, 'manifest');
    return { documents: r.documents, images: r.occurrences.length, problems: r.findings.length };
  },
  'js-yaml': (text) => ({ documents: loadAll(text).length, images: 0, problems: 0 }),
  yaml: (text) => {
    const documents = parseAllDocuments(text);
    const list = Array.isArray(documents) ? documents : [documents];
    return { documents: list.length, images: 0, problems: list.reduce((n, d) => n + d.errors.length, 0) };
  },
};

function main() {
  const reader = READERS[process.argv[2]];
  if (!reader) throw new Error(`reader must be one of ${Object.keys(READERS).join(', ')}`);
  const files = JSON.parse(readFileSync(process.argv[3], 'utf8'));
  const texts = files.map((file) => [file, readFileSync(file, 'utf8')]);
  const bytes = texts.reduce((n, [, text]) => n + Buffer.byteLength(text), 0);
  const totals = { documents: 0, images: 0, problems: 0 };
  const started = performance.now();
  for (const [file, text] of texts) {
    const counted = reader(text, file);
    for (const key of Object.keys(totals)) totals[key] += counted[key];
  }
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ ms, bytes, ...totals, rssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main();
