// Against the real Distribution registry, anonymous: every status an existing or missing image can get,
// what is read about it (digest, media type, platforms), and how few requests it costs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy } from '../support/fakes.js';
import { pushImage, type PushedImage } from '../support/push.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { refsOf, resolve, resolveOne } from './helpers.js';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
const MISSING_DIGEST = `sha256:${'0'.repeat(64)}`;

let registry: RunningRegistry;
let host: string;
let multi: PushedImage;
let one: PushedImage;
let two: PushedImage;
let armOnly: PushedImage;
let schema1: PushedImage;

beforeAll(async () => {
  registry = await startRegistry();
  host = registry.host;
  multi = await pushImage(registry, 'app', 'latest', { kind: 'oci-index', platforms: ['linux/amd64', 'linux/arm64'], attestations: true });
  one = await pushImage(registry, 'app', '1.4.1', { kind: 'docker', platforms: ['linux/arm/v7'] });
  two = await pushImage(registry, 'app', '1.5.0', { kind: 'oci' });
  await pushImage(registry, 'app', '1.3.0', { kind: 'oci' });
  armOnly = await pushImage(registry, 'team/arm', '2', { kind: 'docker-list', platforms: ['linux/arm64'] });
  schema1 = await pushImage(registry, 'legacy', 'old', { kind: 'schema1' });
});
afterAll(() => registry?.stop());

const requestsTo = (pathPart: string): string[] =>
  registry.requests().filter((r) => r.path.includes(pathPart)).map((r) => `${r.method} ${r.path.split('?')[0]}`);

describe('existing images', () => {
  it('resolves the same image written two ways once, with one HEAD and nothing else when no platform is wanted', async () => {
    registry.clearRequests();
    const results = await resolve([`${host}/app`, `${host}/app:latest`]);
    expect([...results.keys()]).toEqual([`${host}/app:latest`]);
    const r = results.get(`${host}/app:latest`)!;
    expect(r).toMatchObject({ status: 'ok', digest: multi.digest, mediaType: OCI_INDEX, platforms: null, tagDigest: null, authenticated: false });
    expect(r.evidence).toEqual({ httpStatus: 200, errorCode: null, detail: null });
    expect(registry.requests().map((q) => `${q.method} ${q.path}`)).toEqual(['GET /v2/', 'HEAD /v2/app/manifests/latest']);
  });

  it('sends all four manifest media types in Accept', async () => {
    registry.clearRequests();
    await resolveOne(`${host}/app:1.5.0`);
    const head = registry.requests().find((q) => q.method === 'HEAD');
    expect(head?.headers.accept?.split(/,\s*/).sort()).toEqual([
      'application/vnd.docker.distribution.manifest.list.v2+json',
      DOCKER_V2,
      OCI_INDEX,
      'application/vnd.oci.image.manifest.v1+json',
    ]);
  });

  it('reads the platforms of an index, leaving out attestation manifests', async () => {
    registry.clearRequests();
    const r = await resolveOne(`${host}/app:latest`, { platforms: ['linux/amd64'] });
    expect(r).toMatchObject({ status: 'ok', digest: multi.digest, platforms: ['linux/amd64', 'linux/arm64'] });
    expect(requestsTo('/v2/app/')).toEqual(['GET /v2/app/manifests/latest']); // one round trip: the body is needed anyway
  });

  it('reads an arm64-only Docker manifest list', async () => {
    const r = await resolveOne(`${host}/team/arm:2`, { platforms: ['linux/amd64'] });
    expect(r).toMatchObject({ status: 'ok', digest: armOnly.digest, platforms: ['linux/arm64'] });
  });

  it("reads a single image's platform (with variant) from its config blob", async () => {
    registry.clearRequests();
    const r = await resolveOne(`${host}/app:1.4.1`, { platforms: ['linux/amd64'] });
    expect(r).toMatchObject({ status: 'ok', digest: one.digest, mediaType: DOCKER_V2, platforms: ['linux/arm/v7'] });
    expect(requestsTo('/v2/app/')).toEqual(['GET /v2/app/manifests/1.4.1', `GET /v2/app/blobs/${one.configDigest}`]);
  });

  it('verifies a digest reference by asking for that digest', async () => {
    registry.clearRequests();
    const r = await resolveOne(`${host}/app@${two.digest}`);
    expect(r).toMatchObject({ status: 'ok', digest: two.digest, tagDigest: null });
    expect(requestsTo('/v2/app/')).toEqual([`HEAD /v2/app/manifests/${two.digest}`]);
  });

  it('reports where the tag of a tag@digest reference points now', async () => {
    const pinnedOld = await resolveOne(`${host}/app:1.4.1@${two.digest}`);
    expect(pinnedOld).toMatchObject({ status: 'ok', digest: two.digest, tagDigest: one.digest });
    const pinnedRight = await resolveOne(`${host}/app:1.5.0@${two.digest}`);
    expect(pinnedRight).toMatchObject({ status: 'ok', digest: two.digest, tagDigest: two.digest });
  });

  it('recognises a schema 1 manifest by its media type', async () => {
    const r = await resolveOne(`${host}/legacy:old`, { platforms: ['linux/amd64'] });
    expect(r).toMatchObject({ status: 'ok', digest: schema1.digest, mediaType: 'application/vnd.docker.distribution.manifest.v1+prettyjws' });
  });
});

