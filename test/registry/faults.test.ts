// What the real registry cannot show: 5xx, resets, slow answers, 429, redirects, pagination, schema 1
// served to a client that must GET — loopback fakes that behave like Docker Hub / GHCR do.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { firstRequests, isManifestRequest, schema1Manifest, fakesStoppedAfterEach, type FakeManifest, type FakeRegistry } from '../support/fakes.js';
import { basic, closedPort, keychainOf, resolve, resolveOne } from './helpers.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const manifest = (name: string): FakeManifest => ({
  mediaType: OCI_MANIFEST,
  body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 2 }, layers: [], annotations: { name } }),
});

const fake = fakesStoppedAfterEach();

const manifestRequests = (registry: FakeRegistry): string[] =>
  registry.requests().filter((r) => isManifestRequest({ method: r.method, path: r.path, index: 0 })).map((r) => `${r.method} ${r.status}`);

describe('retries', () => {
  it('retries 503s and then reports ok', async () => {
    const registry = await fake({ images: { app: { '1': manifest('app') } }, fault: firstRequests(2, { status: 503 }, isManifestRequest) });
    expect(await resolveOne(`${registry.host}/app:1`)).toMatchObject({ status: 'ok' });
    expect(manifestRequests(registry)).toEqual(['HEAD 503', 'HEAD 503', 'HEAD 200']);
  });

  it('gives up after the bounded retries: registry-error, never not-found', async () => {
    const registry = await fake({ images: { app: { '1': manifest('app') } }, fault: (r) => (isManifestRequest(r) ? { status: 503 } : undefined) });
    const r = await resolveOne(`${registry.host}/app:1`, { retries: 2 });
    expect(r).toMatchObject({ status: 'registry-error', evidence: { httpStatus: 503 } });
    expect(r.evidence.detail).toMatch(/manifest 1\) answered HTTP 503 \(3 attempts\)$/);
    expect(manifestRequests(registry)).toEqual(['HEAD 503', 'HEAD 503', 'HEAD 503']);
  });

  it('honours Retry-After on a 503', async () => {
    const registry = await fake({ images: { app: { '1': manifest('app') } }, fault: firstRequests(1, { status: 503, headers: { 'retry-after': '1' } }, isManifestRequest) });
    expect(await resolveOne(`${registry.host}/app:1`)).toMatchObject({ status: 'ok' });
    expect(manifestRequests(registry)).toEqual(['HEAD 503', 'HEAD 200']);
  });

  it('retries a connection cut mid-response', async () => {
    const registry = await fake({ images: { app: { '1': manifest('app') } }, fault: firstRequests(1, { reset: true }, isManifestRequest) });
    expect(await resolveOne(`${registry.host}/app:1`)).toMatchObject({ status: 'ok' });
    expect(manifestRequests(registry)).toEqual(['HEAD null', 'HEAD 200']);
  });

  it('times out a slow answer per request and reports registry-unreachable', async () => {
    const registry = await fake({ images: { app: { '1': manifest('app') } }, fault: (r) => (isManifestRequest(r) ? { delayMs: 3_000 } : undefined) });
    const r = await resolveOne(`${registry.host}/app:1`, { requestTimeoutMs: 200, retries: 1 });
    expect(r).toMatchObject({ status: 'registry-unreachable', evidence: { httpStatus: null } });
    expect(r.evidence.detail).toMatch(/no answer from 127\.0\.0\.1:\d+ within 0\.2 s/);
  });

  it('ends every image at the deadline, however many are waiting', async () => {
    const registry = await fake({ images: { app: { '1': manifest('app') } }, fault: (r) => (isManifestRequest(r) ? { delayMs: 10_000 } : undefined) });
    const written = Array.from({ length: 40 }, (_, i) => `${registry.host}/app:${i}`);
    const results = await resolve(written, { timeoutMs: 400, perRegistryConcurrency: 2 });
    expect(results.size).toBe(40);
    for (const r of results.values()) {
      expect(r.status).toBe('registry-unreachable');
      expect(r.evidence.detail).toMatch(/^deadline of 0\.4 s exceeded/);
    }
  });
});

describe('unreachable registries', () => {
  it('reports a closed port as registry-unreachable (connection refused), never as not found', async () => {
    const r = await resolveOne(`127.0.0.1:${await closedPort()}/app:1`);
    expect(r).toMatchObject({ status: 'registry-unreachable', evidence: { httpStatus: null, errorCode: null } });
    expect(r.evidence.detail).toMatch(/^connection to 127\.0\.0\.1:\d+ refused$/);
  });

  it('shares one failed ping among all images of the registry', async () => {
    const port = await closedPort();
    const results = await resolve([`127.0.0.1:${port}/a:1`, `127.0.0.1:${port}/b:1`, `127.0.0.1:${port}/c@sha256:${'1'.repeat(64)}`]);
    expect([...results.values()].map((r) => r.status)).toEqual(['registry-unreachable', 'registry-unreachable', 'registry-unreachable']);
  });
});

