// Docker Hub's pull quota, end to end: docker.io is pointed (config `endpoint`) at a loopback fake of
// Docker Hub's registry API that sends `ratelimit-*` headers as Docker documents them, spends one pull per
// manifest GET (never per HEAD) and answers 429 TOOMANYREQUESTS when they are spent. Never the real Hub.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isManifestRequest, startFakeRegistry, type FakeRegistry, type FakeRegistryOptions } from '../support/fakes.js';
import { fakeIndex, located, workload, workspace, type Workspace } from '../policy/workspace.js';

const BOTH = ['linux/amd64', 'linux/arm64'];
const images = {
  'library/nginx': { '1.25': fakeIndex(BOTH, 'a') },
  'acme/agent': { latest: fakeIndex(BOTH, 'b') },
  'acme/worker': { '2.0': fakeIndex(BOTH, 'c') },
};

const fakes: FakeRegistry[] = [];
const spaces: Workspace[] = [];
async function hub(options: FakeRegistryOptions): Promise<FakeRegistry> {
  const started = await startFakeRegistry({ images, ...options });
  fakes.push(started);
  return started;
}
function repo(files: Record<string, string>): Workspace {
  const ws = workspace(files);
  spaces.push(ws);
  return ws;
}
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});
afterAll(() => spaces.forEach((ws) => ws.remove()));

const dockerHubAt = (fake: FakeRegistry) => ({ registries: { 'docker.io': { endpoint: fake.url } } });

/** Three workloads, none with a pull secret: 3 (IfNotPresent, 6 replicas, 3 nodes) + 3 (DaemonSet, latest) + 8 (Always) = 14. */
function busyRollout(): Workspace {
  return repo({
    'deploy/web.yaml': workload({ name: 'web', image: 'nginx:1.25', replicas: 6 }),
    'deploy/agent.yaml': workload({ kind: 'DaemonSet', name: 'agent', image: 'acme/agent:latest' }),
    'deploy/worker.yaml': workload({ name: 'worker', image: 'docker.io/acme/worker:2.0', replicas: 8, pullPolicy: 'Always' }),
  });
}

describe('pull-quota against a Docker Hub that answers with rate-limit headers', () => {
  it('warns at each anonymous workload when the rollout can pull more than the anonymous limit, with the numbers', async () => {
    const fake = await hub({ rateLimit: { limit: 10, remaining: 9, source: '192.0.2.7' } });
    const ws = busyRollout();
    const report = await ws.check(dockerHubAt(fake));

    expect(located(report.findings, 'pull-quota').sort()).toEqual([
      `pull-quota deploy/agent.yaml:${ws.lineOf('deploy/agent.yaml', 'image:')}`,
      `pull-quota deploy/web.yaml:${ws.lineOf('deploy/web.yaml', 'image:')}`,
      `pull-quota deploy/worker.yaml:${ws.lineOf('deploy/worker.yaml', 'image:')}`,
    ]);
    const byFile = (file: string) => report.findings.find((f) => f.rule === 'pull-quota' && f.file === file)!;
    expect(byFile('deploy/web.yaml')).toMatchObject({ severity: 'warning', image: 'nginx:1.25' });
    expect(byFile('deploy/web.yaml').message).toContain('nginx:1.25 in Deployment/shop/web can be pulled up to 3 times (6 replicas, pulled IfNotPresent: once per node, 3 nodes)');
    expect(byFile('deploy/agent.yaml').message).toContain('up to 3 times (a DaemonSet on 3 nodes per platform, pulled Always: on every pod start)');
    expect(byFile('deploy/worker.yaml').message).toContain('up to 8 times (8 replicas, pulled Always: on every pod start)');
    for (const file of ['deploy/web.yaml', 'deploy/agent.yaml', 'deploy/worker.yaml']) {
      expect(byFile(file).message).toContain(`anonymous pulls from docker.io (up to 14 in all) exceed the 10 pulls per 6 h it allows one address`);
      expect(byFile(file).message).toMatch(/pull secret.*mirror or pull-through cache.*pin digests and pre-pull/);
    }
  });

  it('reports the headroom per identity and the estimate in the JSON report', async () => {
    const fake = await hub({ rateLimit: { limit: 10, remaining: 9, source: '192.0.2.7' } });
    const report = await busyRollout().check(dockerHubAt(fake));
    // One manifest GET per image (the index, for its platforms): 9 − 3 = 6 left.
    expect(report.quota).toEqual({
      nodes: 3,
      identities: [{
        registry: 'docker.io', endpoint: 'docker.io', source: '192.0.2.7', authenticated: false,
        limit: 10, remaining: 6, windowSeconds: 21600, images: 3, estimatedPulls: 14, anonymousPulls: 14,
      }],
      workloads: expect.arrayContaining([
        expect.objectContaining({ file: 'deploy/web.yaml', workload: 'Deployment/shop/web', image: 'nginx:1.25', pods: 6, policy: 'IfNotPresent', architectures: 1, pulls: 3, anonymous: true }),
        expect.objectContaining({ file: 'deploy/agent.yaml', workload: 'DaemonSet/shop/agent', pods: 3, policy: 'Always', pulls: 3 }),
        expect.objectContaining({ file: 'deploy/worker.yaml', pods: 8, policy: 'Always', pulls: 8 }),
      ]),
    });
  });

  it('counts a multi-arch image once per architecture pulled, and `nodes` per platform', async () => {
    const fake = await hub({ rateLimit: { limit: 100, remaining: 100 } });
    const report = await busyRollout().check({ ...dockerHubAt(fake), platforms: BOTH, nodes: 2 });
    const pulls = Object.fromEntries(report.quota!.workloads.map((w) => [w.file, [w.architectures, w.pods, w.pulls]]));
    // web: 6 replicas on 2 nodes × 2 platforms → 4; agent: 2 nodes × 2 platforms → 4 pods; worker: Always → 8.
    expect(pulls).toEqual({ 'deploy/web.yaml': [2, 6, 4], 'deploy/agent.yaml': [2, 4, 4], 'deploy/worker.yaml': [2, 8, 8] });
    expect(report.quota!.identities[0]).toMatchObject({ estimatedPulls: 16, anonymousPulls: 16 });
    expect(located(report.findings, 'pull-quota')).toEqual([]); // 16 ≤ 100
  });

  it('leaves pods with a pull secret out of the anonymous count', async () => {
    const fake = await hub({ rateLimit: { limit: 10, remaining: 10 } });
    const ws = repo({
      'deploy/web.yaml': workload({ name: 'web', image: 'nginx:1.25', replicas: 6 }),
      'deploy/worker.yaml': workload({ name: 'worker', image: 'acme/worker:2.0', replicas: 8, pullPolicy: 'Always', pullSecrets: ['hub'] }),
    });
    const report = await ws.check(dockerHubAt(fake));
    expect(report.quota!.identities[0]).toMatchObject({ estimatedPulls: 11, anonymousPulls: 3 });
    expect(located(report.findings, 'pull-quota')).toEqual([]);
  });

  it('stays quiet on a healthy repository, and spends no quota on HEAD-only checks', async () => {
    const fake = await hub({ rateLimit: { limit: 100, remaining: 100 } });
    const ws = repo({ 'deploy/web.yaml': workload({ name: 'web', image: 'nginx:1.25', replicas: 2 }) });
    const report = await ws.check({ ...dockerHubAt(fake), platforms: [] as string[] });
    expect(report.findings).toEqual([]);
    expect(report.quota!.identities[0]).toMatchObject({ limit: 100, remaining: 100, estimatedPulls: 2 });
    expect(fake.requests().filter((r) => isManifestRequest({ method: r.method, path: r.path, index: 0 })).map((r) => r.method)).toEqual(['HEAD']);
  });
});

