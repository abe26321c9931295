// Helm values with provenance: every scalar remembers the file and position it came from, and files merge
// the way helm coalesces them (later files win key by key, `null` deletes, maps merge, anything else
// replaces). On top of that: the image-shaped places in values, used both to trace a rendered image back to
// the line that set it and, without helm, to guess a chart's images from its values.
import { isAlias, isMap, isScalar, isSeq, type Document, type Scalar } from 'yaml';
import type { SourceRange } from '../model.js';
import { scalarRange, scalarText, type SourceFile } from './render-yaml.js';
import { nameEndsWith, splitImage } from './render-image.js';
import type { Positioned } from './helm-chart.js';

export interface Leaf {
  kind: 'leaf';
  /** The value as a string (numbers and booleans too); null for YAML null. */
  value: string | null;
  /** As written (`1.10`, where the value would print as 1.1). */
  text: string | null;
  /** Null for a value that came from `--set` over nothing. */
  range: SourceRange | null;
}
export interface Branch {
  kind: 'map';
  entries: Map<string, ValueNode>;
}
export interface List {
  kind: 'list';
  items: ValueNode[];
}
export type ValueNode = Leaf | Branch | List;

export function emptyValues(): Branch {
  return { kind: 'map', entries: new Map() };
}

/** A values file as a tree (its first document, as helm reads it); empty when missing or not a map. */
export function valuesOf(source: SourceFile | null): Branch {
  const document = source?.documents[0];
  if (!source || !document || document.errors.length > 0) return emptyValues();
  const tree = convert(source, document, document.contents);
  return tree.kind === 'map' ? tree : emptyValues();
}

function convert(source: SourceFile, document: Document.Parsed, node: unknown): ValueNode {
  if (isAlias(node)) return convert(source, document, node.resolve(document));
  if (isMap(node)) {
    const entries = new Map<string, ValueNode>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const value = convert(source, document, pair.value);
      if (key === '<<' && value.kind === 'map') {
        for (const [k, v] of value.entries) if (!entries.has(k)) entries.set(k, v); // YAML merge key
      } else {
        entries.set(key, value);
      }
    }
    return { kind: 'map', entries };
  }
  if (isSeq(node)) return { kind: 'list', items: node.items.map((item) => convert(source, document, item)) };
  if (isScalar(node)) {
    const value = node.value === null || node.value === undefined ? null : String(node.value);
    return { kind: 'leaf', value, text: value === null ? null : scalarText(source, node as Scalar), range: scalarRange(source, node as Scalar) };
  }
  return { kind: 'leaf', value: null, text: null, range: null }; // `key:` with nothing after it
}

/** Helm's coalescing of `over` onto `base`. */
export function coalesce(base: Branch, over: Branch): Branch {
  const entries = new Map(base.entries);
  for (const [key, value] of over.entries) {
    const current = entries.get(key);
    if (value.kind === 'leaf' && value.value === null) entries.delete(key);
    else if (value.kind === 'map' && current?.kind === 'map') entries.set(key, coalesce(current, value));
    else entries.set(key, value);
  }
  return { kind: 'map', entries };
}

/**
 * `--set a.b.c=value` applied to the tree. Only plain dotted keys (with `\.` escapes) are understood; list
 * indices (`a[0].b`) and comma lists are left out of the guess. The new value keeps the position of the
 * value it replaces, so a finding can still point at the line `--set` overrode.
 */
export function applySet(tree: Branch, key: string, value: string): Branch {
  if (/[[\]]/.test(key)) return tree;
  const segments = key.split(/(?<!\\)\./).map((s) => s.replaceAll('\\.', '.'));
  const set = (branch: Branch, depth: number): Branch => {
    const segment = segments[depth] as string;
    const entries = new Map(branch.entries);
    const current = entries.get(segment);
    if (depth === segments.length - 1) {
      entries.set(segment, { kind: 'leaf', value, text: value, range: current?.kind === 'leaf' ? current.range : null });
    } else {
      entries.set(segment, set(current?.kind === 'map' ? current : emptyValues(), depth + 1));
    }
    return { kind: 'map', entries };
  };
  return set(tree, 0);
}