describe('rate limits', () => {
  it('stops at a 429 with a long Retry-After: that image and every later one of the registry are rate-limited', async () => {
    const registry = await fake({
      images: { app: { '1': manifest('app'), '2': manifest('app2') } },
      fault: (r) => (isManifestRequest(r) ? { status: 429, headers: { 'retry-after': '3600' } } : undefined),
    });
    const written = [`${registry.host}/app:1`, `${registry.host}/app:2`, `${registry.host}/app:3`];
    const results = await resolve(written, { perRegistryConcurrency: 1 });
    for (const r of results.values()) {
      expect(r).toMatchObject({ status: 'rate-limited', retryAfterSeconds: 3600, evidence: { httpStatus: 429 } });
      expect(r.evidence.detail).toMatch(/429 Too Many Requests; retry after 3600 s \(\d{4}-\d\d-\d\dT/);
    }
    expect(manifestRequests(registry)).toEqual(['HEAD 429']);
  });

  it('waits out a short Retry-After and then succeeds', async () => {
    const registry = await fake({ images: { app: { '1': manifest('app') } }, fault: firstRequests(1, { status: 429, headers: { 'retry-after': '1' } }, isManifestRequest) });
    expect(await resolveOne(`${registry.host}/app:1`)).toMatchObject({ status: 'ok', retryAfterSeconds: null });
    expect(manifestRequests(registry)).toEqual(['HEAD 429', 'HEAD 200']);
  });

  it('reads Docker Hub quota headers, and spends no manifest GET when no platform is wanted', async () => {
    const registry = await fake({ images: { app: { '1': manifest('app') } }, rateLimit: { limit: 100, remaining: 42, source: '192.0.2.7' } });
    const r = await resolveOne(`${registry.host}/app:1`);
    expect(r).toMatchObject({ status: 'ok', quota: { limit: 100, remaining: 42, windowSeconds: 21600, source: '192.0.2.7' } });
    expect(manifestRequests(registry)).toEqual(['HEAD 200']);
  });
});

describe('refusals', () => {
  it('reports 403 as access-denied, not as missing', async () => {
    const registry = await fake({ images: { app: { '1': manifest('app') } }, fault: (r) => (isManifestRequest(r) ? { status: 403 } : undefined) });
    const r = await resolveOne(`${registry.host}/app:1`);
    expect(r).toMatchObject({ status: 'access-denied', evidence: { httpStatus: 403, errorCode: 'DENIED' } });
  });

  it('strips control characters from what the registry says before it reaches a report', async () => {
    const server = http.createServer((_req, res) => {
      const body = JSON.stringify({ errors: [{ code: 'BROKEN', message: 'first\r\n::error file=x::forged\u001b[31m red' }] });
      res.writeHead(418, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const r = await resolveOne(`127.0.0.1:${(server.address() as AddressInfo).port}/app:1`);
      expect(r).toMatchObject({ status: 'registry-error', evidence: { httpStatus: 418, errorCode: 'BROKEN' } });
      expect(r.evidence.detail).toMatch(/answered HTTP 418 BROKEN: first ::error file=x::forged \[31m red$/);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('redirects', () => {
  it('follows a manifest redirect to another loopback port without the Authorization header', async () => {
    const target = await fake({ images: { app: { '1': manifest('app') } } });
    const registry = await fake({
      fault: (r) =>
        r.path === '/v2/' ? { status: 401, headers: { 'www-authenticate': 'Basic realm="fake"' } }
        : isManifestRequest(r) ? { redirectTo: target.url }
        : undefined,
    });
    const keychain = keychainOf({ [registry.host]: basic('user', 'secret-password') });
    expect(await resolveOne(`${registry.host}/app:1`, { keychain })).toMatchObject({ status: 'ok', authenticated: true });
    expect(registry.requests().filter((q) => q.path === '/v2/app/manifests/1').map((q) => [q.status, q.authScheme])).toEqual([[307, 'basic']]);
    expect(target.requests().map((q) => [q.method, q.path, q.hasAuthorization])).toEqual([['HEAD', '/v2/app/manifests/1', false]]);
  });
});

describe('tag lists and suggestions', () => {
  it('follows Link pagination to suggest neighbours from the last page', async () => {
    const tags = Array.from({ length: 50 }, (_, minor) => Array.from({ length: 50 }, (_, patch) => `1.${minor}.${patch}`)).flat().filter((t) => t !== '1.9.25');
    const registry = await fake({ images: { app: { '1.0.0': manifest('app') } }, extraTags: { app: tags } });
    const r = await resolveOne(`${registry.host}/app:1.9.25`);
    expect(r).toMatchObject({ status: 'tag-not-found', suggestions: [`${registry.host}/app:1.9.24`, `${registry.host}/app:1.9.26`, `${registry.host}/app:1.9.23`] });
    const pages = registry.requests().filter((q) => q.path.includes('/tags/list')).map((q) => new URL(q.path, 'http://x').searchParams);
    expect(pages.map((p) => p.get('n'))).toEqual(['1000', '1000', '1000']);
    expect(pages.map((p) => p.has('last'))).toEqual([false, true, true]);
  });
});

describe('manifests that need a GET', () => {
  it('recognises schema 1 by its media type and verifies its digest over the payload when HEAD is refused', async () => {
    const old = schema1Manifest('legacy', 'old');
    const registry = await fake({ images: { legacy: { old } }, fault: (r) => (r.method === 'HEAD' ? { status: 405 } : undefined) });
    const r = await resolveOne(`${registry.host}/legacy:old`);
    expect(r).toMatchObject({ status: 'ok', digest: old.digest, mediaType: 'application/vnd.docker.distribution.manifest.v1+prettyjws' });
    expect(manifestRequests(registry)).toEqual(['HEAD 405', 'GET 200']);
  });

  it('does not trust a body whose digest is not the one claimed', async () => {
    const forged = `sha256:${'b'.repeat(64)}`;
    const index = { mediaType: 'application/vnd.oci.image.index.v1+json', body: JSON.stringify({ schemaVersion: 2, manifests: [] }), digest: forged };
    const registry = await fake({ images: { app: { '1': index } } });
    const r = await resolveOne(`${registry.host}/app:1`, { platforms: ['linux/amd64'] });
    expect(r).toMatchObject({ status: 'registry-error', digest: null });
    expect(r.evidence.detail).toMatch(/^digest mismatch/);
  });
});
