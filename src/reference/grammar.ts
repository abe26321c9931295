// The image reference grammar of github.com/distribution/reference (regexp.go), which the kubelet and
// containerd use, rebuilt from the same named pieces so each line can be checked against the original.
//
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [ domain "/" ] path-component [ "/" path-component ]*
//
// Written by hand because no maintained npm package follows this grammar exactly (the kubelet's quirks,
// such as an upper-case first component being a registry, are the point). JavaScript and Go's RE2 pick the
// same submatches for these patterns: both return the leftmost match and, among those, the one a
// backtracking matcher finds first. None of the patterns nests ambiguous repetitions, so matching stays
// close to linear on hostile input.

const optional = (...parts: string[]): string => `(?:${parts.join('')})?`;
const anyTimes = (...parts: string[]): string => `(?:${parts.join('')})*`;
const capture = (...parts: string[]): string => `(${parts.join('')})`;
const anchored = (...parts: string[]): RegExp => new RegExp(`^${parts.join('')}$`);

// ── Path (the repository name after the registry) ────────────────────────────────────────────────────
/** Lower-case letters and digits only: the atom of a path component. */
const alphanumeric = '[a-z0-9]+';
/** Between atoms: one period, one or two underscores, or any number of dashes. */
const separator = '(?:[._]|__|[-]+)';
/** Starts and ends with an atom: `nginx`, `my-app`, `a__b`, `v1.2`. */
const pathComponent = alphanumeric + anyTimes(separator, alphanumeric);
/** `library/nginx`, `acme/team/api`. */
const remoteName = pathComponent + anyTimes('/', pathComponent);

// ── Domain (registry host and optional port) ─────────────────────────────────────────────────────────
/** A DNS label, upper case allowed; no leading or trailing dash. */
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
/** Labels joined by single periods; also covers dotted IPv4 addresses. */
const domainName = domainNameComponent + anyTimes('\\.', domainNameComponent);
/** An IPv6 address in brackets (`[::1]`); zone identifiers are not allowed. */
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';
const host = `(?:${domainName}|${ipv6address})`;
const optionalPort = '(?::[0-9]+)?';
const domainAndPort = host + optionalPort;

// ── Tag and digest ───────────────────────────────────────────────────────────────────────────────────
/** Word characters, periods and dashes, not starting with a period or dash, at most 128 long. */
const tag = '[\\w][\\w.-]{0,127}';
/** `sha256`, `sha256+b64`, `multihash.sha256`: letter-led components joined by `-`, `_`, `+` or `.`. */
const digestAlgorithm = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*';
/** The reference grammar only asks for at least 128 bits of hex; go-digest then checks the algorithm. */
const digest = `${digestAlgorithm}[:][0-9A-Fa-f]{32,}`;

const name = optional(domainAndPort, '/') + remoteName;

/** The whole reference; captures 1 = name, 2 = tag, 3 = digest. */
export const referenceRegexp = anchored(capture(name), optional(':', capture(tag)), optional('@', capture(digest)));
/** A name alone; captures 1 = domain (absent when the first component is not one), 2 = path. */
export const nameRegexp = anchored(optional(capture(domainAndPort), '/'), capture(remoteName));
/** A bare image ID, which ParseNormalizedNamed refuses as a name. */
export const identifierRegexp = anchored('[a-f0-9]{64}');

// The pieces on their own, for explaining what is wrong with a rejected reference.
export const domainRegexp = anchored(domainAndPort);
export const domainNameComponentRegexp = anchored(domainNameComponent);
export const pathComponentRegexp = anchored(pathComponent);
export const separatorRegexp = anchored(separator);
export const digestAlgorithmRegexp = anchored(digestAlgorithm);

/** distribution checks the path (without the registry) against this since reference v0.6.0. */
export const MAX_REPOSITORY_LENGTH = 255;
export const MAX_TAG_LENGTH = 128;

/** The algorithms go-digest registers, with the number of lower-case hex characters each needs. */
export const DIGEST_HEX_LENGTHS: ReadonlyMap<string, number> = new Map([
  ['sha256', 64],
  ['sha384', 96],
  ['sha512', 128],
]);

export const DEFAULT_DOMAIN = 'docker.io';
/** The old "Docker Index" name, normalised to docker.io. */
export const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
/** Docker Hub's namespace for official images: `nginx` is `docker.io/library/nginx`. */
export const OFFICIAL_REPO_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';
export const LOCALHOST = 'localhost';
