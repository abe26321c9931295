// Builds small but real container images (layer tarball, config, manifests) in memory, in the OCI and
// Docker formats. Every image holds its repository and tag, so each (repository, tag) has its own digests.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  schema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  inToto: 'application/vnd.in-toto+json',
} as const;

export interface Blob {
  mediaType: string;
  digest: string;
  size: number;
  bytes: Buffer;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export const digestOf = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export function blobOf(mediaType: string, bytes: Buffer): Blob {
  return { mediaType, digest: digestOf(bytes), size: bytes.length, bytes };
}

/** `linux/arm64/v8` → {os, architecture, variant}. */
export function parsePlatform(text: string): Platform {
  const [os, architecture, variant] = text.split('/');
  if (!os || !architecture) throw new Error(`harness: platform ${JSON.stringify(text)} is not os/arch[/variant]`);
  return { os, architecture, ...(variant ? { variant } : {}) };
}

/**
 * A one-file ustar archive. Written by hand (≈20 lines) rather than adding a tar dependency for tests:
 * 512-byte header, the content padded to 512, two zero blocks.
 */
function tarWithOneFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const field = (offset: number, text: string): void => void header.write(text, offset, 'ascii');
  field(0, name);
  field(100, '0000644\0');
  field(108, '0000000\0');
  field(116, '0000000\0');
  field(124, content.length.toString(8).padStart(11, '0') + '\0');
  field(136, '00000000000\0');
  field(148, '        '); // checksum is computed with its own field as spaces
  field(156, '0');
  field(257, 'ustar\0');
  field(263, '00');
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  field(148, checksum.toString(8).padStart(6, '0') + '\0 ');
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}

export interface SingleImage {
  manifest: Blob;
  config: Blob;
  layers: Blob[];
}

/** An image manifest (OCI or Docker v2) with one layer and a config naming the platform and the reference. */
export function buildImage(format: 'oci' | 'docker', reference: string, platform: Platform): SingleImage {
  const tar = tarWithOneFile('pullcheck-image.txt', Buffer.from(`${reference} ${platform.os}/${platform.architecture}\n`));
  const layer = blobOf(format === 'oci' ? MEDIA.ociLayer : MEDIA.dockerLayer, gzipSync(tar));
  const configJson = {
    ...platform,
    created: '2026-01-01T00:00:00Z',
    config: { Labels: { 'org.pullcheck.test.reference': reference }, Cmd: ['/bin/true'] },
    rootfs: { type: 'layers', diff_ids: [digestOf(tar)] },
    history: [{ created: '2026-01-01T00:00:00Z', created_by: 'pullcheck test harness' }],
  };
  const config = blobOf(format === 'oci' ? MEDIA.ociConfig : MEDIA.dockerConfig, Buffer.from(JSON.stringify(configJson)));
  const mediaType = format === 'oci' ? MEDIA.ociManifest : MEDIA.dockerManifest;
  const manifest = blobOf(mediaType, manifestJson({ schemaVersion: 2, mediaType, config: descriptor(config), layers: [descriptor(layer)] }));
  return { manifest, config, layers: [layer] };
}

/** What buildx attaches to an index for provenance: an OCI manifest of in-toto layers, platform unknown/unknown. */
export function buildAttestation(reference: string, subject: Blob): SingleImage {
  const statement = blobOf(MEDIA.inToto, Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://slsa.dev/provenance/v0.2', subject: [{ name: reference, digest: { sha256: subject.digest.slice(7) } }], predicate: {} })));
  const config = blobOf(MEDIA.ociConfig, Buffer.from(JSON.stringify({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [statement.digest] } })));
  const layer = { ...descriptor(statement), annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' } };
  const manifest = blobOf(MEDIA.ociManifest, manifestJson({ schemaVersion: 2, mediaType: MEDIA.ociManifest, config: descriptor(config), layers: [layer] }));
  return { manifest, config, layers: [statement] };
}

export interface IndexEntry {
  manifest: Blob;
  platform: Platform;
  annotations?: Record<string, string>;
}

export function buildIndex(format: 'oci' | 'docker', entries: IndexEntry[]): Blob {
  const mediaType = format === 'oci' ? MEDIA.ociIndex : MEDIA.dockerList;
  const manifests = entries.map((entry) => ({ ...descriptor(entry.manifest), platform: entry.platform, ...(entry.annotations ? { annotations: entry.annotations } : {}) }));
  return blobOf(mediaType, manifestJson({ schemaVersion: 2, mediaType, manifests }));
}

export function descriptor(blob: Blob): { mediaType: string; digest: string; size: number } {
  return { mediaType: blob.mediaType, digest: blob.digest, size: blob.size };
}

/** Indented like registries and tools store them; the digest is over exactly these bytes. */
const manifestJson = (value: object): Buffer => Buffer.from(JSON.stringify(value, null, 3));
