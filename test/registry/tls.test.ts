// HTTPS with a private CA, against the real Distribution registry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushImage } from '../support/push.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { resolveOne } from './helpers.js';

describe('a registry with a certificate from a private CA', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ tls: true });
    await pushImage(registry, 'app', '1');
  });
  afterAll(() => registry?.stop());

  it('is ok over HTTPS when its CA is configured', async () => {
    registry.clearRequests();
    const r = await resolveOne(`${registry.host}/app:1`, { registries: { [registry.host]: { ca: registry.caPem } } });
    expect(r).toMatchObject({ status: 'ok' });
    expect(registry.requests().map((q) => q.path)).toEqual(['/v2/', '/v2/app/manifests/1']);
  });

  it('is registry-unreachable with a TLS detail without it, even though loopback may fall back to HTTP', async () => {
    const r = await resolveOne(`${registry.host}/app:1`);
    expect(r.status).toBe('registry-unreachable');
    expect(r.evidence.httpStatus).toBeNull();
    expect(r.evidence.detail).toMatch(/^TLS with 127\.0\.0\.1:\d+ failed: .*certificate.*set `ca` for it in the config \(or NODE_EXTRA_CA_CERTS\)$/);
  });
});

describe('an expired certificate', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ tls: true, tlsCert: 'expired' });
  });
  afterAll(() => registry?.stop());

  it('is registry-unreachable even with the CA configured', async () => {
    const r = await resolveOne(`${registry.host}/app:1`, { registries: { [registry.host]: { ca: registry.caPem } } });
    expect(r.status).toBe('registry-unreachable');
    expect(r.evidence.detail).toMatch(/TLS .*expired/);
  });
});