describe('429 during the check', () => {
  it('reports the spent quota with the reset time from Retry-After', async () => {
    const fake = await hub({
      fault: (r) => (isManifestRequest(r) ? { status: 429, headers: { 'retry-after': '3600', 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600', 'docker-ratelimit-source': '192.0.2.7' } } : undefined),
    });
    const ws = repo({ 'deploy/web.yaml': workload({ name: 'web', image: 'nginx:1.25' }) });
    const report = await ws.check(dockerHubAt(fake));
    const [finding] = report.findings.filter((f) => f.rule === 'rate-limited');
    const checkedAt = Date.parse(report.images[0]!.checkedAt!);
    expect(finding).toMatchObject({ severity: 'error', file: 'deploy/web.yaml', line: ws.lineOf('deploy/web.yaml', 'image:') });
    expect(finding!.message).toBe(
      `docker.io refused library/nginx with 429: the pull limit is spent (0 of 100 pulls left per 6 h for anonymous pulls from 192.0.2.7); `
      + `it resets at ${new Date(checkedAt + 3_600_000).toISOString()} (Retry-After). Pulls that count against the same identity fail the same way until then.`,
    );
    expect(report.quota!.identities[0]).toMatchObject({ remaining: 0, limit: 100 });
  });

  it('says the quota refills within its window when there is no Retry-After (quota spent on the platform GET)', async () => {
    const fake = await hub({ rateLimit: { limit: 100, remaining: 0, source: '192.0.2.7' } });
    const report = await repo({ 'deploy/web.yaml': workload({ name: 'web', image: 'nginx:1.25' }) }).check(dockerHubAt(fake));
    const finding = report.findings.find((f) => f.rule === 'rate-limited')!;
    expect(finding.message).toContain('0 of 100 pulls left per 6 h');
    expect(finding.message).toContain('it refills as pulls age out of the 6 h window');
  });

  it('tells Docker Hub abuse protection (429 without rate-limit headers) apart, and stops asking after it', async () => {
    const fake = await hub({ fault: (r) => (isManifestRequest(r) ? { status: 429 } : undefined) });
    // More images than the 32 requests the client keeps in flight per registry: once the first 429 is in,
    // the images still queued are not sent at all.
    const names = Array.from({ length: 40 }, (_, i) => `app${i}`);
    const ws = repo({ 'deploy/apps.yaml': names.map((name) => workload({ name, image: `acme/${name}:1.0` })).join('---\n') });
    const report = await ws.check(dockerHubAt(fake));
    expect(located(report.findings, 'rate-limited')).toHaveLength(40);
    expect(report.findings.find((f) => f.rule === 'rate-limited')!.message).toMatch(
      /^Docker Hub answered 429 for acme\/app\d+ without rate-limit headers: that is its abuse protection \(too many requests from this address in a short time\), not the pull quota; retry in a few minutes\.$/,
    );
    const sent = fake.requests().filter((r) => isManifestRequest({ method: r.method, path: r.path, index: 0 }));
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(sent.length).toBeLessThanOrEqual(32);
  });
});
