// Registry mirrors and endpoint overrides, as containerd's hosts.toml reads them: the mirrors in order,
// a mirror that does not have the image (404) or fails hands over to the next, the registry last; quota
// figures are those of the host that answered. Every host is a loopback fake or a closed loopback port.
import { afterAll, describe, expect, it } from 'vitest';
import { closedPort, isManifestRequest, fakesStoppedAfterEach, type FakeRegistry } from '../support/fakes.js';
import { ConfigError } from '../../src/options.js';
import { fakeIndex, located, workload, workspace, type Workspace } from '../policy/workspace.js';

const NGINX = { 'library/nginx': { '1.25': fakeIndex(['linux/amd64'], 'a') } };

const fake = fakesStoppedAfterEach();
const spaces: Workspace[] = [];
afterAll(() => spaces.forEach((ws) => ws.remove()));

function webRollout(replicas = 6): Workspace {
  const ws = workspace({ 'deploy/web.yaml': workload({ name: 'web', image: 'nginx:1.25', replicas, pullPolicy: 'Always' }) });
  spaces.push(ws);
  return ws;
}

const manifestCalls = (registry: FakeRegistry): string[] =>
  registry.requests().filter((r) => isManifestRequest({ method: r.method, path: r.path, index: 0 })).map((r) => `${r.method} ${r.status}`);

describe('mirrors tried in order before the registry', () => {
  it('passes over a mirror that is down and one without the image; the registry answers, with its quota', async () => {
    const down = `http://127.0.0.1:${await closedPort()}`;
    const empty = await fake({});
    const hub = await fake({ images: NGINX, rateLimit: { limit: 5, remaining: 5, source: '192.0.2.7' } });
    const report = await webRollout().check({ registries: { 'docker.io': { endpoint: hub.url, mirrors: [down, empty.url] } } });

    expect(report.images[0]).toMatchObject({ reference: 'docker.io/library/nginx:1.25', status: 'ok' });
    expect(manifestCalls(empty)).toEqual(['GET 404']); // a mirror's 404 hands over, without a tags/list triage
    expect(empty.requests().some((r) => r.path.includes('/tags/list'))).toBe(false);
    expect(report.quota!.identities).toEqual([expect.objectContaining({ registry: 'docker.io', endpoint: 'docker.io', source: '192.0.2.7', limit: 5 })]);
    // 6 replicas pulled Always > 5 anonymous pulls per window: the figures of the host that answered apply.
    expect(located(report.findings)).toEqual([`pull-quota deploy/web.yaml:${report.images[0]!.occurrences[0]!.line}`]);
  });

  it('stops at the first mirror that has the image: the registry is not asked, and its quota does not apply', async () => {
    const cache = await fake({ images: NGINX });
    const hub = await fake({ images: NGINX, rateLimit: { limit: 5, remaining: 5 } });
    const report = await webRollout(50).check({ registries: { 'docker.io': { endpoint: hub.url, mirrors: [cache.url] } } });

    expect(report.images[0]).toMatchObject({ status: 'ok', platforms: ['linux/amd64'] });
    expect(hub.requests()).toEqual([]);
    expect(report.quota).toBeNull(); // the pull-through cache announced no quota
    expect(report.findings).toEqual([]);
  });

  it('reports the quota of a mirror that announces one, under the mirror\'s name', async () => {
    const cache = await fake({ images: NGINX, rateLimit: { limit: 3, remaining: 3, source: 'cache-account' } });
    const hub = await fake({ images: NGINX });
    const report = await webRollout().check({ registries: { 'docker.io': { endpoint: hub.url, mirrors: [cache.url] } } });
    expect(report.quota!.identities).toEqual([expect.objectContaining({ registry: 'docker.io', endpoint: cache.host, source: 'cache-account', remaining: 2 })]);
    expect(report.findings.find((f) => f.rule === 'pull-quota')!.message).toContain(`anonymous pulls from ${cache.host} (up to 6 in all) exceed the 3 pulls per 6 h`);
  });

  it('gives the registry\'s own answer when every host lacks the image, with the mirrors\' answers in the evidence', async () => {
    const empty = await fake({});
    const hub = await fake({ images: { 'library/nginx': { '1.24': fakeIndex(['linux/amd64'], 'b') } } });
    const ws = webRollout();
    const report = await ws.check({ registries: { 'docker.io': { endpoint: hub.url, mirrors: [empty.url] } } });
    expect(report.images[0]).toMatchObject({ status: 'tag-not-found' });
    expect(report.images[0]!.evidence!.detail).toContain(`before it, mirror ${empty.host}: no manifest 1.25`);
    expect(report.findings.find((f) => f.rule === 'tag-not-found')).toMatchObject({ fix: { replacement: 'nginx:1.24' } });
  });

  it('never calls an image missing because the mirrors and the registry are all down', async () => {
    const report = await webRollout().check({
      registries: { 'docker.io': { endpoint: `http://127.0.0.1:${await closedPort()}`, mirrors: [`http://127.0.0.1:${await closedPort()}`] } },
    });
    expect(report.images[0]).toMatchObject({ status: 'registry-unreachable' });
    expect(report.images[0]!.evidence!.detail).toMatch(/refused; before it, mirror 127\.0\.0\.1:\d+: connection to 127\.0\.0\.1:\d+ refused/);
  });
});

describe('endpoint and mirror settings', () => {
  it.each([
    [{ endpoint: 'mirror.example.com' }, "registries.docker.io.endpoint in <config> must be a URL like https://mirror.example.com (got 'mirror.example.com')"],
    [{ endpoint: 'https://harbor.example.com/v2/dockerhub' }, "registries.docker.io.endpoint in <config> must be scheme://host[:port] only (got 'https://harbor.example.com/v2/dockerhub'); path prefixes and credentials in the URL are not supported"],
    [{ mirrors: ['https://ok.example.com', 'ftp://cache'] }, "registries.docker.io.mirrors[1] in <config> must start with https:// or http:// (got 'ftp://cache')"],
    [{ mirrors: [7] }, 'registries.docker.io.mirrors in <config> must be a list of strings'],
  ])('rejects %j with one clear line naming the key and the file', async (settings, message) => {
    const error = await webRollout().check({ registries: { 'docker.io': settings } }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message.replace(/ in \S+pullcheck\.yml/, ' in <config>')).toBe(message);
  });
});
