// `npm run bench [-- options]`: how fast pullcheck answers "will these images pull?", measured against its
// peers on this machine, loopback only. Prints one table (stdout); progress goes to stderr. Every figure
// is the median of --runs rounds; within a round the contenders run one after another, so their ratios
// are measured side by side. Method and the latest figures: docs/benchmarks.md.
//
//   --images N        unique images to resolve (default 1000)       --repos R     repositories (default 100)
//   --duplicates D    occurrences per image in the manifests (3)    --delay MS    added each way (25)
//   --skopeo-sample S images asked by sequential skopeo (50)        --xargs-sample S  by xargs -P16 (200)
//   --mb M            extraction corpus size in MB (20)              --runs K      rounds (3)
//   --only PARTS      resolution,extraction,startup (default all)   --no-skopeo   skip the skopeo peers
//   --no-build        use dist/ as it is (default: npm run build first)
//   --json FILE       also write the raw figures as JSON
//   --profile DIR     then run the CLI once more per part under node --cpu-prof; profiles and summaries in DIR
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, cleanUpScratch, formatMb, formatMs, formatRatio, renderTable, say, verdict } from './bench-lib.mjs';
import { ensureSkopeo } from './bench-skopeo.mjs';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '1000' },
    repos: { type: 'string', default: '100' },
    duplicates: { type: 'string', default: '3' },
    delay: { type: 'string', default: '25' },
    'skopeo-sample': { type: 'string', default: '50' },
    'xargs-sample': { type: 'string', default: '200' },
    mb: { type: 'string', default: '20' },
    runs: { type: 'string', default: '3' },
    only: { type: 'string', default: 'resolution,extraction,startup' },
    'no-skopeo': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    json: { type: 'string' },
    profile: { type: 'string' },
  },
});

const number = (name, { min = 1, integer = true } = {}) => {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    say(`--${name} must be a ${integer ? 'whole ' : ''}number ≥ ${min} (got '${values[name]}')`);
    process.exit(2);
  }
  return n;
};
const settings = {
  images: number('images'),
  repos: number('repos'),
  duplicates: number('duplicates'),
  delayMs: number('delay', { min: 0 }),
  skopeoSample: number('skopeo-sample'),
  xargsSample: number('xargs-sample'),
  megabytes: number('mb', { min: 0.1, integer: false }),
  runs: number('runs'),
  profileDir: values.profile ? path.resolve(values.profile) : null,
};
const parts = new Set(values.only.split(',').map((p) => p.trim()));
for (const part of parts) {
  if (!['resolution', 'extraction', 'startup'].includes(part)) {
    say(`--only takes resolution, extraction and/or startup (got '${part}')`);
    process.exit(2);
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanUpScratch();
    process.exit(130);
  });
}

