// Part 2 of `npm run bench`: extraction. A generated corpus of realistic manifests (bench-corpus.mjs) read
// by the pullcheck CLI with --offline (end to end: walk, read, extract, judge, report), by extractManifests
// alone, by js-yaml loadAll (values only, no positions) and by yaml parseAllDocuments (full tree), each in a
// child process of its own so its peak RSS is its own. Also the same CLI on half the corpus, to show that
// the cost is linear in repository size.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, bundleScript, median, repeat, say, scratch, timed } from './bench-lib.mjs';
import { writeCorpus } from './bench-corpus.mjs';
import { profileCli, readableCli } from './bench-profile.mjs';

const READERS = ['pullcheck', 'js-yaml', 'yaml'];

export async function benchExtraction({ megabytes, runs, profileDir }) {
  const work = scratch('extraction');
  const child = await bundleScript('bench-extract-child.mjs', work);
  const cli = path.join(ROOT, 'dist', 'cli.js');
  const corpus = path.join(work, 'corpus');
  const half = path.join(work, 'half');
  const written = writeCorpus(corpus, megabytes);
  const halfWritten = writeCorpus(half, megabytes / 2);
  const files = readdirSync(corpus, { recursive: true }).map((f) => path.join(corpus, f)).filter((f) => statSync(f).isFile());
  const list = path.join(work, 'files.json');
  writeFileSync(list, JSON.stringify(files));
  say(`extraction corpus: ${(written.bytes / 1048576).toFixed(1)} MB, ${written.files} files, ${written.documents} documents; ${runs} rounds`);

  const report = path.join(work, 'report.json');
  const offlineArgs = ['--offline', '--format', 'json', '-o', report, '--kustomize', 'off', '--helm', 'off', '.'];
  const offline = (folder) => timed(process.execPath, [cli, ...offlineArgs], { cwd: folder, allowCodes: [0, 1] });
  const rounds = await repeat(runs, async (round) => {
    const r = { cli: await offline(corpus) };
    r.summary = JSON.parse(readFileSync(report, 'utf8')).summary;
    r.half = await offline(half);
    for (const reader of READERS) {
      const run = await timed(process.execPath, [child, reader, list]);
      r[reader] = { ...JSON.parse(run.stdout), rssMb: run.rssMb ?? JSON.parse(run.stdout).rssMb };
    }
    say(`round ${round + 1}/${runs}: CLI ${Math.round(r.cli.ms)} ms, extractManifests ${Math.round(r.pullcheck.ms)} ms, js-yaml ${Math.round(r['js-yaml'].ms)} ms, yaml ${Math.round(r.yaml.ms)} ms`);
    return r;
  });

  if (profileDir) await profileCli(profileDir, 'extraction', await readableCli(work), offlineArgs, corpus);

  const m = (pick) => median(rounds.map(pick));
  const mb = written.bytes / 1048576;
  const summary = rounds[0].summary;
  if (summary.documents !== written.documents) throw new Error(`pullcheck read ${summary.documents} documents of ${written.documents}`);
  return {
    megabytes: mb,
    files: written.files,
    documents: written.documents,
    images: summary.occurrences,
    cli: { ms: m((r) => r.cli.ms), rssMb: m((r) => r.cli.rssMb) },
    halfCli: { ms: m((r) => r.half.ms), megabytes: halfWritten.bytes / 1048576 },
    readers: Object.fromEntries(READERS.map((reader) => [reader, { ms: m((r) => r[reader].ms), rssMb: m((r) => r[reader].rssMb) }])),
  };
}