export function childMap(tree: Branch, key: string): Branch {
  const child = tree.entries.get(key);
  return child?.kind === 'map' ? child : emptyValues();
}

/** The leaf at a dotted path, or null. */
export function leafAt(tree: Branch, dotted: string): Leaf | null {
  let node: ValueNode | undefined = tree;
  for (const segment of dotted.split('.')) node = node?.kind === 'map' ? node.entries.get(segment) : undefined;
  return node?.kind === 'leaf' ? node : null;
}

/** A place in values that names an image. */
export interface ValuesImage {
  /** Dotted path of the map (or of the scalar, for a whole reference). */
  path: string;
  repository: Leaf;
  registry: Leaf | null;
  tag: Leaf | null;
  digest: Leaf | null;
  /** The whole reference is one scalar (`image: nginx:1.25`); tag and digest are inside `repository`. */
  whole: boolean;
  /** False under a map with `enabled: false` (Bitnami's metrics/volumePermissions images). */
  enabled: boolean;
}

/**
 * The image-shaped places in a values tree:
 *  - a map with a string `repository` (and optional `registry`, `tag`, `digest`) — Bitnami and most charts;
 *  - a map with a string `image` next to `tag` / `imageTag`;
 *  - a map under a key containing "image" with a string `name` (`image: {name, tag}`);
 *  - a string under a key `image` or ending in `Image` that is not part of such a map: the whole reference.
 * Keys in `skip` at the top level are not searched (a chart's subchart sections belong to the subchart).
 */
export function findImages(tree: Branch, skip: ReadonlySet<string> = new Set()): ValuesImage[] {
  const out: ValuesImage[] = [];
  const visit = (node: ValueNode, path: string, key: string, enabled: boolean): void => {
    if (node.kind === 'list') {
      node.items.forEach((item, i) => visit(item, `${path}[${i}]`, key, enabled));
      return;
    }
    if (node.kind !== 'map') return;
    const here = enabled && leafOf(node, 'enabled')?.value !== 'false';
    const text = (k: string): Leaf | null => leafOf(node, k);
    const tag = text('tag') ?? text('imageTag');
    const repository =
      nonEmpty(text('repository')) ??
      (tag ? nonEmpty(text('image')) : null) ??
      (/image/i.test(key) ? nonEmpty(text('name')) : null);
    if (repository) {
      out.push({ path, repository, registry: text('registry') ?? text('imageRegistry'), tag, digest: text('digest') ?? text('imageDigest'), whole: false, enabled: here });
    }
    for (const [k, child] of node.entries) {
      if (path === '' && skip.has(k)) continue;
      const childPath = path === '' ? k : `${path}.${k}`;
      if (child.kind === 'leaf') {
        if (child !== repository && (k === 'image' || k.endsWith('Image')) && nonEmpty(child)) {
          out.push({ path: childPath, repository: child, registry: null, tag: null, digest: null, whole: true, enabled: here });
        }
      } else {
        visit(child, childPath, k, here);
      }
    }
  };
  visit(tree, '', '', true);
  return out;
}

/** What is known about the values around an image: the chart's appVersion and `global.imageRegistry`. */
export interface ImageDefaults {
  appVersion: Positioned | null;
  globalRegistry: Leaf | null;
}

export function imageDefaults(tree: Branch, appVersion: Positioned | null): ImageDefaults {
  return { appVersion, globalRegistry: nonEmpty(leafAt(tree, 'global.imageRegistry')) };
}

/**
 * The values position that produced a rendered image, or null. A place matches when its repository
 * (with its registry or `global.imageRegistry` in front, or as the rendered name's trailing path) names
 * the rendered image; among matches, one whose digest or tag equals the rendered one wins, then one whose
 * empty tag let appVersion through. The position returned is the part that identifies the pulled image:
 * the digest, else the tag, else Chart.yaml's appVersion when the tag came from it, else the repository.
 */
