// Why a reference was refused, in words a user can act on, and the corrected reference when the fix is
// obvious. distribution itself mostly answers "invalid reference format"; here the input is taken apart
// the way the grammar reads it and each part is checked on its own. Only called for references
// normalize.ts refused, so the checks may assume something is wrong.
import {
  DIGEST_HEX_LENGTHS,
  MAX_REPOSITORY_LENGTH,
  MAX_TAG_LENGTH,
  digestAlgorithmRegexp,
  domainNameComponentRegexp,
  domainRegexp,
  identifierRegexp,
  pathComponentRegexp,
  separatorRegexp,
} from './grammar.js';
import { looksLikeRegistry, parseNormalizedNamed, splitDockerDomain } from './normalize.js';

/** Used when no specific check finds the fault (distribution's own message). */
export const GENERIC_REASON = 'invalid reference format';

/** Prefixes people paste from URLs and tools; `ko://` and friends are not references at all. */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const STRIPPABLE_SCHEMES = new Set(['http', 'https', 'docker']);

/** The reference split the way the grammar reads it: `name[:tag][@digest]`. */
interface Written {
  name: string;
  tag: string | null;
  digest: string | null;
}

function split(input: string): Written {
  const at = input.indexOf('@');
  const beforeDigest = at < 0 ? input : input.slice(0, at);
  const digest = at < 0 ? null : input.slice(at + 1);
  // The tag's ':' is the first one after the last '/'; a ':' before it belongs to a registry port.
  const colon = beforeDigest.indexOf(':', beforeDigest.lastIndexOf('/') + 1);
  return colon < 0
    ? { name: beforeDigest, tag: null, digest }
    : { name: beforeDigest.slice(0, colon), tag: beforeDigest.slice(colon + 1), digest };
}

function join({ name, tag, digest }: Written): string {
  return name + (tag === null ? '' : `:${tag}`) + (digest === null ? '' : `@${digest}`);
}

/** Part of the input as a message shows it: long parts cut short, so a pasted blob stays readable. */
function clip(part: string): string {
  return part.length > 60 ? `${part.slice(0, 59)}…` : part;
}

/** A character as a message can show it: control and invisible characters as JSON escapes. */
function show(char: string): string {
  return /^[\x21-\x7e]$/.test(char) ? char : JSON.stringify(char).slice(1, -1);
}

export function explainRejection(input: string): string {
  if (input === '') return 'image reference is empty';
  if (/\s/.test(input)) return 'image reference contains whitespace';
  const scheme = SCHEME.exec(input);
  if (scheme) return `image reference must not start with '${scheme[0]}'`;
  if (identifierRegexp.test(input)) {
    return 'image reference is a bare image ID: cannot specify 64-byte hexadecimal strings';
  }
  if (input.indexOf('@') !== input.lastIndexOf('@')) return "image reference contains more than one '@'";
  const written = split(input);
  return nameProblem(written.name)
    ?? (written.tag === null ? null : tagProblem(written.tag))
    ?? (written.digest === null ? null : digestProblem(written.digest))
    ?? GENERIC_REASON;
}

function nameProblem(name: string): string | null {
  if (name === '') return 'image reference has no repository name';
  const slash = name.indexOf('/');
  const first = name.slice(0, slash);
  const takenAsRegistry = slash >= 0 && looksLikeRegistry(first);
  if (takenAsRegistry) {
    const problem = registryProblem(first);
    if (problem) return problem;
  }
  for (const component of (takenAsRegistry ? name.slice(slash + 1) : name).split('/')) {
    const problem = pathComponentProblem(component);
    if (problem) return problem;
  }
  // distribution measures the path as normalised (`library/` added on docker.io), or the whole name when
  // the registry-looking first component only matched as a path (see normalize.ts).
  const path = takenAsRegistry && !domainRegexp.test(first) ? name : splitDockerDomain(name).remainder;
  if (path.length > MAX_REPOSITORY_LENGTH) return `repository name is longer than ${MAX_REPOSITORY_LENGTH} characters`;
  return null;
}

