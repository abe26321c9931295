// Kustomization files as a graph: which overlays are roots to render, which local files belong to a rendered
// tree (so the pipeline does not scan them raw), and the `images:` entries with their positions.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, isSeq, type Document, type Scalar } from 'yaml';
import type { SourceRange } from '../model.js';
import { insideRoot, joinRelative, scalarRange, scalarText, type SourceFile, type SourceFiles } from './render-yaml.js';
import { isObject } from '../guards.js';

export const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export interface ImageField {
  value: string;
  range: SourceRange;
}

/** One entry of a kustomization's `images:` list. */
export interface ImagesEntry {
  name: string;
  newName: ImageField | null;
  newTag: ImageField | null;
  digest: ImageField | null;
}

export interface Kustomization {
  /** Root-relative path of the kustomization file, and its folder ('' for the root itself). */
  file: string;
  dir: string;
  isComponent: boolean;
  /** Folders of the kustomizations it builds on (`resources` / `bases` entries that are folders). */
  bases: string[];
  /** Folders of the components it includes. */
  components: string[];
  /** Local resource files (the manifests whose objects the render starts from). */
  resources: string[];
  /** Every other local file it names: patches, generator inputs, replacements, configurations… */
  otherFiles: string[];
  /** Resources that need the network (URLs, git repositories). */
  remote: string[];
  images: ImagesEntry[];
}

export class KustomizeTree {
  private constructor(private readonly byDir: Map<string, Kustomization>) {}

  /** Loads the given kustomization files and, recursively, every kustomization they build on. */
  static async load(sources: SourceFiles, files: string[]): Promise<KustomizeTree> {
    const byDir = new Map<string, Kustomization>();
    const pending = files.map((file) => ({ file, dir: parentDir(file) }));
    while (pending.length > 0) {
      const { file, dir } = pending.pop() as { file: string; dir: string };
      if (byDir.has(dir)) continue;
      const source = await sources.get(file);
      const loaded = await readKustomization(sources.root, file, dir, source);
      byDir.set(dir, loaded);
      for (const child of [...loaded.bases, ...loaded.components]) {
        const childFile = await kustomizationFileIn(sources.root, child);
        if (childFile && !byDir.has(child)) pending.push({ file: childFile, dir: child });
      }
    }
    return new KustomizeTree(byDir);
  }

  get(dir: string): Kustomization | undefined {
    return this.byDir.get(dir);
  }

  /**
   * The kustomizations to render: those of `files` that no other loaded kustomization builds on. A cycle
   * (A includes B includes A) leaves no such root, so any found kustomization still outside every root's
   * tree becomes a root too (kustomize then reports the cycle, which pullcheck passes on).
   */
  roots(files: string[]): Kustomization[] {
    const included = new Set<string>();
    for (const k of this.byDir.values()) {
      for (const child of [...k.bases, ...k.components]) if (child !== k.dir) included.add(child);
    }
    const found = files.map((file) => this.byDir.get(parentDir(file))).filter((k): k is Kustomization => k !== undefined);
    const roots = found.filter((k) => !included.has(k.dir));
    const reached = new Set(roots.flatMap((root) => this.members(root).map((k) => k.dir)));
    for (const k of found) {
      if (reached.has(k.dir)) continue;
      roots.push(k);
      for (const member of this.members(k)) reached.add(member.dir);
    }
    return roots;
  }

  /** Every kustomization in a root's tree, root first (each once, even in a diamond or a cycle). */
  members(root: Kustomization): Kustomization[] {
    const seen = new Set<string>();
    const out: Kustomization[] = [];
    const visit = (k: Kustomization): void => {
      if (seen.has(k.dir)) return;
      seen.add(k.dir);
      out.push(k);
      for (const child of [...k.bases, ...k.components]) {
        const next = this.byDir.get(child);
        if (next) visit(next);
      }
    };
    visit(root);
    return out;
  }

  /** The local files of a root's tree, inside the scan root: kustomization files, resources, patches… */
  files(root: Kustomization): string[] {
    const files = this.members(root).flatMap((k) => [k.file, ...k.resources, ...k.otherFiles]);
    return [...new Set(files)].filter(insideRoot);
  }

  /**
   * The kustomizations a resource of `owner` passes through on its way out of `root`, innermost first —
   * the order kustomize applies their `images:`. In a diamond the first path found is used.
   */
  chain(root: Kustomization, owner: string): Kustomization[] {
    const parents = new Map<string, string | null>([[root.dir, null]]);
    const queue = [root.dir];
    while (queue.length > 0 && !parents.has(owner)) {
      const dir = queue.shift() as string;
      const k = this.byDir.get(dir);
      for (const child of k ? [...k.bases, ...k.components] : []) {
        if (parents.has(child)) continue;
        parents.set(child, dir);
        queue.push(child);
      }
    }
    if (!parents.has(owner)) return [];
    const out: Kustomization[] = [];
    for (let dir: string | null | undefined = owner; dir !== null && dir !== undefined; dir = parents.get(dir)) {
      const k = this.byDir.get(dir);
      if (k) out.push(k);
    }
    return out;
  }

  /**
   * The `images:` entries applied at one level, in order: a kustomization applies its components' entries
   * first, then its own (measured with kustomize v5.5). A component's entries belong to the level that
   * includes it, so a component level applies nothing by itself unless it is the root being rendered.
   */
  imagesAt(k: Kustomization, isRoot: boolean): ImagesEntry[] {
    return k.isComponent && !isRoot ? [] : this.withComponents(k, new Set());
  }

