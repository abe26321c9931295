// The plain data that crosses the pipeline's stages (discover → extract → resolve → judge → report).
// Nothing here does I/O; every stage takes these shapes in and hands these shapes on.

export type Severity = 'error' | 'warning' | 'notice';

/** Where an occurrence came from: a plain manifest, a render, or the values heuristic. */
export type Origin = 'manifest' | 'kustomize' | 'helm' | 'helm-values' | 'rendered';

/** 1-based line and column; `endColumn` is exclusive (one past the last character). */
export interface SourceRange {
  /** Relative to the scan root, with forward slashes. */
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** What the pod spec around a container says, for the rules that need the workload's context. */
export interface PodFacts {
  kind: string;
  namespace: string | null;
  name: string | null;
  /** spec.replicas of the workload when written (null when absent or not a scaling kind). */
  replicas: number | null;
  imagePullSecrets: string[];
  serviceAccountName: string | null;
  nodeSelector: Record<string, string>;
  /** The container's imagePullPolicy as written (null when absent). */
  imagePullPolicy: string | null;
  /**
   * `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`: the terms are
   * ORed, the requirements of one term ANDed (as the scheduler reads them). Absent when the pod has none.
   */
  requiredNodeAffinity?: NodeSelectorRequirement[][];
}

/** One `matchExpressions` entry of a node selector term. */
export interface NodeSelectorRequirement {
  key: string;
  /** In, NotIn, Exists, DoesNotExist, Gt, Lt. */
  operator: string;
  values: string[];
}

export interface ImageOccurrence {
  /** The image string exactly as the file holds it (the scalar's value). */
  written: string;
  range: SourceRange;
  /** `Kind/namespace/name`, or `Kind/name` when the object has no namespace. */
  workload: string;
  /** The container's name, or null for image fields that are not containers (image volumes, CR fields). */
  container: string | null;
  /** Where in the object, e.g. `spec.template.spec.containers[0].image`. */
  path: string;
  origin: Origin;
  pod: PodFacts | null;
}

/** A Kubernetes object that was scanned, and how many images it gave (shown in the report). */
export interface ScannedObject {
  file: string;
  line: number;
  kind: string;
  apiVersion: string;
  name: string | null;
  namespace: string | null;
  images: number;
}

export interface Fix {
  /**
   * Replaces exactly the text at the finding's range, quotes included (a quoted scalar's replacement
   * brings the same quotes). The judge words it for the whole image; the pipeline fits it to the range.
   */
  replacement: string;
}

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
  /** Null only for findings about the run itself (e.g. a registry that could not be reached at all). */
  range: SourceRange | null;
  /** The image as written, when the finding is about one. */
  image: string | null;
  fix: Fix | null;
}

/** What a registry said about one unique canonical reference. */
export type ImageStatus =
  | 'unchecked'
  | 'ok'
  | 'repository-not-found'
  | 'tag-not-found'
  | 'digest-not-found'
  | 'unauthorized'
  | 'access-denied'
  | 'rate-limited'
  | 'registry-unreachable'
  | 'registry-error'
  | 'unverified';

export interface Evidence {
  /** HTTP status of the deciding response, when there was one. */
  httpStatus: number | null;
  /** Registry error code from the body (MANIFEST_UNKNOWN, NAME_UNKNOWN, DENIED …), when known. */
  errorCode: string | null;
  /** One sanitised sentence of detail (never a raw body, never a header value). */
  detail: string | null;
}

export interface Resolution {
  /** Canonical reference (docker.io/library/nginx:1.25). */
  reference: string;
  status: ImageStatus;
  digest: string | null;
  mediaType: string | null;
  /** `os/arch[/variant]` of an index's entries, or of a single manifest's config; null when not read. */
  platforms: string[] | null;
  checkedAt: string | null;
  evidence: Evidence;
  durationMs: number;
  /** Candidate replacements the judge may offer (closest tags or repository names), best first. */
  suggestions: string[];
  /** For a `tag@digest` reference: the digest the tag points at now (null when not asked, or the tag is gone). */
  tagDigest: string | null;
  /** Pull quota the registry announced on its answer (Docker Hub `ratelimit-*` headers), null when none. */
  quota: Quota | null;
  /** For `rate-limited`: seconds the registry asked to wait (Retry-After), null when it did not say. */
  retryAfterSeconds: number | null;
  /** Whether credentials (a password, token or identity token) were used for this image. */
  authenticated: boolean;
  /** Where those credentials came from (the keychain's `source`), null when anonymous. */
  credentialSource: string | null;
  /**
   * The mirror (config `mirrors`) that gave this answer, as host[:port]; absent when the registry itself
   * answered (at its configured `endpoint`, if any). `quota` is the answering host's.
   */
  endpoint?: string;
}

/** A registry's announced pull quota: `ratelimit-limit: 100;w=21600`, `ratelimit-remaining: 76;w=21600`. */
export interface Quota {
  limit: number | null;
  remaining: number | null;
  /** The window the numbers count over (`w=`), in seconds. */
  windowSeconds: number | null;
  /** `docker-ratelimit-source`: what the quota is counted against (an address or an account id). */
  source: string | null;
}
