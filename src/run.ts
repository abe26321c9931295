// The pipeline, nothing else: discover → extract → resolve → judge → report. The entry points (cli.ts,
// action.ts) build the Options and decide where the report goes.
import { performance } from 'node:perf_hooks';
import type { Finding, ImageOccurrence, ScannedObject } from './model.js';
import type { Options } from './options.js';
import { walk } from './discover/walk.js';
import { readManifestsInOrder } from './discover/read-ahead.js';
import { renderAll } from './discover/render.js';
import { linesReader, rangeReader } from './discover/source-text.js';
import { extractManifests } from './extract/index.js';
import { classify, judge, type Subject } from './judge/index.js';
import { projectFix } from './judge/fix-projection.js';
import { resolveAll } from './registry/index.js';
import {
  anonymous, chain, configKeychain, problemFindings, pullSecretKeychain, readClusterObjects, refusedAnonymously, unverifiedWithoutCredentials,
  type Keychain, type ManifestSource,
} from './credentials/index.js';
import { judgePullSecrets } from './judge/pull-secrets.js';
import { registryAllowed } from './judge/policy.js';
import { judgeQuotas } from './judge/quota.js';
import { applySuppressions } from './judge/ignore.js';
import { buildReport, type Report } from './report/report.js';
import { count, plural, silentProgress, type Progress, type Stage } from './report/progress.js';
import { ResultsCache } from './cache/results.js';
import type { ImageReference } from './reference/index.js';

export interface RunDeps {
  /** Extra credential sources after the config's own (Docker config, GITHUB_TOKEN …). */
  keychain?: Keychain;
  /** Where each stage's progress and one-line summary go (the CLI: stderr; the Action: its log). */
  progress?: Progress;
}

