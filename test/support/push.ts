// Pushes real images through the registry API, without docker: each blob by POST /v2/<name>/blobs/uploads/
// (202 + Location) then PUT Location&digest=… (201), child manifests by digest, then the tagged manifest.
// Schema 1 images too: Distribution signs them for us (see pushSchema1).
import { HarnessClient, type HarnessResponse } from './harness-client.js';
import { MEDIA, buildAttestation, buildImage, buildIndex, parsePlatform, type Blob, type IndexEntry, type SingleImage } from './images.js';
import type { RunningRegistry } from './registry.js';

export type ImageKind = 'oci' | 'docker' | 'oci-index' | 'docker-list' | 'schema1';

export interface PushOptions {
  kind?: ImageKind;
  /** Default ['linux/amd64'] for single images (only the first is used, in the config's os/architecture)
   * and ['linux/amd64', 'linux/arm64'] for indexes. */
  platforms?: string[];
  /** Add buildx-style attestation manifests (platform unknown/unknown) to an index. */
  attestations?: boolean;
}

export interface PushedImage {
  digest: string;
  /** schema1: `application/vnd.docker.distribution.manifest.v1+prettyjws`. */
  mediaType: string;
  /** For indexes: every entry in order, attestations included (platform `unknown/unknown`). */
  children?: { platform: string; digest: string }[];
  /** Single OCI / Docker v2 images only. */
  configDigest?: string;
}

type Target = Pick<RunningRegistry, 'direct' | 'admin'>;

function expectStatus(response: HarnessResponse, wanted: number, what: string): void {
  if (response.status !== wanted) {
    throw new Error(`harness: ${what} answered ${response.status} (wanted ${wanted}): ${response.body.toString('utf8').slice(0, 300)}`);
  }
}

export async function pushBlob(client: HarnessClient, repository: string, blob: Blob): Promise<void> {
  const started = await client.send('POST', `/v2/${repository}/blobs/uploads/`);
  expectStatus(started, 202, `POST blob upload in ${repository}`);
  const location = new URL(String(started.headers.location), `${client.baseUrl}/`);
  location.searchParams.set('digest', blob.digest);
  const finished = await client.send('PUT', location.href, { headers: { 'content-type': 'application/octet-stream' }, body: blob.bytes });
  expectStatus(finished, 201, `PUT blob ${blob.digest} in ${repository}`);
}

export async function pushManifest(client: HarnessClient, repository: string, reference: string, manifest: Blob): Promise<void> {
  const answer = await client.send('PUT', `/v2/${repository}/manifests/${reference}`, { headers: { 'content-type': manifest.mediaType }, body: manifest.bytes });
  expectStatus(answer, 201, `PUT manifest ${repository}:${reference}`);
  const digest = answer.headers['docker-content-digest'];
  if (digest !== manifest.digest) throw new Error(`harness: registry stored ${repository}:${reference} as ${String(digest)}, expected ${manifest.digest}`);
}

async function pushImageParts(client: HarnessClient, repository: string, reference: string, image: SingleImage): Promise<void> {
  for (const blob of [image.config, ...image.layers]) await pushBlob(client, repository, blob);
  await pushManifest(client, repository, reference, image.manifest);
}

export async function pushImage(registry: Target, repository: string, tag: string, options: PushOptions = {}): Promise<PushedImage> {
  const kind = options.kind ?? 'oci';
  const isIndex = kind === 'oci-index' || kind === 'docker-list';
  if (options.attestations && kind !== 'oci-index') throw new Error(`harness: attestations only go into an oci-index (buildx adds none elsewhere), not ${kind}`);
  const platforms = options.platforms ?? (isIndex ? ['linux/amd64', 'linux/arm64'] : ['linux/amd64']);
  const reference = `${repository}:${tag}`;
  const client = new HarnessClient(registry);
  try {
    if (kind === 'schema1') return await pushSchema1(client, repository, tag, buildImage('docker', reference, parsePlatform(platforms[0] ?? 'linux/amd64')));
    if (!isIndex) {
      const image = buildImage(kind, reference, parsePlatform(platforms[0] ?? 'linux/amd64'));
      await pushImageParts(client, repository, tag, image);
      return { digest: image.manifest.digest, mediaType: image.manifest.mediaType, configDigest: image.config.digest };
    }
    const format = kind === 'oci-index' ? 'oci' : 'docker';
    const entries: IndexEntry[] = [];
    for (const text of platforms) {
      const platform = parsePlatform(text);
      const child = buildImage(format, reference, platform);
      await pushImageParts(client, repository, child.manifest.digest, child);
      entries.push({ manifest: child.manifest, platform });
      if (options.attestations) {
        const attestation = buildAttestation(reference, child.manifest);
        await pushImageParts(client, repository, attestation.manifest.digest, attestation);
        entries.push({
          manifest: attestation.manifest,
          platform: { os: 'unknown', architecture: 'unknown' },
          annotations: { 'vnd.docker.reference.digest': child.manifest.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
        });
      }
    }
    const index = buildIndex(format, entries);
    await pushManifest(client, repository, tag, index);
    const children = entries.map((entry) => ({ platform: platformText(entry), digest: entry.manifest.digest }));
    return { digest: index.digest, mediaType: index.mediaType, children };
  } finally {
    await client.close();
  }
}

/**
 * Schema 1 manifests must carry a libtrust JWS signature. Rather than sign one by hand, let Distribution do
 * it: a Docker v2 manifest fetched by tag without an Accept header comes back converted to a signed
 * schema 1 manifest, which is PUT back under the same tag (the registry config enables schema 1 PUTs).
 */
async function pushSchema1(client: HarnessClient, repository: string, tag: string, image: SingleImage): Promise<PushedImage> {
  await pushImageParts(client, repository, tag, image);
  const converted = await client.send('GET', `/v2/${repository}/manifests/${tag}`);
  expectStatus(converted, 200, `GET ${repository}:${tag} as schema 1`);
  const mediaType = String(converted.headers['content-type']);
  if (mediaType !== MEDIA.schema1Signed) throw new Error(`harness: expected a schema 1 conversion of ${repository}:${tag}, got ${mediaType}`);
  const stored = await client.send('PUT', `/v2/${repository}/manifests/${tag}`, { headers: { 'content-type': mediaType }, body: converted.body });
  expectStatus(stored, 201, `PUT schema 1 manifest ${repository}:${tag}`);
  return { digest: String(stored.headers['docker-content-digest']), mediaType }; // schema 1 has no config blob
}

function platformText({ platform }: IndexEntry): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}