export function traceToValues(image: string, places: ValuesImage[], defaults: ImageDefaults): SourceRange | null {
  const want = splitImage(image);
  let chosen: SourceRange | null = null;
  let top = 0;
  for (const place of places) {
    const parts = place.whole ? splitImage(place.repository.value as string) : null;
    const name = parts ? parts.name : (place.repository.value as string);
    const tag = parts ? parts.tag : (place.tag?.value ?? '');
    const digest = parts ? parts.digest : (place.digest?.value ?? '');
    const registries = [defaults.globalRegistry?.value, place.registry?.value].filter((r): r is string => !!r);
    const nameScore = want.name === name || registries.some((r) => want.name === `${r}/${name}`) ? 3 : nameEndsWith(want.name, name) ? 2 : 0;
    if (nameScore === 0) continue;
    let score = nameScore + (place.enabled ? 1 : 0);
    let pointer: SourceRange | null;
    if (digest && (want.digest === digest || want.digest === `sha256:${digest}`)) {
      score += 10;
      pointer = (place.whole ? place.repository : place.digest)?.range ?? null;
    } else if (tag && (want.tag === tag || want.tag === (place.whole ? tag : place.tag?.text))) {
      score += 10;
      pointer = (place.whole ? place.repository : place.tag)?.range ?? null;
    } else if (!tag && defaults.appVersion && (want.tag === defaults.appVersion.value || want.tag === `v${defaults.appVersion.value}`)) {
      score += 8;
      pointer = defaults.appVersion.range;
    } else {
      pointer = (!place.whole && place.tag?.range) || null;
    }
    pointer ??= place.repository.range;
    if (pointer && score > top) {
      chosen = pointer;
      top = score;
    }
  }
  return chosen;
}

/**
 * Without helm: the image a values place would most likely render to, and the position of the part that
 * identifies it (as in traceToValues). Null for disabled places, template expressions and empty names.
 */
export function composeImage(place: ValuesImage, defaults: ImageDefaults): { image: string; range: SourceRange } | null {
  if (!place.enabled) return null;
  if (place.whole) {
    const image = place.repository.value as string;
    return looksLikeImage(image) && place.repository.range ? { image, range: place.repository.range } : null;
  }
  const repository = place.repository.value as string;
  // Bitnami's convention: `global.imageRegistry` replaces an image's own `registry`; charts whose images
  // have no `registry` key do not read it.
  const registry = place.registry ? defaults.globalRegistry?.value || place.registry.value || '' : '';
  const tagLeaf = nonEmpty(place.tag);
  const digestLeaf = nonEmpty(place.digest);
  const tag = tagLeaf?.value ?? defaults.appVersion?.value ?? '';
  const name = registry ? `${registry}/${repository}` : repository;
  // Bitnami's helper (and most others) write name@digest when a digest is set, dropping the tag.
  const image = digestLeaf ? `${name}@${digestLeaf.value}` : tag ? `${name}:${tag}` : name;
  if (!looksLikeImage(image)) return null;
  const range = digestLeaf?.range ?? tagLeaf?.range ?? (tagLeaf ? null : defaults.appVersion?.range) ?? place.repository.range;
  return range ? { image, range } : null;
}

function leafOf(node: Branch, key: string): Leaf | null {
  const value = node.entries.get(key);
  return value?.kind === 'leaf' ? value : null;
}

function nonEmpty(leaf: Leaf | null): Leaf | null {
  return leaf && leaf.value !== null && leaf.value !== '' ? leaf : null;
}

/** A guess must look like a reference: no blanks, no template expressions left in it. */
function looksLikeImage(image: string): boolean {
  return image !== '' && !/\s/.test(image) && !image.includes('{{');
}