try {
  if (!values['no-build']) {
    say('building dist/ (npm run build)');
    const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('the build failed');
  }
  const results = { settings, node: process.version };
  if (parts.has('resolution')) {
    const skopeo = !values['no-skopeo'] && ensureSkopeo();
    const { benchResolution } = await import('./bench-resolution.mjs');
    results.resolution = await benchResolution({ ...settings, skopeo });
  }
  if (parts.has('extraction')) {
    const { benchExtraction } = await import('./bench-extraction.mjs');
    results.extraction = await benchExtraction(settings);
  }
  if (parts.has('startup')) {
    const { benchStartup } = await import('./bench-startup.mjs');
    results.startup = await benchStartup({ runs: Math.max(settings.runs, 5) });
  }
  process.stdout.write(`${table(results)}\n`);
  if (values.json) writeFileSync(path.resolve(values.json), `${JSON.stringify(results, null, 2)}\n`);
} catch (error) {
  say(`failed: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  cleanUpScratch();
}

function table(results) {
  const rows = [];
  const { resolution: res, extraction: ext, startup } = results;
  if (res) {
    rows.push(`Resolution: ${res.images} unique images in ${res.repos} repositories, ${res.occurrences} occurrences in ${res.files} files; ${2 * res.delayMs} ms RTT; median of ${res.runs}`);
    const idealRatio = res.cli.ms / res.ideal;
    rows.push(['pullcheck CLI, end to end', formatMs(res.cli.ms), `RTT-bound ideal ${formatMs(res.ideal)}`, formatRatio(idealRatio), verdict(idealRatio <= 2, '≤ 2× ideal')]);
    rows.push(['resolveAll alone', formatMs(res.direct.ms), `RTT-bound ideal ${formatMs(res.ideal)}`, formatRatio(res.direct.ms / res.ideal), verdict(null, `ideal = (ping + token + ⌈N/${res.concurrency}⌉) RTT`)]);
    if (res.skopeo) {
      const seq = res.skopeo.seqMs / res.cli.ms;
      const par = res.skopeo.parMs / res.cli.ms;
      rows.push(['  vs skopeo inspect, sequential', formatMs(res.cli.ms), `${formatMs(res.skopeo.seqMs)} (${res.skopeo.seqSample} run, extrapolated)`, formatRatio(seq), verdict(seq >= 50, '≥ 50× faster')]);
      rows.push(['  vs skopeo inspect, xargs -P16', formatMs(res.cli.ms), `${formatMs(res.skopeo.parMs)} (${res.skopeo.parSample} run, extrapolated)`, formatRatio(par), verdict(par >= 5, '≥ 5× faster')]);
    }
    const q = res.cli.requests;
    rows.push(['registry requests per unique image', q.perImage.toFixed(2), res.skopeo ? `skopeo ${res.skopeo.perImageRequests.toFixed(1)} + ${res.skopeo.perImageTokens.toFixed(1)} token` : '', `${q.manifests} manifest, ${q.blobs} blob, ${q.pings} ping`, verdict(q.perImage <= 1.1, '≤ 1.1')]);
    rows.push(['token requests', String(q.tokens), `${res.repos} repository scopes`, '', verdict(q.tokens <= res.repos, '≤ 1 per scope')]);
    rows.push(['peak RSS, CLI / resolveAll', `${formatMb(res.cli.rssMb)} / ${formatMb(res.direct.rssMb)}`, '', '', '']);
    if (res.registryCpuS !== null) {
      const perRequest = (1000 * res.registryCpuS) / res.registryRequests;
      rows.push(['registry CPU during the CLI run', `${res.registryCpuS.toFixed(2)} s`, `${perRequest.toFixed(1)} ms per request, same ${res.cpus} cores`, '', verdict(null, 'the real registry is remote')]);
    }
    rows.push(['scaling: each image once vs ×' + res.duplicates, formatMs(res.scaling.onceMs), `×${res.duplicates}: ${formatMs(res.cli.ms)}`, formatRatio(res.cli.ms / res.scaling.onceMs), verdict(null, 'occurrences cost ~nothing')]);
    rows.push([`scaling: resolveAll N/2 vs N`, formatMs(res.scaling.halfMs), `N: ${formatMs(res.direct.ms)}`, formatRatio(res.direct.ms / res.scaling.halfMs), verdict(null, 'linear: ≈ 2×')]);
  }
  if (ext) {
    rows.push(`Extraction: ${ext.megabytes.toFixed(1)} MB, ${ext.files} files, ${ext.documents} documents, ${ext.images} images; median of ${results.settings.runs}`);
    const rate = (ms) => `${(ext.megabytes / (ms / 1000)).toFixed(1)} MB/s`;
    const jsYaml = ext.readers['js-yaml'];
    rows.push(['pullcheck --offline, CLI end to end', `${formatMs(ext.cli.ms)} · ${rate(ext.cli.ms)}`, '', '', verdict(ext.megabytes / (ext.cli.ms / 1000) >= 10, '≥ 10 MB/s')]);
    rows.push(['extractManifests (exact positions)', `${formatMs(ext.readers.pullcheck.ms)} · ${rate(ext.readers.pullcheck.ms)}`, `js-yaml loadAll ${formatMs(jsYaml.ms)} · ${rate(jsYaml.ms)}`, formatRatio(ext.readers.pullcheck.ms / jsYaml.ms), verdict(ext.readers.pullcheck.ms <= 2 * jsYaml.ms, '≤ 2× js-yaml time')]);
    rows.push(['  yaml parseAllDocuments', '', `${formatMs(ext.readers.yaml.ms)} · ${rate(ext.readers.yaml.ms)}`, formatRatio(ext.readers.yaml.ms / jsYaml.ms), '']);
    rows.push(['peak RSS, CLI / extractManifests', `${formatMb(ext.cli.rssMb)} / ${formatMb(ext.readers.pullcheck.rssMb)}`, `js-yaml ${formatMb(jsYaml.rssMb)} · yaml ${formatMb(ext.readers.yaml.rssMb)}`, '', verdict(ext.cli.rssMb === null ? null : ext.cli.rssMb <= 300, '≤ 300 MB')]);
    rows.push([`scaling: CLI on ${ext.halfCli.megabytes.toFixed(1)} MB vs ${ext.megabytes.toFixed(1)} MB`, formatMs(ext.halfCli.ms), `full: ${formatMs(ext.cli.ms)}`, formatRatio(ext.cli.ms / ext.halfCli.ms), verdict(null, 'linear: ≈ 2×')]);
  }
  if (startup) {
    rows.push(`Start-up on an empty folder; median of ${Math.max(results.settings.runs, 5)}`);
    rows.push(['node dist/cli.js', formatMs(startup.cliMs), `node -e 0 ${formatMs(startup.nodeMs)}`, '', verdict(startup.cliMs <= 150, '≤ 150 ms')]);
    rows.push(['node dist/index.js (Action)', formatMs(startup.actionMs), `node -e 0 ${formatMs(startup.nodeMs)}`, '', verdict(startup.actionMs <= 150, '≤ 150 ms')]);
    rows.push(['dist/index.js size', `${(startup.actionBytes / 1048576).toFixed(2)} MB`, `dist/cli.js ${(startup.cliBytes / 1048576).toFixed(2)} MB`, '', verdict(startup.actionBytes <= 1.5 * 1048576, '≤ 1.5 MB')]);
  }
  return renderTable(['measure', 'pullcheck', 'peer / reference', 'ratio', 'target'], rows);
}
