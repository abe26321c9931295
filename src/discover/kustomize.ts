// Renders Kustomize roots and points every rendered image back at the line a person would edit.
//
// How an image is traced back (kustomize's output carries no origin, so this is matching, not bookkeeping):
//  1. Find the object the rendered one came from among the tree's resource files: same kind, same
//     container name, same field (containers / initContainers …); the name must equal the original or
//     contain it (namePrefix / nameSuffix). The closest name wins; on a tie, the first file in tree order.
//  2. Replay the `images:` entries of the kustomizations the resource passes through, innermost first
//     (components before their includer's own entries), with kustomize's own matching and splitting rules.
//     If the replay yields exactly the rendered image, the occurrence points at the outermost entry that
//     changed it — its `digest`, else `newTag`, else `newName` line, the field that pins what is pulled —
//     or, when no entry touched it, at the image in the resource file.
//  3. When the replay does not yield the rendered image (a patch, a replacement or a remote base changed it),
//     or no source object is found (generated objects, remote bases): the outermost `images:` entry whose
//     values the rendered image carries; else the first scalar in the tree's local files spelled exactly
//     like the rendered image (a patch); else the original image line from step 1; else the root
//     kustomization file.
// Limits: objects renamed by patches, or a base included twice in one tree under different prefixes, may
// map to the wrong copy; images changed by `replacements` point at the source of the original image.
import path from 'node:path';
import type { Finding, ImageOccurrence, ScannedObject, SourceRange } from '../model.js';
import { extractManifests } from '../extract/index.js';
import { runTool } from './render-process.js';
import { emptyPart, finding, mergeParts, type RenderContext, type RenderPart } from './render-findings.js';
import { fileStart, lineRange, offsetRange } from './render-yaml.js';
import { KustomizeTree, type ImageField, type ImagesEntry, type Kustomization } from './kustomize-tree.js';
import { boundedMap } from './render-pool.js';
import { escapeRegExp } from '../regexp.js';
import { joinImage, splitImage } from './render-image.js';

/** The resource files' own images and objects, per file (a base shared by several roots is read once). */
type SourceIndex = Map<string, { occurrences: ImageOccurrence[]; objects: ScannedObject[] } | null>;

export async function renderKustomizations(files: string[], command: string[], context: RenderContext): Promise<RenderPart> {
  const tree = await KustomizeTree.load(context.sources, files);
  const index: SourceIndex = new Map();
  const roots = tree.roots(files);
  const parts = await boundedMap(roots, (root) => renderRoot(tree, root, command, context, index));
  return mergeParts(parts);
}

async function renderRoot(tree: KustomizeTree, root: Kustomization, command: string[], context: RenderContext, index: SourceIndex): Promise<RenderPart> {
  const part = emptyPart();
  // Files of a tree that fails to render are covered too: the render-failed error already blocks, and
  // scanning a base raw would add placeholder findings (`image: app`) nobody should fix.
  part.coveredFiles = tree.files(root);
  const members = tree.members(root);
  const [program, ...leading] = command as [string, ...string[]];
  const tool = [path.basename(program), ...leading].join(' ');
  // `./dir` so that a folder whose name starts with `-` is never read as a flag.
  const target = root.dir === '' ? '.' : `./${root.dir}`;
  const run = await runTool(program, [...leading, target], { cwd: context.root, timeoutMs: context.timeoutMs });
  part.renders.push({ source: root.file, tool, durationMs: run.durationMs, ok: run.ok });
  const rootSource = await context.sources.get(root.file);
  const rootLine = rootSource ? lineRange(rootSource, 1) : fileStart(root.file);
  if (!run.ok) {
    const remote = members.flatMap((k) => k.remote);
    const needsNetwork = remote.length > 0
      ? ` It needs the network: it uses remote resources (${remote.slice(0, 3).join(', ')}${remote.length > 3 ? ', …' : ''}), which must be downloaded to render.`
      : '';
    part.findings.push(finding('render-failed', `\`${tool} ${target}\` ${run.problem}.${needsNetwork}`, rootLine));
    return part;
  }

  const rendered = extractManifests(run.stdout, root.file, 'kustomize');
  part.texts.push({ file: root.file, text: run.stdout });
  const sources = await loadSources(members, context, index);
  for (const occurrence of rendered.occurrences) {
    part.occurrences.push({ ...occurrence, range: await traceImage(occurrence, { tree, root, members, sources, context, rootLine }) });
  }
  const originals = sources.flatMap((s) => s.objects);
  for (const object of rendered.objects) {
    const origin = best(originals.filter((o) => o.kind === object.kind), (o) => nameScore(object.name, o.name));
    part.objects.push(origin ? { ...object, file: origin.file, line: origin.line } : { ...object, file: root.file, line: 1 });
  }
  part.findings.push(...rendered.findings.map((f): Finding => ({ ...f, range: f.range ? rootLine : null })));
  return part;
}

interface OwnedSource {
  owner: string;
  occurrences: ImageOccurrence[];
  objects: ScannedObject[];
}

async function loadSources(members: Kustomization[], context: RenderContext, index: SourceIndex): Promise<OwnedSource[]> {
  const out: OwnedSource[] = [];
  for (const k of members) {
    for (const file of k.resources) {
      if (!index.has(file)) {
        const source = await context.sources.get(file);
        index.set(file, source ? extractManifests(source.text, file, 'manifest') : null);
      }
      const extracted = index.get(file);
      if (extracted) out.push({ owner: k.dir, occurrences: extracted.occurrences, objects: extracted.objects });
    }
  }
  return out;
}