  private withComponents(k: Kustomization, seen: Set<string>): ImagesEntry[] {
    seen.add(k.dir);
    const fromComponents = k.components.flatMap((dir) => {
      const component = this.byDir.get(dir);
      return component && !seen.has(dir) ? this.withComponents(component, seen) : [];
    });
    return [...fromComponents, ...k.images];
  }
}

export function parentDir(file: string): string {
  const dir = path.posix.dirname(file);
  return dir === '.' ? '' : dir;
}

/** The kustomization file in a root-relative folder, by the names kustomize accepts, or null. */
export async function kustomizationFileIn(root: string, dir: string): Promise<string | null> {
  for (const name of KUSTOMIZATION_NAMES) {
    const file = dir === '' ? name : `${dir}/${name}`;
    if ((await kindOf(root, file)) === 'file') return file;
  }
  return null;
}

async function readKustomization(root: string, file: string, dir: string, source: SourceFile | null): Promise<Kustomization> {
  const k: Kustomization = { file, dir, isComponent: false, bases: [], components: [], resources: [], otherFiles: [], remote: [], images: [] };
  const document = source?.documents[0];
  if (!source || !document || document.errors.length > 0) return k; // kustomize reports the syntax error when rendering
  const data: unknown = document.toJS();
  if (!isObject(data)) return k;
  k.isComponent = data.kind === 'Component';

  for (const entry of [...strings(data.resources), ...strings(data.bases)]) {
    const target = await classify(root, dir, entry);
    if (target.kind === 'remote') k.remote.push(entry);
    else if (target.kind === 'kustomization') k.bases.push(target.path);
    else if (target.kind === 'file') k.resources.push(target.path);
  }
  for (const entry of strings(data.components)) {
    const target = await classify(root, dir, entry);
    if (target.kind === 'remote') k.remote.push(entry);
    else if (target.kind === 'kustomization') k.components.push(target.path);
  }
  for (const entry of namedFiles(data)) {
    const target = await classify(root, dir, entry);
    if (target.kind === 'file') k.otherFiles.push(target.path);
    else if (target.kind === 'kustomization') k.bases.push(target.path); // e.g. a transformers folder
  }
  k.images = imagesEntries(source, document);
  return k;
}

/** The fields of a kustomization, besides resources/bases/components, that name local files. */
function namedFiles(data: Record<string, unknown>): string[] {
  const out: string[] = [];
  // patchesStrategicMerge entries and generators/transformers/validators may be inline YAML: only
  // single-line strings can be paths (classify() then keeps the ones that exist).
  const paths = (value: unknown): string[] => strings(value).filter((s) => !s.includes('\n'));
  out.push(...paths(data.patchesStrategicMerge), ...paths(data.crds), ...paths(data.configurations));
  out.push(...paths(data.generators), ...paths(data.transformers), ...paths(data.validators));
  for (const list of [data.patches, data.patchesJson6902, data.replacements]) {
    for (const item of records(list)) if (typeof item.path === 'string') out.push(item.path);
  }
  for (const generator of [...records(data.configMapGenerator), ...records(data.secretGenerator)]) {
    for (const f of strings(generator.files)) out.push(f.includes('=') ? f.slice(f.indexOf('=') + 1) : f);
    out.push(...strings(generator.envs));
    if (typeof generator.env === 'string') out.push(generator.env);
  }
  if (isObject(data.openapi) && typeof data.openapi.path === 'string') out.push(data.openapi.path);
  return out;
}

function imagesEntries(source: SourceFile, document: Document.Parsed): ImagesEntry[] {
  const list = document.get('images', true);
  if (!isSeq(list)) return [];
  const out: ImagesEntry[] = [];
  for (const item of list.items) {
    if (!isMap(item)) continue;
    const field = (key: string): ImageField | null => {
      const node = item.get(key, true);
      if (!isScalar(node) || node.value === null || node.value === '') return null;
      const range = scalarRange(source, node as Scalar);
      return range ? { value: scalarText(source, node as Scalar), range } : null;
    };
    const name = field('name');
    if (name) out.push({ name: name.value, newName: field('newName'), newTag: field('newTag'), digest: field('digest') });
  }
  return out;
}

type Target = { kind: 'kustomization' | 'file'; path: string } | { kind: 'remote' | 'missing' };

async function classify(root: string, dir: string, entry: string): Promise<Target> {
  const trimmed = entry.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) || trimmed.startsWith('git@')) return { kind: 'remote' };
  const target = joinRelative(dir, trimmed);
  const kind = await kindOf(root, target);
  if (kind === 'dir') {
    return (await kustomizationFileIn(root, target)) ? { kind: 'kustomization', path: target } : { kind: 'missing' };
  }
  if (kind === 'file') return { kind: 'file', path: target };
  // kustomize also takes `github.com/org/repo/path?ref=v1` without a scheme: a host name first.
  return /^[\w-]+(\.[\w-]+)+\//.test(trimmed) ? { kind: 'remote' } : { kind: 'missing' };
}

async function kindOf(root: string, file: string): Promise<'file' | 'dir' | null> {
  try {
    const info = await stat(path.join(root, file));
    return info.isDirectory() ? 'dir' : info.isFile() ? 'file' : null;
  } catch {
    return null;
  }
}


function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}
