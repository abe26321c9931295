// Fault matrix, redirects: loops (on one host, and between two), a redirect to a host that then asks for
// credentials (none follow), and a redirect from HTTPS down to plain HTTP. Redirects of a manifest to
// another host without the Authorization header are in test/registry/faults.test.ts and
// test/credentials/leaks.test.ts; to metadata addresses in test/hostile/network-safety.test.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isManifestRequest, startFakeRegistry, type FakeRegistry, type FakeRegistryOptions } from '../support/fakes.js';
import { makeTlsMaterial } from '../support/tls.js';
import { basic, keychainOf, resolveOne } from '../registry/helpers.js';
import { fakeDns, withoutProxyEnvironment } from './dns.js';
import { expectNotCalledMissing, timed } from './servers.js';

withoutProxyEnvironment();

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});
async function fake(options: FakeRegistryOptions): Promise<FakeRegistry> {
  const started = await startFakeRegistry(options);
  stops.push(started.stop);
  return started;
}

const manifestHits = (registry: FakeRegistry): number => registry.requests().filter((q) => q.path.includes('/manifests/')).length;

describe('redirect loops', () => {
  it('stops a manifest that redirects to itself after 5 redirects: registry-error, not retried', async () => {
    let self = '';
    const registry = await fake({ fault: (r) => (isManifestRequest(r) ? { redirectTo: self } : undefined) });
    self = registry.url;
    const { value: r, ms } = await timed(() => resolveOne(`${registry.host}/app:1`));
    expect(r).toMatchObject({ status: 'registry-error', evidence: { httpStatus: null } });
    expect(r.evidence.detail).toBe(`${registry.host} redirected more than 5 times`);
    expect(manifestHits(registry)).toBe(6);
    expect(ms).toBeLessThan(3_000);
  });

  it('stops two registries redirecting to each other the same way', async () => {
    let other = '';
    const first = await fake({ fault: (r) => (isManifestRequest(r) ? { redirectTo: other } : undefined) });
    const second = await fake({ fault: (r) => (isManifestRequest(r) ? { redirectTo: first.url } : undefined) });
    other = second.url;
    const r = await resolveOne(`${first.host}/app:1`);
    expect(r.evidence.detail).toBe(`${first.host} redirected more than 5 times`);
    expect(manifestHits(first) + manifestHits(second)).toBe(6);
    expectNotCalledMissing([r]);
  });
});

describe('where a redirect leads', () => {
  it('sends no credentials to the host a redirect leads to, even when it asks for them: unauthorized there', async () => {
    const elsewhere = await fake({ fault: () => ({ status: 401, headers: { 'www-authenticate': 'Basic realm="elsewhere"' } }) });
    const registry = await fake({
      fault: (r) => (r.path === '/v2/' ? { status: 401, headers: { 'www-authenticate': 'Basic realm="home"' } } : isManifestRequest(r) ? { redirectTo: elsewhere.url } : undefined),
    });
    const r = await resolveOne(`${registry.host}/app:1`, { keychain: keychainOf({ [registry.host]: basic('deploy', 'hunter2-secret') }) });
    expect(r).toMatchObject({ status: 'unauthorized', evidence: { httpStatus: 401 } });
    expect(r.evidence.detail).toBe(`${elsewhere.host} (where ${registry.host} redirected) asked for credentials; none are sent there`);
    expect(elsewhere.requests().map((q) => q.hasAuthorization)).toEqual([false]);
  });

  it('does not follow a redirect from HTTPS down to plain HTTP (other than loopback)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pullcheck-downgrade-'));
    stops.push(() => rm(dir, { recursive: true, force: true }));
    const tls = await makeTlsMaterial(dir);
    const registry = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      if (req.url === '/v2/') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      res.writeHead(307, { location: `http://registry.example.test${req.url}` }).end();
    });
    await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
    stops.push(() => new Promise<void>((r) => registry.close(() => r())));
    const host = `127.0.0.1:${(registry.address() as AddressInfo).port}`;
    const dns = fakeDns({});
    const r = await resolveOne(`${host}/app:1`, { registries: { [host]: { ca: tls.caPem } }, lookup: dns });
    expect(r).toMatchObject({ status: 'registry-error', evidence: { httpStatus: null } });
    expect(r.evidence.detail).toBe(`${host} redirected from HTTPS to plain HTTP (registry.example.test); not followed`);
    expect(dns.asked).toEqual([]);
  });
});
