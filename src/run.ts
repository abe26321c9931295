// The pipeline, nothing else: discover → extract → resolve → judge → report. The entry points (cli.ts,
// action.ts) build the Options and decide where the report goes.
import { performance } from 'node:perf_hooks';
import type { Finding, ImageOccurrence, Resolution, ScannedObject } from './model.js';
import type { Options } from './options.js';
import { walk } from './discover/walk.js';
import { readManifestsInOrder } from './discover/read-ahead.js';
import { renderAll } from './discover/render.js';
import { linesReader, rangeReader, type RangeReader } from './discover/source-text.js';
import { extractManifests } from './extract/index.js';
import { classify, judge, type Subject } from './judge/index.js';
import { projectFix } from './judge/fix-projection.js';
import { resolveAll, type ResolveOptions } from './registry/index.js';
import {
  anonymous, chain, configKeychain, problemFindings, pullSecretKeychain, readClusterObjects, refusedAnonymously, unverifiedWithoutCredentials,
  type ClusterObjects, type CredentialProblem, type Keychain, type ManifestSource,
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
  const finish = stageTimer(progress, started);

  const scanned = await scan(options, progress, finish);
  const subjects = scanned.occurrences.map(classify);
  const references = subjects.filter((s): s is ReferenceSubject => s.kind === 'reference');
  const unique = new Map<string, ImageReference>(references.map((s) => [s.ref.canonical, s.ref]));
  // ServiceAccounts and pull Secrets of the manifests and renders: for the pull-secret checks, and as credentials on request.
  const cluster = readClusterObjects([...scanned.manifestTexts, ...scanned.renderedTexts], scanned.objects);
  finish('extract', `scanned ${plural(scanned.files, 'file')} (${plural(scanned.documents, 'document')}): ${plural(scanned.occurrences.length, 'image')}, ${count(unique.size)} unique`);

  const resolved = await resolve([...unique.values()], cluster, options, deps, finish);
  const findings = await judgeEverything(scanned, references, subjects, cluster, resolved, options);
  finish('judge', `checked the rules: ${plural(findings.reported.length, 'finding')}`);

  return buildReport({
    files: scanned.files,
    documents: scanned.documents,
    objects: scanned.objects,
    references: references.map((s) => ({ occurrence: s.occurrence, ref: s.ref })),
    occurrences: scanned.occurrences.length,
    resolutions: resolved.resolutions,
    findings: findings.reported,
    renders: scanned.renders,
    offline: options.offline,
    durationMs: performance.now() - started,
    quota: findings.quota,
    suppressed: findings.suppressed,
  });
}

type ReferenceSubject = Extract<Subject, { kind: 'reference' }>;
type FinishStage = (stage: Stage, summary: string | null) => void;

/** Each stage's one-line summary with the time since the previous stage ended. */
function stageTimer(progress: Progress, started: number): FinishStage {
  let stageStarted = started;
  return (stage, summary) => {
    const now = performance.now();
    if (summary !== null) progress.finish(stage, summary, now - stageStarted);
    stageStarted = now;
  };
}

interface Scanned {
  /** Manifest files read, plus chart folders and kustomizations found. */
  files: number;
  documents: number;
  objects: ScannedObject[];
  occurrences: ImageOccurrence[];
  /** Findings of discovery, rendering and extraction (the judge adds its own). */
  findings: Finding[];
  manifestTexts: ManifestSource[];
  /** The output of each render: read for ServiceAccounts and Secrets only (its lines are not the user's). */
  renderedTexts: ManifestSource[];
  renders: Report['renders'];
}

/** discover → render → extract: every image occurrence, with where it is. */
async function scan(options: Options, progress: Progress, finish: FinishStage): Promise<Scanned> {
  const found = await walk({ root: options.root, paths: options.paths, include: options.include, exclude: options.exclude });
  finish('discover', `found ${plural(found.manifests.length, 'file')}, ${plural(found.charts.length, 'chart')}, ${plural(found.kustomizations.length, 'kustomization')}`);

  const rendered = await renderAll(
    { charts: found.charts, kustomizations: found.kustomizations },
    { root: options.root, kustomize: options.kustomize, helm: options.helm, charts: options.charts, rendered: options.rendered, timeoutMs: options.timeoutMs },
  );
  finish('render', rendered.renders.length > 0 ? `rendered ${plural(rendered.renders.length, 'chart or kustomization', 'charts and kustomizations')}` : null);

  const scanned: Scanned = {
    files: found.charts.length + found.kustomizations.length,
    documents: 0,
    objects: [...rendered.objects],
    occurrences: [...rendered.occurrences],
    findings: [...found.skipped, ...rendered.findings],
    manifestTexts: [],
    renderedTexts: rendered.texts.map((t) => ({ ...t, rendered: true })),
    renders: rendered.renders,
  };
  // Files a rendered kustomization includes are checked through the render, not as written.
  const covered = new Set(rendered.coveredFiles);
  const toRead = found.manifests.filter((file) => !covered.has(file));
  let read = 0;
  for await (const { file, read: result } of readManifestsInOrder(options.root, toRead, options.maxFileSize)) {
    progress.advance('extract', ++read, toRead.length);
    scanned.files++;
    if (!result.ok) {
      scanned.findings.push(result.finding);
      continue;
    }
    scanned.manifestTexts.push({ file, text: result.text });
    const extracted = extractManifests(result.text, file, 'manifest');
    scanned.documents += extracted.documents;
    scanned.objects.push(...extracted.objects);
    scanned.occurrences.push(...extracted.occurrences);
    scanned.findings.push(...extracted.findings);
  }
  return scanned;
}