describe('missing images', () => {
  it('tells a missing tag from a missing repository with the tag list, and suggests version neighbours', async () => {
    registry.clearRequests();
    const results = await resolve([`${host}/app:1.4.2`, `${host}/nothing-here:1`]);
    const tag = results.get(`${host}/app:1.4.2`)!;
    expect(tag).toMatchObject({ status: 'tag-not-found', digest: null, suggestions: [`${host}/app:1.4.1`, `${host}/app:1.5.0`, `${host}/app:1.3.0`] });
    expect(tag.evidence).toMatchObject({ httpStatus: 404 });
    const repository = results.get(`${host}/nothing-here:1`)!;
    expect(repository).toMatchObject({ status: 'repository-not-found', suggestions: [] });
    expect(repository.evidence).toMatchObject({ httpStatus: 404, errorCode: 'NAME_UNKNOWN' });
    expect(requestsTo('/tags/list').sort()).toEqual(['GET /v2/app/tags/list', 'GET /v2/nothing-here/tags/list']);
  });

  it('reports a missing digest as digest-not-found, and in a missing repository as repository-not-found', async () => {
    const results = await resolve([`${host}/app@${MISSING_DIGEST}`, `${host}/gone@${MISSING_DIGEST}`]);
    expect(results.get(`${host}/app@${MISSING_DIGEST}`)).toMatchObject({ status: 'digest-not-found', evidence: { httpStatus: 404 } });
    expect(results.get(`${host}/gone@${MISSING_DIGEST}`)).toMatchObject({ status: 'repository-not-found' });
  });

  it('still answers for the digest when the tag of tag@digest is gone (the kubelet pulls the digest)', async () => {
    expect(await resolveOne(`${host}/app:9.9.9@${two.digest}`)).toMatchObject({ status: 'ok', digest: two.digest, tagDigest: null });
  });

  it('suggests the close repositories of the same registry that this run found', async () => {
    const results = await resolve([`${host}/team/arm:2`, `${host}/team/arn:2`, `${host}/tean/arm:3`]);
    expect(results.get(`${host}/team/arn:2`)).toMatchObject({ status: 'repository-not-found', suggestions: [`${host}/team/arm:2`] });
    expect(results.get(`${host}/tean/arm:3`)).toMatchObject({ status: 'repository-not-found', suggestions: [`${host}/team/arm:3`] });
  });
});

it('pings once and spends one HEAD per image for 20 images of one registry', async () => {
  registry.clearRequests();
  const written = Array.from({ length: 20 }, (_, i) => (i % 2 ? `${host}/app:1.5.0` : `${host}/app:tag-${i}`));
  const results = await resolve([...written, ...refsOf(...written).map((r) => r.canonical)]);
  expect(results.size).toBe(11);
  const requests = registry.requests();
  expect(requests.filter((q) => q.path === '/v2/')).toHaveLength(1);
  expect(requests.filter((q) => q.method === 'HEAD')).toHaveLength(11);
});

it('keeps connections alive, HEAD included: 42 requests over at most as many connections as the per-registry limit', async () => {
  const proxy = await startTcpProxy(registry.port, { delayMs: 5 });
  try {
    registry.clearRequests();
    const written = Array.from({ length: 40 }, (_, i) => `${proxy.host}/app:tag-${i}`);
    const results = await resolve(written, { perRegistryConcurrency: 4 });
    expect([...results.values()].every((r) => r.status === 'tag-not-found')).toBe(true);
    expect(registry.requests()).toHaveLength(1 + 40 + 1); // ping, a HEAD per image, one tag list for all
    // + 1 for the HTTPS attempt that finds the loopback registry speaks plain HTTP
    expect(proxy.connections()).toBeLessThanOrEqual(4 + 1);
  } finally {
    await proxy.stop();
  }
});