/** The first component, when splitDockerDomain took it for a registry. */
function registryProblem(first: string): string | null {
  if (domainRegexp.test(first)) return null;
  // Not a host but a valid path component (`my_registry.local`): accepted, see normalize.ts.
  if (pathComponentRegexp.test(first)) return null;
  if (pathComponentRegexp.test(first.toLowerCase())) return 'repository name must be lowercase';
  if (first.startsWith('[')) {
    const ipv6 = /^\[[a-fA-F0-9:]+\]/.exec(first);
    if (!ipv6) return `invalid IPv6 registry address '${clip(first)}'`;
    return portProblem(first, first.slice(ipv6[0].length));
  }
  if (/^[0-9a-fA-F]*:[0-9a-fA-F]*:[0-9a-fA-F:]*$/.test(first)) {
    return `registry '${clip(first)}' looks like an IPv6 address, which must be in square brackets ([::1]:5000)`;
  }
  const colon = first.indexOf(':');
  const host = colon < 0 ? first : first.slice(0, colon);
  if (host === '') return `registry '${clip(first)}' has no host name`;
  for (const label of host.split('.')) {
    if (label === '') return `registry host '${clip(host)}' has an empty label (a leading, trailing or doubled '.')`;
    const bad = /[^a-zA-Z0-9-]/u.exec(label);
    if (bad) return `invalid character '${show(bad[0])}' in registry host '${clip(host)}'`;
    if (!domainNameComponentRegexp.test(label)) {
      return `registry host label '${clip(label)}' must start and end with a letter or digit`;
    }
  }
  return colon < 0 ? GENERIC_REASON : portProblem(first, first.slice(colon));
}

/** `afterHost` is what follows the host: empty, or `:port`. */
function portProblem(registry: string, afterHost: string): string {
  if (afterHost === ':') return `registry '${clip(registry)}' has an empty port`;
  if (afterHost.startsWith(':')) return `registry port '${clip(afterHost.slice(1))}' is not a number`;
  return `invalid registry '${clip(registry)}'`;
}

function pathComponentProblem(component: string): string | null {
  if (component === '') return "repository name has an empty component (a leading, trailing or doubled '/')";
  if (/[A-Z]/.test(component)) return 'repository name must be lowercase';
  const bad = /[^a-z0-9._-]/u.exec(component);
  if (bad) return `invalid character '${show(bad[0])}' in repository name`;
  if (/^[._-]|[._-]$/.test(component)) {
    return `repository name component '${clip(component)}' must start and end with a letter or digit`;
  }
  for (const run of component.match(/[._-]+/g) ?? []) {
    if (!separatorRegexp.test(run)) {
      return `repository name component '${clip(component)}' has the separator '${clip(run)}' (allowed: '.', '_', '__' or dashes)`;
    }
  }
  return null;
}

function tagProblem(tag: string): string | null {
  if (tag === '') return 'tag is empty';
  const bad = /[^\w.-]/u.exec(tag);
  if (bad) return `invalid character '${show(bad[0])}' in tag`;
  if (/^[.-]/.test(tag)) return `tag may not start with '${tag[0]}'`;
  if (tag.length > MAX_TAG_LENGTH) return `tag is longer than ${MAX_TAG_LENGTH} characters`;
  return null;
}

function digestProblem(digest: string): string | null {
  if (digest === '') return 'digest is empty';
  const colon = digest.indexOf(':');
  if (colon < 0) return 'digest must be written as algorithm:hex (sha256:…)';
  const algorithm = digest.slice(0, colon);
  const encoded = digest.slice(colon + 1);
  if (!digestAlgorithmRegexp.test(algorithm)) return `invalid digest algorithm '${clip(algorithm)}'`;
  const hexLength = DIGEST_HEX_LENGTHS.get(algorithm);
  if (hexLength === undefined) return `unsupported digest algorithm ${clip(algorithm)}`;
  if (encoded.length !== hexLength || !/^[a-f0-9]+$/.test(encoded)) {
    return `${algorithm} digest must be ${hexLength} lowercase hex characters`;
  }
  return null;
}

/**
 * Obvious repairs, applied one after another; the first result the kubelet would accept is the
 * suggestion. Lower-casing covers the registry too: hosts are case-insensitive, and an upper-case first
 * component (`Acme/API`) is almost always a namespace the grammar mistook for a host.
 */
const REPAIRS: ReadonlyArray<(input: string) => string> = [
  (input) => input.trim(),
  (input) => {
    const prefix = SCHEME.exec(input);
    return prefix?.[1] && STRIPPABLE_SCHEMES.has(prefix[1].toLowerCase()) ? input.slice(prefix[0].length) : input;
  },
  (input) => {
    const written = split(input);
    return join({ ...written, name: written.name.toLowerCase() });
  },
  (input) => {
    const written = split(input);
    return join({ ...written, digest: written.digest?.toLowerCase() ?? null });
  },
];

export function suggestRepair(input: string): string | null {
  let candidate = input;
  for (const repair of REPAIRS) {
    candidate = repair(candidate);
    if (candidate !== input && parseNormalizedNamed(candidate)) return candidate;
  }
  return null;
}
