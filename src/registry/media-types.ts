// Manifest media types (OCI image spec, Docker image manifest v2 schema 2 and schema 1).

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_SCHEMA1 = 'application/vnd.docker.distribution.manifest.v1+json';
export const DOCKER_SCHEMA1_SIGNED = 'application/vnd.docker.distribution.manifest.v1+prettyjws';

const IMAGE_CONFIGS = new Set(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json']);

/**
 * All four current types, always: Distribution answers 404 for an OCI manifest asked for without the OCI
 * type, rewrites a Docker v2 manifest to schema 1 when no Accept is sent, and hands out the amd64 child of
 * a list asked for with only the v2 type. Schema 1 is not asked for; it is recognised when it comes back.
 */
export const MANIFEST_ACCEPT = [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST].join(', ');

/** The media type without parameters (`; charset=utf-8`), lower-case; null when absent. */
export function bareMediaType(contentType: string | string[] | undefined): string | null {
  const value = Array.isArray(contentType) ? contentType[0] : contentType;
  const bare = value?.split(';')[0]?.trim().toLowerCase();
  return bare ? bare : null;
}

export function isIndex(mediaType: string | null): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_LIST;
}

export function isImageManifest(mediaType: string | null): boolean {
  return mediaType === OCI_MANIFEST || mediaType === DOCKER_MANIFEST;
}

export function isSchema1(mediaType: string | null): boolean {
  return mediaType === DOCKER_SCHEMA1 || mediaType === DOCKER_SCHEMA1_SIGNED;
}

export function isImageConfig(mediaType: unknown): boolean {
  return typeof mediaType === 'string' && IMAGE_CONFIGS.has(mediaType);
}
