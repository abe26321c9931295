// Fault matrix, TLS: a certificate for another host, and the two protocol mix-ups (an HTTPS client at a
// plain-HTTP server, a plain-HTTP client at an HTTPS server). Unknown CA and expired certificates are in
// test/registry/tls.test.ts. None of them may be reported as a missing image, nor downgraded to HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeRegistry, type FakeRegistry } from '../support/fakes.js';
import { pushImage } from '../support/push.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { resolveOne } from '../registry/helpers.js';
import { fakeDns, withoutProxyEnvironment } from './dns.js';
import { expectNotCalledMissing, timed } from './servers.js';

withoutProxyEnvironment();

describe('a certificate issued for another host name', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ tls: true, tlsCert: 'wrong-host' });
  });
  afterAll(() => registry?.stop());

  it('is registry-unreachable even with the CA trusted, and not retried over plain HTTP', async () => {
    registry.clearRequests();
    const { value: r, ms } = await timed(() => resolveOne(`${registry.host}/app:1`, { registries: { [registry.host]: { ca: registry.caPem } } }));
    expect(r).toMatchObject({ status: 'registry-unreachable', evidence: { httpStatus: null } });
    expect(r.evidence.detail).toMatch(/^TLS with 127\.0\.0\.1:\d+ failed: .*(IP: 127\.0\.0\.1 is not in the cert's list|altnames)/);
    expect(registry.requests()).toEqual([]); // no request got through, over TLS or plain HTTP
    expect(ms).toBeLessThan(3_000); // a certificate error is an answer: not retried
  });
});

describe('protocol mix-ups', () => {
  let plain: FakeRegistry;
  let secure: RunningRegistry;
  beforeAll(async () => {
    plain = await startFakeRegistry({ images: { app: { '1': { mediaType: 'application/vnd.oci.image.manifest.v1+json', body: '{}' } } } });
    secure = await startRegistry({ tls: true });
    await pushImage(secure, 'app', '1');
  });
  afterAll(async () => {
    await plain?.stop();
    await secure?.stop();
  });

  it('reports a plain-HTTP server behind a registry name (HTTPS only) as a TLS failure, without falling back to HTTP', async () => {
    const host = `registry.example.test:${plain.port}`;
    const r = await resolveOne(`${host}/app:1`, { lookup: fakeDns({ 'registry.example.test': '127.0.0.1' }) });
    expect(r).toMatchObject({ status: 'registry-unreachable', evidence: { httpStatus: null } });
    expect(r.evidence.detail).toMatch(new RegExp(`^TLS with ${host.replace(/\./g, '\\.')} failed: .*(wrong version number|packet length too long)`));
    expect(plain.requests()).toEqual([]); // no plain-HTTP request was made
  });

  it('reports plain HTTP spoken to an HTTPS registry (an http:// endpoint) as a registry error, never as missing', async () => {
    const { host } = secure.direct; // Distribution itself: Go answers such a request with a 400
    const r = await resolveOne(`${host}/app:1`, { registries: { [host]: { endpoint: `http://${host}` } } });
    expect(r).toMatchObject({ status: 'registry-error', evidence: { httpStatus: 400 } });
    expect(r.evidence.detail).toMatch(/^127\.0\.0\.1:\d+ \(GET \/v2\/\) answered HTTP 400$/);
    expectNotCalledMissing([r]);
  });
});