interface TraceContext {
  tree: KustomizeTree;
  root: Kustomization;
  members: Kustomization[];
  sources: OwnedSource[];
  context: RenderContext;
  rootLine: SourceRange;
}

async function traceImage(rendered: ImageOccurrence, trace: TraceContext): Promise<SourceRange> {
  const origin = findOrigin(rendered, trace.sources);
  if (origin) {
    const chain = trace.tree.chain(trace.root, origin.owner);
    let image = origin.occurrence.written;
    let setter: ImageField | null = null;
    for (const level of chain) {
      for (const entry of trace.tree.imagesAt(level, level === trace.root)) {
        if (!imageMatches(image, entry.name)) continue;
        image = applyEntry(image, entry);
        const field = entry.digest ?? entry.newTag ?? entry.newName;
        if (field) setter = field; // the outermost entry that sets something wins, as kustomize applies
      }
    }
    if (image === rendered.written) return setter?.range ?? origin.occurrence.range;
  }
  return (
    entryCarrying(rendered.written, trace.members)?.range ??
    (await literalIn(rendered.written, trace)) ??
    origin?.occurrence.range ??
    trace.rootLine
  );
}

/** Step 1: the resource-file occurrence the rendered one came from (see the file comment). */
function findOrigin(rendered: ImageOccurrence, sources: OwnedSource[]): { owner: string; occurrence: ImageOccurrence } | null {
  const want = workloadParts(rendered.workload);
  const candidates = sources.flatMap((source) => source.occurrences
    .filter((o) => workloadParts(o.workload).kind === want.kind && o.container === rendered.container && fieldOf(o.path) === fieldOf(rendered.path))
    .map((occurrence) => ({ owner: source.owner, occurrence })));
  return best(candidates, (c) => nameScore(want.name, workloadParts(c.occurrence.workload).name));
}

/** The first item with the highest positive score, or null. */
function best<T>(items: T[], score: (item: T) => number): T | null {
  let chosen: T | null = null;
  let top = 0;
  for (const item of items) {
    const value = score(item);
    if (value > top) {
      chosen = item;
      top = value;
    }
  }
  return chosen;
}

/** 3 = same name, 2 = prefixed or suffixed, 1 = contains, 0 = unrelated. */
function nameScore(rendered: string | null, original: string | null): number {
  if (rendered === null || original === null) return rendered === original ? 3 : 0;
  if (rendered === original) return 3;
  if (rendered.startsWith(original) || rendered.endsWith(original)) return 2;
  return rendered.includes(original) ? 1 : 0;
}

/** `Kind/namespace/name` or `Kind/name` → kind and name. */
function workloadParts(workload: string): { kind: string; name: string | null } {
  const parts = workload.split('/');
  return { kind: parts[0] ?? '', name: parts.length > 1 ? (parts[parts.length - 1] ?? null) : null };
}

/** `spec.template.spec.containers[2].image` → `spec.template.spec.containers[].image` (order may change). */
function fieldOf(fieldPath: string): string {
  return fieldPath.replace(/\[\d+\]/g, '[]');
}

/** Step 3: the outermost `images:` entry whose values the rendered image carries. */
function entryCarrying(image: string, members: Kustomization[]): ImageField | null {
  const parts = splitImage(image);
  for (const k of members) {
    for (const entry of k.images) {
      const name = entry.newName?.value ?? splitImage(entry.name).name;
      if (entry.digest && parts.digest === entry.digest.value) return entry.digest;
      if (entry.newTag && parts.tag === entry.newTag.value && parts.name === name) return entry.newTag;
      if (entry.newName && !entry.newTag && !entry.digest && parts.name === entry.newName.value) return entry.newName;
    }
  }
  return null;
}

/**
 * Step 3: the first scalar in the tree's local files written exactly as the rendered image — a patch that
 * sets the image. A text search: the match must stand alone (bounded by quotes, blanks or the line end).
 */
async function literalIn(image: string, trace: TraceContext): Promise<SourceRange | null> {
  const pattern = new RegExp(`(?<=[\\s"'[{,]|^)${escapeRegExp(image)}(?=["'\\s,\\]}]|$)`, 'm');
  for (const file of trace.tree.files(trace.root)) {
    const source = await trace.context.sources.get(file);
    const match = source ? pattern.exec(source.text) : null;
    if (source && match) return offsetRange(source, match.index, match.index + image.length);
  }
  return null;
}

/**
 * kustomize's `IsImageMatched`: the entry's name, then optionally a tag and/or digest. A name written
 * with a tag (`busybox:1.36`) matches that tag only. (kustomize uses the name as a regular expression;
 * here it is taken literally.)
 */
export function imageMatches(image: string, name: string): boolean {
  return new RegExp(`^${escapeRegExp(name)}(@sha256)?(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`).test(image);
}

/** kustomize's ImageTagUpdater: newName replaces the name; newTag and/or digest replace both tag and digest. */
export function applyEntry(image: string, entry: ImagesEntry): string {
  let { name, tag, digest } = splitImage(image);
  if (entry.newName) name = entry.newName.value;
  if (entry.newTag && entry.digest) {
    tag = entry.newTag.value;
    digest = entry.digest.value;
  } else if (entry.newTag) {
    tag = entry.newTag.value;
    digest = '';
  } else if (entry.digest) {
    tag = '';
    digest = entry.digest.value;
  }
  return joinImage({ name, tag, digest });
}
