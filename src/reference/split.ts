// Splitting an image string into name, tag and digest as text, the way kustomize does (api/image/image.go,
// `Split`): the first `:` or `@` after the first `/` starts the tag or digest, so a registry port is not a
// tag. Not a reference parser (index.ts does that): used where the written text must be taken apart and put
// back together unchanged — kustomize replays and fixes that touch only the tag or the digest.

export interface ImageParts {
  /** Everything before the tag or digest, registry included. */
  name: string;
  tag: string;
  digest: string;
}

/** The first `:` or `@` after the first `/` starts the tag or digest (so a registry port is not a tag). */
export function splitImage(image: string): ImageParts {
  const slash = image.indexOf('/');
  const offset = slash > 0 ? slash : 0;
  const search = image.slice(offset);
  const at = search.indexOf('@');
  const colon = search.indexOf(':');
  if (colon < 0 && at < 0) return { name: image, tag: '', digest: '' };
  if (at >= 0 && (colon < 0 || at < colon)) {
    return { name: image.slice(0, offset + at), tag: '', digest: image.slice(offset + at + 1) };
  }
  if (at >= 0) {
    return { name: image.slice(0, offset + colon), tag: image.slice(offset + colon + 1, offset + at), digest: image.slice(offset + at + 1) };
  }
  return { name: image.slice(0, offset + colon), tag: image.slice(offset + colon + 1), digest: '' };
}

export function joinImage(parts: ImageParts): string {
  return `${parts.name}${parts.tag ? `:${parts.tag}` : ''}${parts.digest ? `@${parts.digest}` : ''}`;
}
