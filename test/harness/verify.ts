// Checks shared by the harness smoke tests: push each kind of image, then ask for it with plain undici
// requests the way a careful client would (HEAD, all four manifest media types in Accept).
import { expect } from 'vitest';
import { request, type Dispatcher } from 'undici';
import { pushImage, type PushedImage } from '../support/push.js';
import type { RunningRegistry } from '../support/registry.js';

export const FULL_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface HeadAnswer {
  status: number;
  digest: string | undefined;
  contentType: string | undefined;
  challenge: string | undefined;
}

export async function headManifest(url: string, repository: string, reference: string, options: { authorization?: string; dispatcher?: Dispatcher } = {}): Promise<HeadAnswer> {
  const answer = await request(`${url}/v2/${repository}/manifests/${reference}`, {
    method: 'HEAD',
    headers: { accept: FULL_ACCEPT, ...(options.authorization ? { authorization: options.authorization } : {}) },
    dispatcher: options.dispatcher,
  });
  await answer.body.dump();
  const header = (name: string): string | undefined => {
    const value = answer.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return { status: answer.statusCode, digest: header('docker-content-digest'), contentType: header('content-type'), challenge: header('www-authenticate') };
}

/** Pushes the six kinds of images the registry tests rely on and checks each answers HEAD with its digest. */
export async function pushAndCheckEveryKind(
  registry: RunningRegistry,
  repository: string,
  options: { authorization?: (repository: string) => Promise<string>; dispatcher?: Dispatcher } = {},
): Promise<Record<string, PushedImage>> {
  const pushed: Record<string, PushedImage> = {
    oci: await pushImage(registry, repository, 'oci', { kind: 'oci' }),
    docker: await pushImage(registry, repository, 'docker', { kind: 'docker' }),
    'oci-index': await pushImage(registry, repository, 'oci-index', { kind: 'oci-index' }),
    'docker-list': await pushImage(registry, repository, 'docker-list', { kind: 'docker-list' }),
    'arm64-only': await pushImage(registry, repository, 'arm64-only', { kind: 'oci-index', platforms: ['linux/arm64'] }),
    schema1: await pushImage(registry, repository, 'schema1', { kind: 'schema1' }),
  };
  const authorization = options.authorization ? await options.authorization(repository) : undefined;
  for (const [tag, image] of Object.entries(pushed)) {
    const answer = await headManifest(registry.url, repository, tag, { authorization, dispatcher: options.dispatcher });
    expect({ tag, status: answer.status, digest: answer.digest, contentType: answer.contentType }).toEqual({ tag, status: 200, digest: image.digest, contentType: image.mediaType });
  }
  const digests = Object.values(pushed).map((image) => image.digest);
  expect(new Set(digests).size).toBe(digests.length);
  return pushed;
}

/** True while a process with this PID exists. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
