// Where credentials go and how they are exchanged, beyond what the real registry's token server shows:
// the OAuth2 POST fallback, plain HTTP, and proxies (HTTP_PROXY) for registries that are not loopback.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeRegistry, type FakeRegistry, type FakeRegistryOptions } from '../support/fakes.js';
import { basic, keychainOf, resolveOne } from './helpers.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const image = { app: { '1': { mediaType: OCI_MANIFEST, body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, layers: [] }) } } };

interface SeenTokenRequest {
  method: string;
  authorization: string | null;
}

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** A token service without the OAuth2 POST endpoint (404), like GCR's: GET with Basic only. */
async function startGetOnlyTokenService(): Promise<{ realm: string; seen: SeenTokenRequest[] }> {
  const seen: SeenTokenRequest[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', authorization: req.headers.authorization ?? null });
    if (req.method !== 'GET') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: 'registry-token', expires_in: 300 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  stops.push(() => new Promise((r) => server.close(() => r())));
  return { realm: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`, seen };
}

async function fake(options: FakeRegistryOptions): Promise<FakeRegistry> {
  const registry = await startFakeRegistry(options);
  stops.push(() => registry.stop());
  return registry;
}

describe('identity (refresh) tokens', () => {
  it('fall back from the OAuth2 POST to GET with Basic when the token service answers 404', async () => {
    const tokens = await startGetOnlyTokenService();
    const registry = await fake({
      images: image,
      fault: (r) => (r.path === '/v2/' ? { status: 401, headers: { 'www-authenticate': `Bearer realm="${tokens.realm}",service="fake"` } } : undefined),
    });
    const keychain = keychainOf({ [registry.host]: { kind: 'identity', token: 'refresh-secret', username: 'me', source: 'docker config' } });
    expect(await resolveOne(`${registry.host}/app:1`, { keychain })).toMatchObject({ status: 'ok', authenticated: true });
    expect(tokens.seen).toEqual([
      { method: 'POST', authorization: null },
      { method: 'GET', authorization: `Basic ${Buffer.from('me:refresh-secret').toString('base64')}` },
    ]);
    expect(registry.requests().find((q) => q.method === 'HEAD')?.authScheme).toBe('bearer');
  });
});

describe('a registry that is not loopback, through HTTP_PROXY', () => {
  const saved = { HTTP_PROXY: process.env.HTTP_PROXY, HTTPS_PROXY: process.env.HTTPS_PROXY, NO_PROXY: process.env.NO_PROXY };
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const fast = { requestTimeoutMs: 300, retries: 0 };

  /** The fake registry doubles as a forward proxy: it answers absolute-form requests (`GET http://…/v2/`). */
  async function behindProxy(fault?: FakeRegistryOptions['fault']): Promise<FakeRegistry> {
    const registry = await fake({ images: image, fault });
    process.env.HTTP_PROXY = registry.url;
    process.env.HTTPS_PROXY = registry.url; // the fake leaves CONNECT unanswered: HTTPS times out through it
    delete process.env.NO_PROXY;
    return registry;
  }

  it('uses plain HTTP only when the registry is marked insecure', async () => {
    const proxy = await behindProxy();
    const secure = await resolveOne('registry.test:5000/app:1', fast);
    expect(secure.status).toBe('registry-unreachable');
    expect(proxy.requests()).toEqual([]);
    const insecure = await resolveOne('registry.test:5000/app:1', { ...fast, registries: { 'registry.test:5000': { insecure: true } } });
    expect(insecure).toMatchObject({ status: 'ok' });
    expect(proxy.requests().map((q) => `${q.method} ${q.path}`)).toEqual(['GET http://registry.test:5000/v2/', 'HEAD http://registry.test:5000/v2/app/manifests/1']);
  });

  it('never sends a password over plain HTTP to a host that is not loopback', async () => {
    const proxy = await behindProxy((r) => (r.path.endsWith('/v2/') ? { status: 401, headers: { 'www-authenticate': 'Basic realm="x"' } } : undefined));
    const keychain = keychainOf({ 'registry.test:5000': basic('user', 'plain-http-secret') });
    const r = await resolveOne('registry.test:5000/app:1', { ...fast, keychain, registries: { 'registry.test:5000': { insecure: true } } });
    expect(r).toMatchObject({ status: 'unauthorized', authenticated: false });
    expect(r.evidence.detail).toBe('registry.test:5000 is plain HTTP; the credentials from test keychain are not sent over it');
    expect(proxy.requests().every((q) => !q.hasAuthorization)).toBe(true);
  });
});

describe('a keychain that fails', () => {
  it('leaves the image unverified with the reason, never calls it missing', async () => {
    const registry = await fake({
      images: image,
      fault: (r) => (r.path === '/v2/' ? { status: 401, headers: { 'www-authenticate': 'Basic realm="x"' } } : undefined),
    });
    const keychain = { resolve: async () => Promise.reject(new Error('docker-credential-desktop\u001b[0m not found')) };
    const r = await resolveOne(`${registry.host}/app:1`, { keychain });
    expect(r).toMatchObject({ status: 'unverified', evidence: { httpStatus: null } });
    expect(r.evidence.detail).toBe(`reading the credentials for ${registry.host} failed: docker-credential-desktop [0m not found`);
  });
});