interface Resolved {
  /** Null when offline. */
  resolutions: Map<string, Resolution> | null;
  credentialProblems: CredentialProblem[];
  registries: ResolveOptions['registries'];
  /** performance.now() by which every registry question of this run must be answered. */
  deadline: number;
}

/** Every unique reference asked of its registry once, within the run's --timeout. */
async function resolve(refs: ImageReference[], cluster: ClusterObjects, options: Options, deps: RunDeps, finish: FinishStage): Promise<Resolved> {
  const progress = deps.progress ?? silentProgress;
  const deadline = performance.now() + options.timeoutMs;
  const keychain = chain(configKeychain(options.registries), options.usePullSecrets ? pullSecretKeychain(cluster) : anonymous, deps.keychain ?? anonymous);
  const registries = Object.fromEntries(Object.entries(options.registries).map(([host, s]) => [host, { insecure: s.insecure, ca: s.ca ?? undefined, endpoint: s.endpoint, mirrors: s.mirrors, allowLinkLocal: s.allowLinkLocal }]));
  if (options.offline) return { resolutions: null, credentialProblems: [], registries, deadline };

  // A registry the policy does not allow is never contacted (the judge reports it as disallowed-registry).
  const allowed = refs.filter((ref) => registryAllowed(ref, options.policy.allowedRegistries));
  const cache = options.cacheDir ? await openCache(options.cacheDir, progress) : null;
  const answers = await resolveAll(allowed, {
    registries, keychain, platforms: options.platforms, timeoutMs: options.timeoutMs, cache: cache ?? undefined,
    onResolved: (done, total) => progress.advance('resolve', done, total),
  });
  const hosts = new Set(allowed.map((ref) => ref.registry)).size;
  finish('resolve', `resolved ${plural(answers.size, 'image')} at ${plural(hosts, 'registry', 'registries')}${cache?.hits ? ` (${count(cache.hits)} from the results cache)` : ''}`);
  const cacheProblem = await cache?.save();
  if (cacheProblem) progress.note(cacheProblem);
  const credentialProblems = keychain.problems?.() ?? [];
  const resolutions = unverifiedWithoutCredentials(answers, { noSecrets: options.noSecrets, problems: credentialProblems });
  return { resolutions, credentialProblems, registries, deadline };
}

/** Every rule over every occurrence, fixes fitted to their lines, suppressions applied. */
async function judgeEverything(scanned: Scanned, references: ReferenceSubject[], subjects: Subject[], cluster: ClusterObjects, resolved: Resolved, options: Options) {
  const { resolutions } = resolved;
  // One reader of the workspace's lines for fixes and suppression comments; manifests already read are not read again.
  const lines = linesReader(options.root, scanned.manifestTexts);
  const judged = await fitFixesToSource(
    judge(subjects, { resolutions, platforms: options.platforms, severities: options.severities, policy: options.policy }),
    rangeReader(options.root, lines),
  );
  const inPods = references.filter((s) => s.occurrence.pod !== null);
  const pullSecretRulesOn = ['missing-pull-secret', 'pull-secret-mismatch'].some((id) => options.severities[id] !== 'off');
  // The anonymous re-check shares the run's deadline: --timeout bounds all registry questions together.
  const needCredentials = resolutions && pullSecretRulesOn
    ? await refusedAnonymously(inPods.map((s) => s.ref), resolutions, { registries: resolved.registries, timeoutMs: Math.max(1, resolved.deadline - performance.now()) })
    : new Set<string>();
  judged.push(...judgePullSecrets(inPods, { needCredentials, cluster, severities: options.severities }));
  const quotas = resolutions && judgeQuotas(inPods, { resolutions, platforms: options.platforms, nodes: options.nodes, cluster, severities: options.severities });
  judged.push(...(quotas?.findings ?? []));
  const stageFindings = [...scanned.findings, ...problemFindings(resolved.credentialProblems)];
  const { findings: reported, suppressed } = await applySuppressions([...applySeverityOverrides(stageFindings, options), ...judged], {
    entries: options.ignore, ranges: scanned.occurrences.map((o) => o.range), lines, severities: options.severities,
  });
  return { reported, suppressed, quota: quotas?.quota ?? null };
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
async function fitFixesToSource(findings: Finding[], textAt: RangeReader): Promise<Finding[]> {
  return Promise.all(findings.map(async (f) => {
    if (!f.fix || !f.range || f.image === null) return f;
    const scalar = await textAt(f.range);
    const replacement = scalar === null ? null : projectFix(scalar.value, f.image, f.fix.replacement);
    return { ...f, fix: replacement === null ? null : { replacement: `${scalar!.quote}${replacement}${scalar!.quote}` } };
  }));
}
