// Platform matching as containerd does it (platforms.Normalize + the compatibility of variants): a node's
// `linux/arm64` runs `linux/arm64/v8` images, an `arm/v7` node also runs `arm/v6` and `arm/v5` images, and
// an `amd64/v3` node runs plain `amd64` images.
import type { ImageOccurrence, PodFacts, Resolution } from '../model.js';

interface Platform { os: string; arch: string; variant: number | null }

function normalise(text: string): Platform {
  const [os = '', rawArch = '', rawVariant] = text.toLowerCase().split('/');
  let arch = rawArch;
  let variant = rawVariant ?? null;
  if (arch === 'aarch64') arch = 'arm64';
  if (arch === 'x86_64' || arch === 'x86-64') arch = 'amd64';
  if (arch === 'armhf') { arch = 'arm'; variant = 'v7'; }
  if (arch === 'armel') { arch = 'arm'; variant = 'v6'; }
  if (arch === 'arm64' && variant === 'v8') variant = null;
  if (arch === 'amd64' && variant === 'v1') variant = null;
  if (arch === 'arm' && variant === null) variant = 'v7';
  const level = variant === null ? null : Number(variant.replace(/^v/, ''));
  return { os, arch, variant: level !== null && Number.isFinite(level) ? level : null };
}

/** True when an image offering `available` can run on a node of platform `required`. */
export function runsOn(required: string, available: string): boolean {
  const node = normalise(required);
  const image = normalise(available);
  if (node.os !== image.os || node.arch !== image.arch) return false;
  if (image.variant === null) return true;
  // A newer variant runs images built for older ones of the same architecture.
  return node.variant !== null && image.variant <= node.variant;
}

export function missingPlatforms(required: string[], available: string[]): string[] {
  return required.filter((r) => !available.some((a) => runsOn(r, a)));
}

/** Checked when the config names no platform, and for workloads `auto` finds no constraint on. */
export const DEFAULT_PLATFORM = 'linux/amd64';
const OS_LABELS = ['kubernetes.io/os', 'beta.kubernetes.io/os'];
const ARCH_LABELS = ['kubernetes.io/arch', 'beta.kubernetes.io/arch'];

export interface WorkloadPlatforms {
  platforms: string[];
  /** `workload`: `auto` read them from the pod's nodeSelector / required node affinity. */
  from: 'config' | 'workload';
}

/**
 * The platforms a workload's pods can be scheduled on. The configured list as it is, unless it holds
 * `auto`: then the pod's nodeSelector and required node affinity on `kubernetes.io/os` and
 * `kubernetes.io/arch` decide, and the other configured platforms (default linux/amd64) stand in for
 * whatever the pod does not constrain (an arch-only selector keeps their os, and the reverse).
 */
export function workloadPlatforms(configured: string[], pod: PodFacts | null): WorkloadPlatforms {
  if (!configured.includes('auto')) return { platforms: configured, from: 'config' };
  const explicit = configured.filter((p) => p !== 'auto');
  const fallback = explicit.length > 0 ? explicit : [DEFAULT_PLATFORM];
  const fallbackOs = unique(fallback.map((p) => p.split('/')[0]!));
  const fallbackArch = unique(fallback.map((p) => p.split('/').slice(1).join('/')));
  const oses = pod ? allowedValues(pod, OS_LABELS, fallbackOs) : null;
  const arches = pod ? allowedValues(pod, ARCH_LABELS, fallbackArch) : null;
  if (oses === null && arches === null) return { platforms: fallback, from: 'config' };
  const platforms = (oses ?? fallbackOs).flatMap((os) => (arches ?? fallbackArch).map((arch) => `${os}/${arch}`));
  return { platforms, from: 'workload' };
}

/**
 * The values of a node label (os or arch) the pod can land on, or null when nothing constrains it. The
 * nodeSelector and the affinity both have to hold; affinity terms are alternatives. `In` lists values;
 * `NotIn` removes values from those known (the fallback's and any named elsewhere), so a pod that avoids
 * every known value leaves nothing to check rather than a guess.
 */
function allowedValues(pod: PodFacts, labels: string[], fallback: string[]): string[] | null {
  const selected = labels.map((l) => pod.nodeSelector[l]).filter((v): v is string => typeof v === 'string');
  const terms = pod.requiredNodeAffinity ?? [];
  const mentioned = terms.flat().filter((r) => labels.includes(r.key) && r.operator === 'In').flatMap((r) => r.values);
  const sameArch = (a: string, b: string): boolean => a.split('/')[0] === b.split('/')[0];
  // A label value has no variant (`arm`): the fallback's `arm/v7` says more, so it is kept instead.
  const known = [...selected, ...mentioned].reduce((all, v) => (all.some((k) => sameArch(k, v)) ? all : [...all, v]), unique(fallback));

  let fromAffinity: string[] | null = null;
  if (terms.some((term) => term.some((r) => labels.includes(r.key)))) {
    const perTerm = terms.map((term) => {
      let values = known;
      for (const r of term.filter((x) => labels.includes(x.key))) {
        if (r.operator === 'In') values = values.filter((v) => r.values.some((w) => sameArch(v, w)));
        else if (r.operator === 'NotIn') values = values.filter((v) => !r.values.some((w) => sameArch(v, w)));
        else if (r.operator === 'DoesNotExist') values = []; // every node carries these labels
      }
      return values;
    });
    fromAffinity = known.filter((v) => perTerm.some((values) => values.includes(v)));
  }
  if (selected.length === 0) return fromAffinity;
  const fromSelector = known.filter((v) => selected.every((s) => sameArch(v, s)));
  return fromAffinity === null ? fromSelector : fromSelector.filter((v) => fromAffinity.includes(v));
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

/**
 * Why the image cannot run where the workload is scheduled, or null when it can. `offered` comes from the
 * index, or from a single manifest's config blob (its `os`/`architecture`).
 */
export function platformMismatch(occurrence: ImageOccurrence, resolution: Resolution, configured: string[]): string | null {
  const offered = resolution.platforms ?? [];
  const { platforms: required, from } = workloadPlatforms(configured, occurrence.pod);
  const missing = missingPlatforms(required, offered);
  if (missing.length === 0) return null;
  const image = occurrence.written;
  const where = from === 'workload'
    ? `${occurrence.workload} is scheduled on ${required.join(', ')} nodes (its nodeSelector / node affinity)`
    : `the nodes run ${required.join(', ')} (\`platforms\` in the config)`;
  const offeredOs = new Set(offered.map(osOf));
  if (offered.length > 0 && missing.every((p) => !offeredOs.has(osOf(p)))) {
    const imageOs = osName([...offeredOs]);
    const nodeOs = osName([...new Set(missing.map(osOf))]);
    return `${image} is a ${imageOs} image (${offered.join(', ')}), and ${where}: ${nodeOs} nodes cannot run ${imageOs} containers; the pull fails with "no match for platform in manifest".`;
  }
  const what = offered.length === 1 && !isIndexType(resolution.mediaType)
    ? `${image} is built for ${offered[0]} only (a single-platform image)`
    : `${image} has no ${missing.join(', ')} image (it offers ${offered.join(', ') || 'no platform'})`;
  return `${what}, but ${where}: the pull fails there with "no match for platform in manifest".`;
}

function osOf(platform: string): string {
  return platform.split('/')[0]!.toLowerCase();
}

function osName(oses: string[]): string {
  return oses.map((os) => (os === 'windows' ? 'Windows' : os === 'linux' ? 'Linux' : os)).join('/');
}

function isIndexType(mediaType: string | null): boolean {
  return mediaType !== null && /image\.index|manifest\.list/.test(mediaType);
}
