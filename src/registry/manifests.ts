// Does the image exist, and what is it? HEAD the manifest (no body, and on Docker Hub no quota) when no
// platform is wanted; when platforms are wanted, GET it at once (Docker Hub: HEAD, then GET by digest),
// plus a single manifest's config blob for its platform; GET too for a registry that refuses HEAD. Every
// body fetched is checked against its digest.
import type { Evidence, ImageStatus } from '../model.js';
import type { ImageReference } from '../reference/index.js';
import { digestedBytes, digestOf } from './digest.js';
import type { RegistryHost, Trace } from './host.js';
import { bareMediaType, isImageConfig, isImageManifest, isIndex, MANIFEST_ACCEPT } from './media-types.js';
import { closestTags } from './suggest.js';
import { listTags } from './tags.js';
import { cleanText } from './text.js';
import { registryErrorOf, unexpectedAnswer, verdict, type Verdict } from './verdict.js';

/** Distribution refuses manifests over 4 MiB. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_CONFIG_BYTES = 8 * 1024 * 1024;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export interface Outcome {
  status: ImageStatus;
  digest: string | null;
  mediaType: string | null;
  platforms: string[] | null;
  evidence: Evidence;
  suggestions: string[];
  tagDigest: string | null;
}

export interface Check {
  host: RegistryHost;
  trace: Trace;
  /** Fill `platforms` (costs a body: the index, or the manifest and its config blob). */
  wantPlatforms: boolean;
  /**
   * On a 404, ask tags/list whether the repository exists and which tags are close. False for a mirror
   * that is not the last host asked: its 404 only hands over to the next host.
   */
  triage: boolean;
}

type Answer =
  | { kind: 'found'; digest: string | null; mediaType: string | null; body: Buffer | null }
  | { kind: 'missing'; errorCode: string | null }
  | { kind: 'head-unsupported' };

export async function checkReference(check: Check, ref: ImageReference): Promise<Outcome> {
  if (!ref.digest) return { ...(await findManifest(check, ref, ref.tag ?? 'latest')), tagDigest: null };
  // The kubelet pulls the digest: it decides the status. The tag is only read to tell whether it moved.
  const [outcome, tagDigest] = await Promise.all([
    findManifest(check, ref, ref.digest),
    ref.tag && !ref.tagDefaulted ? currentDigest(check, ref.repository, ref.tag) : null,
  ]);
  return { ...outcome, tagDigest };
}

async function findManifest(check: Check, ref: ImageReference, reference: string): Promise<Omit<Outcome, 'tagDigest'>> {
  const { host } = check;
  // With platforms wanted the body is needed anyway: GET it at once, one round trip instead of HEAD + GET
  // (docs/benchmarks.md). Docker Hub keeps HEAD first: a HEAD spends no pull quota, so a missing image or
  // one whose media type needs no body costs none.
  const headFirst = !host.headUnsupported && !(check.wantPlatforms && !host.isDockerHub);
  let answer: Answer | null = headFirst ? await ask(check, ref.repository, reference, 'HEAD') : null;
  if (answer?.kind === 'head-unsupported') {
    host.headUnsupported = true;
    answer = null;
  }
  // No HEAD, or a HEAD without Docker-Content-Digest: only the body can tell the digest.
  if (answer === null || (answer.kind === 'found' && answer.digest === null)) answer = await ask(check, ref.repository, reference, 'GET');
  if (answer.kind === 'head-unsupported') throw verdict('registry-error', 405, `${host.name} refuses GET on manifests`);
  if (answer.kind === 'missing') {
    if (check.triage) return notFound(check, ref, reference, answer.errorCode);
    const status = reference === ref.digest ? 'digest-not-found' : 'tag-not-found';
    return { status, digest: null, mediaType: null, platforms: null, suggestions: [], evidence: { httpStatus: 404, errorCode: answer.errorCode, detail: `no manifest ${reference}` } };
  }

  let { mediaType, body } = answer;
  const digest = answer.digest as string;
  let platforms: string[] | null = null;
  if (check.wantPlatforms && (isIndex(mediaType) || isImageManifest(mediaType))) {
    if (!body) {
      const full = await ask(check, ref.repository, digest, 'GET');
      if (full.kind !== 'found') throw verdict('registry-error', null, `${host.name} listed manifest ${digest} for ${ref.repository} but did not serve it`);
      ({ mediaType, body } = full);
    }
    const manifest = parseJson(body, `manifest ${digest}`);
    platforms = isIndex(mediaType) ? platformsOfIndex(manifest) : await platformOfImage(check, ref.repository, manifest);
  }
  return { status: 'ok', digest, mediaType, platforms, evidence: { httpStatus: 200, errorCode: null, detail: null }, suggestions: [] };
}

/** The digest `tag` points at now; null when it cannot be told (missing tag, any failure): it is only a hint. */
async function currentDigest(check: Check, repository: string, tag: string): Promise<string | null> {
  try {
    const answer = await ask(check, repository, tag, check.host.headUnsupported ? 'GET' : 'HEAD');
    return answer.kind === 'found' ? answer.digest : null;
  } catch {
    return null;
  }
}