export async function run(options: Options, deps: RunDeps = {}): Promise<Report> {
  const started = performance.now();
  const progress = deps.progress ?? silentProgress;
  let stageStarted = started;
  const finish = (stage: Stage, summary: string | null): void => {
    const now = performance.now();
    if (summary !== null) progress.finish(stage, summary, now - stageStarted);
    stageStarted = now;
  };
  const found = await walk({ root: options.root, paths: options.paths, include: options.include, exclude: options.exclude });
  finish('discover', `found ${plural(found.manifests.length, 'file')}, ${plural(found.charts.length, 'chart')}, ${plural(found.kustomizations.length, 'kustomization')}`);

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
  finish('render', rendered.renders.length > 0 ? `rendered ${plural(rendered.renders.length, 'chart or kustomization', 'charts and kustomizations')}` : null);

  const findings: Finding[] = [...found.skipped, ...rendered.findings];
  const occurrences: ImageOccurrence[] = [...rendered.occurrences];
  const objects: ScannedObject[] = [...rendered.objects];
  const covered = new Set(rendered.coveredFiles);
  const manifestTexts: ManifestSource[] = [];
  let documents = 0;
  let files = 0;
  const toRead = found.manifests.filter((file) => !covered.has(file));
  for await (const { file, read } of readManifestsInOrder(options.root, toRead, options.maxFileSize)) {
    files++;
    progress.advance('extract', files, toRead.length);
    if (!read.ok) {
      findings.push(read.finding);
      continue;
    }
    manifestTexts.push({ file, text: read.text });
    const extracted = extractManifests(read.text, file, 'manifest');
    documents += extracted.documents;
    objects.push(...extracted.objects);
    occurrences.push(...extracted.occurrences);
    findings.push(...extracted.findings);
  }

  const subjects = occurrences.map(classify);
  const references = subjects.filter((s): s is Extract<Subject, { kind: 'reference' }> => s.kind === 'reference');
  const unique = new Map<string, ImageReference>(references.map((s) => [s.ref.canonical, s.ref]));

  // ServiceAccounts and pull Secrets of the manifests: for the pull-secret checks, and as credentials on request.
  const cluster = readClusterObjects(manifestTexts, objects);
  finish('extract', `scanned ${plural(files, 'file')} (${plural(documents, 'document')}): ${plural(occurrences.length, 'image')}, ${count(unique.size)} unique`);
  const keychain = chain(configKeychain(options.registries), options.usePullSecrets ? pullSecretKeychain(cluster) : anonymous, deps.keychain ?? anonymous);
  const registries = Object.fromEntries(Object.entries(options.registries).map(([host, s]) => [host, { insecure: s.insecure, ca: s.ca ?? undefined, endpoint: s.endpoint, mirrors: s.mirrors, allowLinkLocal: s.allowLinkLocal }]));
  // A registry the policy does not allow is never contacted (the judge reports it as disallowed-registry).
  const allowed = [...unique.values()].filter((ref) => registryAllowed(ref, options.policy.allowedRegistries));
  const cache = options.cacheDir && !options.offline ? await openCache(options.cacheDir, progress) : null;
  const resolved = options.offline
    ? null
    : await resolveAll(allowed, {
      registries, keychain, platforms: options.platforms, timeoutMs: options.timeoutMs, cache: cache ?? undefined,
      onResolved: (done, total) => progress.advance('resolve', done, total),
    });
  if (resolved) {
    const hosts = new Set(allowed.map((ref) => ref.registry)).size;
    finish('resolve', `resolved ${plural(resolved.size, 'image')} at ${plural(hosts, 'registry', 'registries')}${cache?.hits ? ` (${count(cache.hits)} from the results cache)` : ''}`);
  }
  const cacheProblem = await cache?.save();
  if (cacheProblem) progress.note(cacheProblem);
  const credentialProblems = keychain.problems?.() ?? [];
  findings.push(...problemFindings(credentialProblems));
  const resolutions = resolved && unverifiedWithoutCredentials(resolved, { noSecrets: options.noSecrets, problems: credentialProblems });

  const judged = await fitFixesToSource(
    judge(subjects, { resolutions, platforms: options.platforms, severities: options.severities, policy: options.policy }),
    options.root,
  );
  const pullSecretRulesOn = ['missing-pull-secret', 'pull-secret-mismatch'].some((id) => options.severities[id] !== 'off');
  const inPods = references.filter((s) => s.occurrence.pod !== null);
  const needCredentials = resolutions && pullSecretRulesOn
    ? await refusedAnonymously(inPods.map((s) => s.ref), resolutions, { registries, timeoutMs: options.timeoutMs })
    : new Set<string>();
  judged.push(...judgePullSecrets(inPods, { needCredentials, cluster, severities: options.severities }));
  const quotas = resolutions && judgeQuotas(inPods, { resolutions, platforms: options.platforms, nodes: options.nodes, cluster, severities: options.severities });
  judged.push(...(quotas?.findings ?? []));
  const { findings: reported, suppressed } = await applySuppressions([...applySeverityOverrides(findings, options), ...judged], {
    entries: options.ignore, ranges: occurrences.map((o) => o.range), lines: linesReader(options.root, manifestTexts), severities: options.severities,
  });

  finish('judge', `checked the rules: ${plural(reported.length, 'finding')}`);

  return buildReport({
    files: files + found.charts.length + found.kustomizations.length,
    documents,
    objects,
    references: references.map((s) => ({ occurrence: s.occurrence, ref: s.ref })),
    occurrences: occurrences.length,
    resolutions,
    findings: reported,
    renders: rendered.renders,
    offline: options.offline,
    durationMs: performance.now() - started,
    quota: quotas?.quota ?? null,
    suppressed,
  });
}

/** The results cache of earlier runs; one that cannot be read is said so and starts empty. */
async function openCache(dir: string, progress: Progress): Promise<ResultsCache> {
  const { cache, problem } = await ResultsCache.open(dir);
  if (problem) progress.note(problem);
  return cache;
}

/** The judge applies the user's severity overrides to its findings; this does it for the other stages'. */
function applySeverityOverrides(findings: Finding[], options: Options): Finding[] {
  return findings.flatMap((f) => {
    const override = options.severities[f.rule];
    if (override === undefined) return [f];
    return override === 'off' ? [] : [{ ...f, severity: override }];
  });
}

/**
 * A rendered image's range holds the scalar to edit (a newTag, a values `tag:`), not always the whole
 * image the judge worded its fix for: fit each fix to the text really there (keeping its quotes), or drop it.
 */
async function fitFixesToSource(findings: Finding[], root: string): Promise<Finding[]> {
  const textAt = rangeReader(root);
  return Promise.all(findings.map(async (f) => {
    if (!f.fix || !f.range || f.image === null) return f;
    const scalar = await textAt(f.range);
    const replacement = scalar === null ? null : projectFix(scalar.value, f.image, f.fix.replacement);
    return { ...f, fix: replacement === null ? null : { replacement: `${scalar!.quote}${replacement}${scalar!.quote}` } };
  }));
}
