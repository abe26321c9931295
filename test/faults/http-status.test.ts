// Fault matrix, answers that are not the image: 5xx (then healthy, or for good), a Retry-After too long to
// wait, 429 without Retry-After, Docker Hub quota headers. Injected by a proxy in front of the REAL
// registry, so the healthy answers are Distribution's own. (Short Retry-After waits on 503 and 429, and a
// long one on 429, are in test/registry/faults.test.ts.)
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isManifestRequest, firstRequests, type Fault, type FakeRequest } from '../support/fakes.js';
import { pushImage } from '../support/push.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { resolve, resolveOne } from '../registry/helpers.js';
import { expectNotCalledMissing, startFaultProxy, timed, type Stoppable } from './servers.js';

let registry: RunningRegistry;
beforeAll(async () => {
  registry = await startRegistry();
  await pushImage(registry, 'app', '1');
  await pushImage(registry, 'app', '2');
});
afterAll(() => registry?.stop());

const proxies: Stoppable[] = [];
async function faulty(fault: (request: FakeRequest) => Fault | undefined) {
  const proxy = await startFaultProxy(registry.port, fault);
  proxies.push(proxy);
  return proxy;
}
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
});

const always = (fault: Fault) => (request: FakeRequest) => (isManifestRequest(request) ? fault : undefined);

describe('5xx', () => {
  it.each([500, 502, 503])('retries %i for the first two requests, then reports ok from the healthy registry', async (status) => {
    const proxy = await faulty(firstRequests(2, { status }, isManifestRequest));
    const r = await resolveOne(`${proxy.host}/app:1`);
    expect(r).toMatchObject({ status: 'ok', evidence: { httpStatus: 200 } });
    expect(proxy.statuses()).toEqual([200, status, status, 200]); // ping, two faults, the real answer
  });

  it('gives up on a registry that always answers 503: registry-error after the bounded retries', async () => {
    const proxy = await faulty(always({ status: 503 }));
    const { value: r, ms } = await timed(() => resolveOne(`${proxy.host}/app:1`, { retries: 3 }));
    expect(r).toMatchObject({ status: 'registry-error', evidence: { httpStatus: 503 } });
    expect(r.evidence.detail).toMatch(/\(HEAD manifest 1\) answered HTTP 503 \(4 attempts\)$/); // a HEAD answer has no body to quote
    expect(proxy.statuses().filter((s) => s === 503)).toHaveLength(4);
    expect(ms).toBeLessThan(10_000); // full-jitter backoff of 250, 500, 1000 ms at most
  });

  it('does not sit out a 503 Retry-After of an hour: registry-error at once, even with a long deadline', async () => {
    const proxy = await faulty(always({ status: 503, headers: { 'retry-after': '3600' } }));
    const { value: r, ms } = await timed(() => resolveOne(`${proxy.host}/app:1`, { timeoutMs: 120_000 }));
    expect(r).toMatchObject({ status: 'registry-error', evidence: { httpStatus: 503 } });
    expect(proxy.statuses().filter((s) => s === 503)).toHaveLength(1);
    expect(ms).toBeLessThan(10_000);
  });
});

describe('429', () => {
  it('stops at a 429 without Retry-After (Docker Hub abuse limiting): rate-limited, not retried, no wait given', async () => {
    const proxy = await faulty(always({ status: 429 }));
    const { value: results } = await timed(() => resolve([`${proxy.host}/app:1`, `${proxy.host}/app:2`], { perRegistryConcurrency: 1 }));
    for (const r of results.values()) {
      expect(r).toMatchObject({ status: 'rate-limited', retryAfterSeconds: null, evidence: { httpStatus: 429 } });
    }
    expect(proxy.statuses().filter((s) => s === 429)).toHaveLength(1); // the second image is not even asked
    expectNotCalledMissing(results.values());
  });

  it('reports a Docker Hub quota 429 with its quota and reset time', async () => {
    const proxy = await faulty(always({
      status: 429,
      headers: { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600', 'docker-ratelimit-source': '192.0.2.7', 'retry-after': '21600' },
    }));
    const r = await resolveOne(`${proxy.host}/app:1`);
    expect(r).toMatchObject({ status: 'rate-limited', retryAfterSeconds: 21600, quota: { limit: 100, remaining: 0, windowSeconds: 21600, source: '192.0.2.7' } });
    expect(r.evidence.detail).toMatch(/answered 429 Too Many Requests; retry after 21600 s \(.*\); quota 0 of 100 left per 21600 s$/);
  });
});
