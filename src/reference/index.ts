// Container image references as the kubelet reads them: distribution/reference's ParseNormalizedNamed
// followed by TagNameOnly. Pure: no I/O, never throws for a string.
import { DEFAULT_DOMAIN, DEFAULT_TAG, OFFICIAL_REPO_PREFIX } from './grammar.js';
import { explainRejection, suggestRepair } from './explain.js';
import { looksLikeRegistry, parseNormalizedNamed, type NormalizedParts } from './normalize.js';

export interface ImageReference {
  /** 'docker.io', 'ghcr.io', '127.0.0.1:5000', '[::1]:5000', 'localhost'. */
  registry: string;
  /** 'library/nginx', 'acme/api'. */
  repository: string;
  /** As written; null when absent. */
  tag: string | null;
  /** 'sha256:…' when written. */
  digest: string | null;
  /** registry + '/' + repository. */
  name: string;
  /** Fully qualified, `:latest` added when neither tag nor digest is written; `name:tag@digest` keeps both. */
  canonical: string;
  /** What the kubelet pulls: name@digest when there is a digest (it wins over a tag), else name:tag. */
  pullReference: string;
  /** True when neither tag nor digest was written. */
  tagDefaulted: boolean;
}

export type ParseResult =
  | { ok: true; ref: ImageReference }
  | { ok: false; reason: string; suggestion: string | null };

export function parseReference(input: string): ParseResult {
  const parts = parseNormalizedNamed(input);
  if (!parts) return { ok: false, reason: explainRejection(input), suggestion: suggestRepair(input) };
  return { ok: true, ref: toImageReference(parts) };
}

function toImageReference({ domain, path, tag, digest }: NormalizedParts): ImageReference {
  // An empty domain (`my_registry.local/app`, see normalize.ts): containerd pulls from the first
  // component as a host, and distribution prints the name unchanged, so split it there.
  const slash = path.indexOf('/');
  const registry = domain || path.slice(0, slash);
  const repository = domain ? path : path.slice(slash + 1);
  const name = `${registry}/${repository}`;
  const tagDefaulted = tag === null && digest === null;
  const effectiveTag = tag ?? (tagDefaulted ? DEFAULT_TAG : null);
  return {
    registry,
    repository,
    tag,
    digest,
    name,
    canonical: name + (effectiveTag === null ? '' : `:${effectiveTag}`) + (digest === null ? '' : `@${digest}`),
    pullReference: digest === null ? `${name}:${tag ?? DEFAULT_TAG}` : `${name}@${digest}`,
    tagDefaulted,
  };
}

/**
 * Short familiar form for messages: 'nginx:1.25', 'acme/api:1', 'ghcr.io/acme/api:1' (Docker's
 * FamiliarString of the canonical form, so an unwritten tag shows as ':latest'). Unlike Docker's, it keeps
 * 'docker.io/' when dropping it would turn the first path component into a registry
 * (docker.io/localhost/app), so the short form always parses back to the same reference.
 */
export function familiar(ref: ImageReference): string {
  const suffix = ref.canonical.slice(ref.name.length);
  if (ref.registry !== DEFAULT_DOMAIN) return ref.name + suffix;
  const official = ref.repository.slice(OFFICIAL_REPO_PREFIX.length);
  if (ref.repository.startsWith(OFFICIAL_REPO_PREFIX) && !official.includes('/')) return official + suffix;
  const first = ref.repository.split('/', 1)[0] ?? '';
  return (looksLikeRegistry(first) ? ref.name : ref.repository) + suffix;
}
