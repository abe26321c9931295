import { createHash } from 'node:crypto';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { closedPort, firstRequests, isManifestRequest, schema1Manifest, startFakeRegistry, startTcpProxy, type FakeRegistry } from '../support/fakes.js';
import { FULL_ACCEPT } from './verify.js';

const OCI_MANIFEST = { mediaType: 'application/vnd.oci.image.manifest.v1+json', body: '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}' };
const sha256 = (text: string | Buffer): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;

const running: { stop(): Promise<void> }[] = [];
async function started<T extends { stop(): Promise<void> }>(server: Promise<T>): Promise<T> {
  const value = await server;
  running.push(value);
  return value;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
});

async function get(fake: FakeRegistry, path: string, options: { method?: 'GET' | 'HEAD'; signal?: AbortSignal } = {}) {
  const answer = await request(`${fake.url}${path}`, { method: options.method ?? 'GET', headers: { accept: FULL_ACCEPT }, signal: options.signal });
  const body = await answer.body.text();
  return { status: answer.statusCode, headers: answer.headers, body };
}

describe('fake registry', () => {
  it('answers manifests by tag and by digest, and 404 MANIFEST_UNKNOWN otherwise', async () => {
    const fake = await started(startFakeRegistry({ images: { 'library/app': { '1.0': OCI_MANIFEST } } }));
    const byTag = await get(fake, '/v2/library/app/manifests/1.0', { method: 'HEAD' });
    expect(byTag).toMatchObject({ status: 200, headers: { 'docker-content-digest': sha256(OCI_MANIFEST.body), 'content-type': OCI_MANIFEST.mediaType } });
    expect((await get(fake, `/v2/library/app/manifests/${sha256(OCI_MANIFEST.body)}`)).body).toBe(OCI_MANIFEST.body);
    const missing = await get(fake, '/v2/library/app/manifests/2.0');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).errors[0].code).toBe('MANIFEST_UNKNOWN');
    expect((await get(fake, '/v2/')).status).toBe(200);
  });

  it('pages tags/list with n and last and an RFC 5988 Link header, sorted', async () => {
    const extraTags = { 'library/app': Array.from({ length: 7 }, (_, i) => `v${i}`).reverse() };
    const fake = await started(startFakeRegistry({ extraTags, defaultPageSize: 3 }));
    const pages: string[][] = [];
    let next: string | undefined = '/v2/library/app/tags/list';
    for (let guard = 0; next && guard < 10; guard++) {
      const page = await get(fake, next);
      pages.push(JSON.parse(page.body).tags);
      next = String(page.headers.link ?? '').match(/^<([^>]+)>; rel="next"$/)?.[1];
    }
    expect(pages).toEqual([['v0', 'v1', 'v2'], ['v3', 'v4', 'v5'], ['v6']]);
    expect(JSON.parse((await get(fake, '/v2/library/app/tags/list?n=100')).body).tags).toHaveLength(7);
    expect(JSON.parse((await get(fake, '/v2/library/nothing/tags/list')).body).errors[0].code).toBe('NAME_UNKNOWN');
  });

  it('sends Docker Hub rate-limit headers, spends them on GET only, and answers 429 when spent', async () => {
    const fake = await started(startFakeRegistry({ images: { 'library/app': { '1.0': OCI_MANIFEST } }, rateLimit: { limit: 100, remaining: 1, source: '192.0.2.1' } }));
    const head = await get(fake, '/v2/library/app/manifests/1.0', { method: 'HEAD' });
    expect(head.headers).toMatchObject({ 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '1;w=21600', 'docker-ratelimit-source': '192.0.2.1' });
    expect((await get(fake, '/v2/library/app/manifests/1.0')).headers['ratelimit-remaining']).toBe('0;w=21600');
    const spent = await get(fake, '/v2/library/app/manifests/1.0');
    expect(spent.status).toBe(429);
    expect(JSON.parse(spent.body).errors[0].code).toBe('TOOMANYREQUESTS');
  });

  it('fails the first requests with the status and headers asked for, then recovers', async () => {
    const fake = await started(startFakeRegistry({
      images: { 'library/app': { '1.0': OCI_MANIFEST } },
      fault: firstRequests(2, { status: 429, headers: { 'retry-after': '1' } }, isManifestRequest),
    }));
    expect((await get(fake, '/v2/')).status).toBe(200);
    const limited = await get(fake, '/v2/library/app/manifests/1.0');
    expect(limited).toMatchObject({ status: 429, headers: { 'retry-after': '1' } });
    expect((await get(fake, '/v2/library/app/manifests/1.0')).status).toBe(429);
    expect((await get(fake, '/v2/library/app/manifests/1.0')).status).toBe(200);
    expect(fake.requests().map((entry) => entry.status)).toEqual([200, 429, 429, 200]);
  });

  it('delays answers (a short client timeout gives up first)', async () => {
    const fake = await started(startFakeRegistry({ fault: () => ({ delayMs: 1_000 }) }));
    await expect(get(fake, '/v2/', { signal: AbortSignal.timeout(100) })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(fake.requests()).toEqual([]); // the answer never went out
  });

  it('cuts the connection mid-response, for HEAD and for GET bodies', async () => {
    const fake = await started(startFakeRegistry({ images: { 'library/app': { '1.0': OCI_MANIFEST } }, fault: () => ({ reset: true }) }));
    await expect(get(fake, '/v2/library/app/manifests/1.0', { method: 'HEAD' })).rejects.toThrow();
    await expect(get(fake, '/v2/library/app/manifests/1.0')).rejects.toThrow();
    expect(fake.requests().map((entry) => entry.status)).toEqual([null, null]);
  });

  it('redirects manifests to another loopback port', async () => {
    const target = await started(startFakeRegistry({ images: { 'library/app': { '1.0': OCI_MANIFEST } } }));
    const fake = await started(startFakeRegistry({ fault: (request) => (isManifestRequest(request) ? { redirectTo: target.url } : undefined) }));
    const answer = await get(fake, '/v2/library/app/manifests/1.0');
    expect(answer).toMatchObject({ status: 307, headers: { location: `${target.url}/v2/library/app/manifests/1.0` } });
  });

  it('serves schema 1 manifests whose digest covers the payload without signatures', async () => {
    const manifest = schema1Manifest('library/old', 'latest');
    const fake = await started(startFakeRegistry({ images: { 'library/old': { latest: manifest } } }));
    const answer = await get(fake, '/v2/library/old/manifests/latest');
    expect(answer.headers['content-type']).toBe('application/vnd.docker.distribution.manifest.v1+prettyjws');
    const parsed = JSON.parse(answer.body);
    const protectedHeader = JSON.parse(Buffer.from(parsed.signatures[0].protected, 'base64url').toString('utf8'));
    const payload = answer.body.slice(0, protectedHeader.formatLength) + Buffer.from(protectedHeader.formatTail, 'base64url').toString('utf8');
    expect(answer.headers['docker-content-digest']).toBe(sha256(payload));
    expect(JSON.parse(payload)).toMatchObject({ schemaVersion: 1, name: 'library/old', tag: 'latest' });
  });

  it('records requests with hasAuthorization and without the secret', async () => {
    const fake = await started(startFakeRegistry());
    await request(`${fake.url}/v2/`, { headers: { authorization: 'Basic c2VjcmV0OnNlY3JldA==' } }).then((answer) => answer.body.dump());
    expect(fake.requests()).toMatchObject([{ method: 'GET', path: '/v2/', status: 200, hasAuthorization: true, authScheme: 'basic' }]);
    expect(JSON.stringify(fake.requests())).not.toContain('c2VjcmV0');
  });
});

describe('TCP proxy and closed port', () => {
  it('relays through a delaying proxy and counts connections (one per keep-alive client)', async () => {
    const fake = await started(startFakeRegistry());
    const proxy = await started(startTcpProxy(fake.port, { delayMs: 5 }));
    const keepAlive = new Agent({ connections: 1 });
    for (let i = 0; i < 3; i++) {
      const answer = await request(`http://${proxy.host}/v2/`, { dispatcher: keepAlive });
      expect(await answer.body.text()).toBe('{}');
    }
    expect(proxy.connections()).toBe(1);
    await keepAlive.close();
    for (let i = 0; i < 2; i++) {
      const fresh = new Agent();
      await (await request(`http://${proxy.host}/v2/`, { dispatcher: fresh })).body.dump();
      await fresh.close();
    }
    expect(proxy.connections()).toBe(3);
  });

  it('gives a port where connections are refused', async () => {
    const port = await closedPort();
    await expect(request(`http://127.0.0.1:${port}/v2/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
