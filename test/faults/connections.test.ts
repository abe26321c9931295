// Fault matrix, connections that fail: refused, cut on every attempt, accepted and never answered, answered
// too slowly (the real registry behind a latency proxy), and the real registry killed in the middle of a run.
// Each ends registry-unreachable within its bounds, and no image is ever called missing.
import { afterEach, describe, expect, it } from 'vitest';
import { closedPort, isManifestRequest, startFakeRegistry, startTcpProxy, type FakeManifest } from '../support/fakes.js';
import { pushImage } from '../support/push.js';
import { startRegistry } from '../support/registry.js';
import { resolve, resolveOne } from '../registry/helpers.js';
import { expectNotCalledMissing, startSilentServer, timed } from './servers.js';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

const OCI = 'application/vnd.oci.image.manifest.v1+json';
const manifest: FakeManifest = { mediaType: OCI, body: JSON.stringify({ schemaVersion: 2, mediaType: OCI, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 2 }, layers: [] }) };

describe('connections', () => {
  it('reports refused connections as registry-unreachable at once, without retrying them', async () => {
    const port = await closedPort();
    const { value: results, ms } = await timed(() => resolve([`127.0.0.1:${port}/a:1`, `127.0.0.1:${port}/b@sha256:${'1'.repeat(64)}`]));
    for (const r of results.values()) expect(r.evidence.detail).toBe(`connection to 127.0.0.1:${port} refused`);
    expectNotCalledMissing(results.values());
    expect(ms).toBeLessThan(3_000); // refused is an answer: no backoff, no timeout
  });

  it('gives up on a registry that cuts every connection mid-response, after the bounded retries', async () => {
    const registry = await startFakeRegistry({ images: { app: { '1': manifest } }, fault: (r) => (isManifestRequest(r) ? { reset: true } : undefined) });
    stops.push(registry.stop);
    const { value: r, ms } = await timed(() => resolveOne(`${registry.host}/app:1`, { retries: 2 }));
    expect(r).toMatchObject({ status: 'registry-unreachable', evidence: { httpStatus: null } });
    expect(r.evidence.detail).toMatch(/^(connection to 127\.0\.0\.1:\d+ was reset|talking to 127\.0\.0\.1:\d+ failed)/);
    expect(registry.requests().filter((q) => q.path === '/v2/app/manifests/1')).toHaveLength(3);
    expect(ms).toBeLessThan(5_000);
  });

  it('times out a server that accepts and never answers, per request, within timeout × attempts', async () => {
    const silent = await startSilentServer();
    stops.push(silent.stop);
    const { value: r, ms } = await timed(() => resolveOne(`${silent.host}/app:1`, { requestTimeoutMs: 300, retries: 1 }));
    expect(r).toMatchObject({ status: 'registry-unreachable', evidence: { httpStatus: null } });
    expect(r.evidence.detail).toMatch(/^no answer from 127\.0\.0\.1:\d+ within 0\.3 s$/);
    expect(ms).toBeLessThan(300 * 2 + 250 + 2_000); // two attempts, one backoff, slack
  });

  it('times out the real registry when it answers slower than the request timeout', async () => {
    const registry = await startRegistry();
    stops.push(registry.stop);
    await pushImage(registry, 'app', '1');
    const slow = await startTcpProxy(registry.port, { delayMs: 400 }); // 800 ms per round trip
    stops.push(slow.stop);
    const { value: r, ms } = await timed(() => resolveOne(`${slow.host}/app:1`, { requestTimeoutMs: 500, retries: 1 }));
    expect(r).toMatchObject({ status: 'registry-unreachable' });
    expect(r.evidence.detail).toMatch(/within 0\.5 s$/);
    expect(ms).toBeLessThan(5_000);
    // the same registry is ok once the timeout allows for its latency
    expect(await resolveOne(`${slow.host}/app:1`, { requestTimeoutMs: 3_000 })).toMatchObject({ status: 'ok' });
  });

  it('reports the images left when the real registry is killed mid-run as unreachable, the ones before as ok', async () => {
    const registry = await startRegistry();
    stops.push(registry.stop);
    const tags = Array.from({ length: 12 }, (_, i) => String(i));
    for (const tag of tags) await pushImage(registry, 'app', tag);
    // One check at a time, each ~100 ms through the proxy: the kill lands between checks.
    const slow = await startTcpProxy(registry.port, { delayMs: 25 });
    stops.push(slow.stop);
    let killed = false;
    const watcher = setInterval(() => {
      if (!killed && registry.requests().filter((q) => q.path.includes('/manifests/')).length >= 4) {
        process.kill(registry.pid, 'SIGKILL');
        killed = true;
      }
    }, 5);
    try {
      const { value: results, ms } = await timed(() => resolve(tags.map((t) => `${slow.host}/app:${t}`), { perRegistryConcurrency: 1, retries: 1 }));
      expect(killed).toBe(true);
      const statuses = [...results.values()].map((r) => r.status);
      expect(statuses.filter((s) => s === 'ok').length).toBeGreaterThanOrEqual(3);
      expect(statuses.filter((s) => s === 'registry-unreachable').length).toBeGreaterThanOrEqual(6);
      expect(new Set(statuses)).toEqual(new Set(['ok', 'registry-unreachable']));
      expectNotCalledMissing(results.values());
      expect(ms).toBeLessThan(10_000);
    } finally {
      clearInterval(watcher);
    }
  });
});