async function ask(check: Check, repository: string, reference: string, method: 'HEAD' | 'GET'): Promise<Answer> {
  const response = await check.host.request(check.trace, repository, {
    method,
    path: `/v2/${repository}/manifests/${reference}`,
    headers: { accept: MANIFEST_ACCEPT },
    maxBodyBytes: method === 'GET' ? MAX_MANIFEST_BYTES : 0,
  });
  const { status, headers } = response;
  if (status === 404) return { kind: 'missing', errorCode: registryErrorOf(response.body).code };
  if ((status === 405 || status === 501) && method === 'HEAD') return { kind: 'head-unsupported' };
  if (status === 403) {
    const { code, message } = registryErrorOf(response.body);
    throw verdict('access-denied', 403, `${check.host.name} denied access to ${repository}${message ? `: ${message}` : ''}`, code ?? 'DENIED');
  }
  if (status !== 200) throw unexpectedAnswer(`${check.host.name} (${method} manifest ${reference})`, response);

  const claimed = typeof headers['docker-content-digest'] === 'string' && DIGEST.test(headers['docker-content-digest'])
    ? headers['docker-content-digest']
    : null;
  const requested = DIGEST.test(reference) ? reference : null;
  let mediaType = bareMediaType(headers['content-type']);
  if (!response.body) {
    if (requested && claimed && claimed !== requested) throw mismatch(check, reference, claimed);
    return { kind: 'found', digest: requested ?? claimed, mediaType, body: null };
  }
  mediaType ??= mediaTypeInBody(response.body);
  const expected = requested ?? claimed;
  const computed = digestOf(digestedBytes(response.body, mediaType), expected ?? 'sha256:');
  if (computed === null) throw verdict('registry-error', 200, `cannot verify a ${(expected ?? '').split(':')[0]} digest`);
  for (const digest of [requested, claimed]) if (digest && digest !== computed) throw mismatch(check, reference, computed);
  return { kind: 'found', digest: computed, mediaType, body: response.body };
}

function mismatch(check: Check, reference: string, got: string): Verdict {
  return verdict('registry-error', 200, `digest mismatch: ${check.host.name} served ${got} for ${reference}; the content was not trusted`);
}

async function notFound(check: Check, ref: ImageReference, reference: string, errorCode: string | null): Promise<Omit<Outcome, 'tagDigest'>> {
  const listing = await listTags(check.host, check.trace, ref.repository);
  const empty = { digest: null, mediaType: null, platforms: null, suggestions: [] as string[] };
  if (listing.kind === 'no-repository') {
    const code = listing.errorCode ?? 'NAME_UNKNOWN';
    return { ...empty, status: 'repository-not-found', evidence: { httpStatus: 404, errorCode: code, detail: `its tag list answered 404 ${code}` } };
  }
  const unsure = listing.kind === 'unknown' ? `; whether the repository exists is unknown: ${listing.why}` : '';
  if (reference === ref.digest) {
    return { ...empty, status: 'digest-not-found', evidence: { httpStatus: 404, errorCode, detail: `no manifest ${reference} in ${ref.repository}${unsure}` } };
  }
  // Suggestions are full references (`registry/repository:tag`), the judge restyles them as the user wrote.
  const suggestions = listing.kind === 'tags' ? closestTags(reference, listing.tags).map((tag) => `${ref.name}:${tag}`) : [];
  const counted = listing.kind === 'tags' ? `; ${listing.tags.length} other tag${listing.tags.length === 1 ? '' : 's'} exist` : '';
  return { ...empty, status: 'tag-not-found', suggestions, evidence: { httpStatus: 404, errorCode, detail: `no tag ${reference}${counted}${unsure}` } };
}

function parseJson(body: Buffer | null, what: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body?.toString('utf8') ?? '');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw verdict('registry-error', 200, `${what} is not a JSON object`);
}

function mediaTypeInBody(body: Buffer): string | null {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { mediaType?: unknown };
    return typeof parsed.mediaType === 'string' ? parsed.mediaType : null;
  } catch {
    return null;
  }
}

interface Platform {
  os?: unknown;
  architecture?: unknown;
  variant?: unknown;
}

function platformName(p: Platform): string | null {
  if (typeof p.os !== 'string' || typeof p.architecture !== 'string') return null;
  if (p.os === 'unknown' || p.architecture === 'unknown') return null; // BuildKit attestations
  const name = `${p.os}/${p.architecture}${typeof p.variant === 'string' && p.variant ? `/${p.variant}` : ''}`;
  return cleanText(name, 60);
}

/** `os/arch[/variant]` of the index's entries; attestation manifests (unknown/unknown) are not platforms. */
function platformsOfIndex(index: Record<string, unknown>): string[] {
  const entries = Array.isArray(index.manifests) ? (index.manifests as Array<{ platform?: Platform; annotations?: Record<string, unknown> }>) : [];
  const names = entries
    .filter((e) => e?.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest')
    .map((e) => (e?.platform ? platformName(e.platform) : null))
    .filter((n): n is string => n !== null);
  return [...new Set(names)];
}

/** The platform in a single manifest's config blob (blob GETs cost no Docker Hub quota); null for non-images. */
async function platformOfImage(check: Check, repository: string, manifest: Record<string, unknown>): Promise<string[] | null> {
  const config = manifest.config as { mediaType?: unknown; digest?: unknown; size?: unknown } | undefined;
  if (!config || !isImageConfig(config.mediaType) || typeof config.digest !== 'string' || !DIGEST.test(config.digest)) return null;
  if (typeof config.size === 'number' && config.size > MAX_CONFIG_BYTES) return null;
  const response = await check.host.request(check.trace, repository, {
    method: 'GET',
    path: `/v2/${repository}/blobs/${config.digest}`,
    maxBodyBytes: MAX_CONFIG_BYTES,
  });
  if (response.status !== 200) throw unexpectedAnswer(`${check.host.name} (config blob ${config.digest})`, response);
  const body = response.body ?? Buffer.alloc(0);
  if (digestOf(body, config.digest) !== config.digest) throw mismatch(check, config.digest, digestOf(body, config.digest) ?? 'unknown');
  const name = platformName(parseJson(body, `config blob ${config.digest}`) as Platform);
  return name ? [name] : [];
}
