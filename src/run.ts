// The pipeline, nothing else: discover → extract → resolve → judge → report. The entry points (cli.ts,
// action.ts) build the Options and decide where the report goes.
import { performance } from 'node:perf_hooks';
import type { Finding, ImageOccurrence, ScannedObject } from './model.js';
import type { Options } from './options.js';
import { walk } from './discover/walk.js';
import { readManifest } from './discover/read.js';
import { renderAll } from './discover/render.js';
import { extractManifests } from './extract/index.js';
import { classify, judge, type Subject } from './judge/index.js';
import { resolveAll } from './registry/index.js';
import { anonymous, chain, type Keychain } from './credentials/keychain.js';
import { configKeychain } from './credentials/config.js';
import { buildReport, type Report } from './report/report.js';
import type { ImageReference } from './reference/index.js';

export interface RunDeps {
  /** Extra credential sources after the config's own (Docker config, GITHUB_TOKEN …). */
  keychain?: Keychain;
}

export async function run(options: Options, deps: RunDeps = {}): Promise<Report> {
  const started = performance.now();
  const found = await walk({ root: options.root, paths: options.paths, include: options.include, exclude: options.exclude });

  const rendered = await renderAll(
    { charts: found.charts, kustomizations: found.kustomizations },
    {
      root: options.root,
      kustomize: options.kustomize,
      helm: options.helm,
      charts: options.charts,
      rendered: options.rendered,
      timeoutMs: options.timeoutMs,
    },
  );

  const findings: Finding[] = [...found.skipped, ...rendered.findings];
  const occurrences: ImageOccurrence[] = [...rendered.occurrences];
  const objects: ScannedObject[] = [...rendered.objects];
  const covered = new Set(rendered.coveredFiles);
  let documents = 0;
  let files = 0;
  for (const file of found.manifests) {
    if (covered.has(file)) continue;
    files++;
    const read = await readManifest(options.root, file, options.maxFileSize);
    if (!read.ok) {
      findings.push(read.finding);
      continue;
    }
    const extracted = extractManifests(read.text, file, 'manifest');
    documents += extracted.documents;
    objects.push(...extracted.objects);
    occurrences.push(...extracted.occurrences);
    findings.push(...extracted.findings);
  }

  const subjects = occurrences.map(classify);
  const references = subjects.filter((s): s is Extract<Subject, { kind: 'reference' }> => s.kind === 'reference');
  const unique = new Map<string, ImageReference>(references.map((s) => [s.ref.canonical, s.ref]));

  const resolutions = options.offline
    ? null
    : await resolveAll([...unique.values()], {
      registries: Object.fromEntries(Object.entries(options.registries).map(([host, s]) => [host, { insecure: s.insecure, ca: s.ca ?? undefined }])),
      keychain: chain(configKeychain(options.registries), deps.keychain ?? anonymous),
      platforms: options.platforms,
      timeoutMs: options.timeoutMs,
    });

  const judged = judge(subjects, { resolutions, platforms: options.platforms, severities: options.severities });

  return buildReport({
    files: files + found.charts.length + found.kustomizations.length,
    documents,
    objects,
    references: references.map((s) => ({ occurrence: s.occurrence, ref: s.ref })),
    occurrences: occurrences.length,
    resolutions,
    findings: [...applySeverityOverrides(findings, options), ...judged],
    renders: rendered.renders,
    offline: options.offline,
    durationMs: performance.now() - started,
  });
}

/** The judge applies the user's severity overrides to its findings; this does it for the other stages'. */
function applySeverityOverrides(findings: Finding[], options: Options): Finding[] {
  return findings.flatMap((f) => {
    const override = options.severities[f.rule];
    if (override === undefined) return [f];
    return override === 'off' ? [] : [{ ...f, severity: override }];
  });
}
