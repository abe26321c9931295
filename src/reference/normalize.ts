// distribution/reference's ParseNormalizedNamed (normalize.go, reference.go) step by step: this module
// alone decides whether the kubelet accepts a reference. It says nothing about *why* one is refused;
// explain.ts does that, so this code can stay a line-by-line match of the original.
import {
  DEFAULT_DOMAIN,
  DIGEST_HEX_LENGTHS,
  LEGACY_DEFAULT_DOMAIN,
  LOCALHOST,
  MAX_REPOSITORY_LENGTH,
  OFFICIAL_REPO_PREFIX,
  identifierRegexp,
  nameRegexp,
  referenceRegexp,
} from './grammar.js';

export interface NormalizedParts {
  /** Empty when the first component was taken for a registry but only matches as a path (see below). */
  domain: string;
  path: string;
  tag: string | null;
  digest: string | null;
}

/**
 * Whether splitDockerDomain takes a name's first component for a registry: `localhost`, anything with a
 * `.` or `:`, and anything with an upper-case letter (paths are lower case, so it must be a host).
 */
export function looksLikeRegistry(first: string): boolean {
  return first === LOCALHOST || /[.:]/.test(first) || first.toLowerCase() !== first;
}

/**
 * Where a name's registry ends, decided before any validation (splitDockerDomain). Without a registry the
 * name is on docker.io, where a single component gets `library/`; index.docker.io is docker.io.
 */
export function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  const first = name.slice(0, slash);
  let domain = DEFAULT_DOMAIN;
  let remainder = name;
  if (slash >= 0 && looksLikeRegistry(first)) {
    domain = first === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : first;
    remainder = name.slice(slash + 1);
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}

/** The parts of a reference the kubelet accepts, or null when it refuses it. */
export function parseNormalizedNamed(input: string): NormalizedParts | null {
  if (identifierRegexp.test(input)) return null;
  const { domain, remainder } = splitDockerDomain(input);
  // distribution refuses upper case before the remainder's first ':' at this point, only to give a clearer
  // error: the path grammar has no capitals and no upper-case digest algorithm is registered, so parse()
  // refuses exactly the same strings.
  return parse(`${domain}/${remainder}`);
}

/** reference.Parse on the domain-qualified string. */
function parse(qualified: string): NormalizedParts | null {
  const match = referenceRegexp.exec(qualified);
  if (!match) return null;
  const [, name = '', tag, digest] = match;
  const nameMatch = nameRegexp.exec(name);
  if (!nameMatch) return null; // cannot happen: the reference pattern already matched this name
  // A first component that splitDockerDomain took for a registry but that only matches as a path
  // (`my_registry.local/app`: underscores are not allowed in hosts) leaves the domain empty; the kubelet
  // still accepts the reference.
  const [, domain = '', path = ''] = nameMatch;
  if (path.length > MAX_REPOSITORY_LENGTH) return null;
  if (digest !== undefined && !isSupportedDigest(digest)) return null;
  return { domain, path, tag: tag ?? null, digest: digest ?? null };
}

/** go-digest's Validate: a registered algorithm with exactly its length of lower-case hex. */
function isSupportedDigest(digest: string): boolean {
  const colon = digest.indexOf(':');
  const hexLength = DIGEST_HEX_LENGTHS.get(digest.slice(0, colon));
  const encoded = digest.slice(colon + 1);
  return hexLength !== undefined && encoded.length === hexLength && /^[a-f0-9]+$/.test(encoded);
}
