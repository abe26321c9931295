// Part 1 of `npm run bench`: resolution. N unique images in R repositories are pushed to the real
// Distribution registry (token auth, anonymous pulls allowed — like Docker Hub or GHCR), reached through a
// loopback TCP proxy that delays every chunk by 25 ms each way (50 ms RTT; this kernel has no netem).
// Measured side by side in each round: the pullcheck CLI end to end on a generated repository, resolveAll
// alone, `skopeo inspect --raw` one image after another (a sample, extrapolated), the same through
// `xargs -P16` (a sample, extrapolated), and the RTT-bound ideal.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT, bundleScript, loadBundled, median, repeat, say, scratch, timed, seededRandom } from './bench-lib.mjs';
import { profileCli, readableCli } from './bench-profile.mjs';

const PUSH_CONCURRENCY = 32;
/** One image in ten is single-platform (costs its config blob too); the rest are multi-platform indexes. */
const SINGLE_PLATFORM_EVERY = 10;

function imagePlan(images, repos) {
  const plan = [];
  for (let i = 0; i < images; i++) {
    const repository = `bench/app-${String(i % repos).padStart(3, '0')}`;
    const tag = `v1.${Math.floor(i / repos)}.0`;
    plan.push({ repository, tag, kind: i % SINGLE_PLATFORM_EVERY === SINGLE_PLATFORM_EVERY - 1 ? 'single' : 'index' });
  }
  return plan;
}

/** Runs `work` on every item, PUSH_CONCURRENCY at a time, each worker with a harness client of its own. */
async function pool(harness, registry, items, work) {
  let next = 0;
  const worker = async () => {
    const client = new harness.HarnessClient(registry);
    try {
      while (next < items.length) await work(client, items[next++]);
    } finally {
      await client.close();
    }
  };
  await Promise.all(Array.from({ length: Math.min(PUSH_CONCURRENCY, items.length) }, worker));
}

const PLATFORMS = [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }];

/**
 * Fills the registry in seconds: per repository, two platform images are pushed once (blobs, then
 * manifests by digest), and each multi-platform tag is then ONE manifest PUT — an index of those two, with
 * the tag in an annotation so that every tag has its own digest. A single-platform tag is an image of its
 * own (its own config, as a real build has), so reading its platform costs a blob request per tag.
 */
async function pushAll(harness, registry, plan) {
  const { MEDIA, blobOf, buildImage, descriptor, pushBlob, pushManifest } = harness;
  const pushImage = async (client, repository, reference, image) => {
    for (const blob of [image.config, ...image.layers]) await pushBlob(client, repository, blob);
    await pushManifest(client, repository, reference, image.manifest);
  };
  const children = new Map();
  await pool(harness, registry, [...new Set(plan.map((p) => p.repository))], async (client, repository) => {
    const images = PLATFORMS.map((platform) => buildImage('oci', repository, platform));
    for (const image of images) await pushImage(client, repository, image.manifest.digest, image);
    children.set(repository, images);
  });
  const json = (value) => Buffer.from(JSON.stringify(value, null, 3));
  await pool(harness, registry, plan, async (client, { repository, tag, kind }) => {
    if (kind === 'single') return pushImage(client, repository, tag, buildImage('oci', `${repository}:${tag}`, PLATFORMS[0]));
    const manifests = children.get(repository).map((c, i) => ({ ...descriptor(c.manifest), platform: PLATFORMS[i] }));
    const annotations = { 'org.opencontainers.image.version': tag };
    await pushManifest(client, repository, tag, blobOf(MEDIA.ociIndex, json({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests, annotations })));
  });
}

/**
 * A repository whose Deployments name every image `duplicates` times (on average), spread over files of
 * about 50 Deployments with 1–3 containers each, in a seeded random order.
 */
function writeRepository(dir, references, duplicates) {
  const random = seededRandom(42);
  const occurrences = references.flatMap((ref) => Array.from({ length: duplicates }, () => ref));
  for (let i = occurrences.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [occurrences[i], occurrences[j]] = [occurrences[j], occurrences[i]];
  }
  mkdirSync(path.join(dir, 'deploy'), { recursive: true });
  let file = 0;
  let deployments = [];
  const flush = () => {
    if (deployments.length === 0) return;
    writeFileSync(path.join(dir, 'deploy', `services-${String(file++).padStart(3, '0')}.yaml`), deployments.join('---\n'));
    deployments = [];
  };
  for (let at = 0; at < occurrences.length;) {
    const count = 1 + Math.floor(random() * 3);
    const images = occurrences.slice(at, at + count);
    at += count;
    const name = `svc-${file}-${deployments.length}`;
    const containers = images.map((image, c) => [
      `      - name: c${c}`,
      `        image: ${image}`,
      '        ports:',
      '        - containerPort: 8080',
      '        resources:',
      '          requests: {cpu: 100m, memory: 128Mi}',
    ].join('\n'));
    deployments.push([
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      `  name: ${name}`,
      '  namespace: bench',
      'spec:',
      '  replicas: 2',
      '  selector:',
      '    matchLabels:',
      `      app: ${name}`,
      '  template:',
      '    metadata:',
      '      labels:',
      `        app: ${name}`,
      '    spec:',
      '      containers:',
      ...containers,
      '',
    ].join('\n'));
    if (deployments.length >= 50) flush();
  }
  flush();
  return file;
}

/** What reached the registry during one run, by kind; token calls come from the token server's log. */
function countRequests(registry) {
  const counts = { ping: 0, manifest: 0, blob: 0, tags: 0, other: 0, token: 0 };
  for (const r of registry.requests()) {
    const p = r.path.split('?')[0];
    if (p === '/v2/' || p === '/v2') counts.ping++;
    else if (p.includes('/manifests/')) counts.manifest++;
    else if (p.includes('/blobs/')) counts.blob++;
    else if (p.endsWith('/tags/list')) counts.tags++;
    else counts.other++;
  }
  counts.token = registry.token.requests().length;
  registry.clearRequests();
  registry.token.clearRequests();
  return counts;
}

const imageRequests = (c) => c.manifest + c.blob + c.tags + c.other;

/** CPU seconds a process has used (user + system), from /proc; null where there is no /proc. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

function sampleOf(references, size) {
  const step = references.length / size;
  return Array.from({ length: Math.min(size, references.length) }, (_, i) => references[Math.floor(i * step)]);
}

export async function benchResolution(settings) {
  const { images, repos, duplicates, runs, skopeoSample, xargsSample, delayMs, skopeo, profileDir } = settings;
  const work = scratch('resolution');
  const harness = await loadBundled('bench-harness.mjs', work);
  const resolveChild = await bundleScript('bench-resolve-child.mjs', work);
  const cli = path.join(ROOT, 'dist', 'cli.js');

  say(`starting the registry (Distribution, token auth) and pushing ${images} images to ${repos} repositories`);
  const registry = await harness.startRegistry({ auth: 'token', grants: { '': { pull: ['**'] } } });
  let proxy = null;
  try {
    const plan = imagePlan(images, repos);
    const pushStarted = performance.now();
    await pushAll(harness, registry, plan);
    const pushMs = performance.now() - pushStarted;
    say(`pushed in ${(pushMs / 1000).toFixed(1)} s; registry pid ${registry.pid}`);
    proxy = await harness.startTcpProxy(registry.port, { delayMs });
    const references = plan.map((p) => `${proxy.host}/${p.repository}:${p.tag}`);

    const repo = path.join(work, 'repo');
    const files = writeRepository(repo, references, duplicates);
    const once = path.join(work, 'repo-once');
    writeRepository(once, references, 1);
    const refsFile = path.join(work, 'refs.json');
    writeFileSync(refsFile, JSON.stringify({ references, platforms: ['linux/amd64'] }));
    const listFile = (name, refs) => {
      const file = path.join(work, name);
      writeFileSync(file, refs.map((r) => `docker://${r}`).join('\n') + '\n');
      return file;
    };
    const seqSample = sampleOf(references, skopeoSample);
    const parSample = sampleOf(references, xargsSample);
    const seqList = listFile('skopeo-seq.txt', seqSample);
    const parList = listFile('skopeo-par.txt', parSample);
    const skopeoEnv = { ...process.env, HOME: path.join(work, 'home') };
    const skopeoArgs = (parallel, list) => ['-a', list, '-P', String(parallel), '-n', '1', 'skopeo', 'inspect', '--raw', '--tls-verify=false'];
    const report = path.join(work, 'report.json');
    const cliArgs = ['--format', 'json', '-o', report, '--kustomize', 'off', '--helm', 'off', '--timeout', '10m', 'deploy'];
    const cliRun = (folder) => timed(process.execPath, [cli, ...cliArgs], { cwd: folder, allowCodes: [0, 1] });
    const allOk = () => {
      const statuses = JSON.parse(readFileSync(report, 'utf8')).images.map((i) => i.status);
      const bad = statuses.filter((s) => s !== 'ok');
      if (bad.length || statuses.length !== images) throw new Error(`pullcheck resolved ${statuses.length} images, ${bad.length} not ok (${[...new Set(bad)].join(', ')})`);
    };

    say(`${references.length} unique images, ${references.length * duplicates} occurrences in ${files} files; ${runs} rounds`);
    countRequests(registry);
    const rounds = await repeat(runs, async (round) => {
      const r = {};
      const registryCpu = cpuSeconds(registry.pid);
      r.cli = await cliRun(repo);
      r.registryCpu = registryCpu === null ? null : cpuSeconds(registry.pid) - registryCpu;
      allOk();
      r.cliRequests = countRequests(registry);
      const direct = await timed(process.execPath, [resolveChild, refsFile]);
      r.direct = { ...JSON.parse(direct.stdout), wallMs: direct.ms, rssMb: direct.rssMb ?? JSON.parse(direct.stdout).rssMb };
      if (r.direct.statuses.ok !== images) throw new Error(`resolveAll: ${JSON.stringify(r.direct.statuses)}`);
      r.directRequests = countRequests(registry);
      if (skopeo) {
        r.seq = await timed('xargs', skopeoArgs(1, seqList), { env: skopeoEnv });
        r.seqRequests = countRequests(registry);
        r.par = await timed('xargs', skopeoArgs(16, parList), { env: skopeoEnv });
        r.parRequests = countRequests(registry);
      }
      say(`round ${round + 1}/${runs}: CLI ${Math.round(r.cli.ms)} ms, resolveAll ${Math.round(r.direct.ms)} ms${skopeo ? `, skopeo ${seqSample.length} sequential ${Math.round(r.seq.ms)} ms, ${parSample.length} with -P16 ${Math.round(r.par.ms)} ms` : ''}`);
      return r;
    });

    // Cost grows with unique images, not with occurrences or a smaller N's fixed costs.
    const scaling = await repeat(runs, async () => {
      const onceRun = await cliRun(once);
      allOk();
      countRequests(registry);
      const halfFile = path.join(work, 'half.json');
      writeFileSync(halfFile, JSON.stringify({ references: references.slice(0, Math.ceil(references.length / 2)), platforms: ['linux/amd64'] }));
      const half = JSON.parse((await timed(process.execPath, [resolveChild, halfFile])).stdout);
      countRequests(registry);
      return { onceMs: onceRun.ms, halfMs: half.ms };
    });

    if (profileDir) {
      await profileCli(profileDir, 'resolution', await readableCli(work), cliArgs, repo);
      countRequests(registry);
    }

    const rtt = 2 * delayMs;
    const concurrency = harness.RESOLVE_DEFAULTS.perRegistryConcurrency;
    const ideal = (2 + Math.ceil(images / concurrency)) * rtt;
    const m = (pick) => median(rounds.map(pick));
    const requestsOf = (key) => ({
      perImage: m((r) => imageRequests(r[key]) / images),
      pings: m((r) => r[key].ping),
      tokens: m((r) => r[key].token),
      manifests: m((r) => r[key].manifest),
      blobs: m((r) => r[key].blob),
    });
    return {
      images, repos, duplicates, files, runs, delayMs, pushMs,
      occurrences: references.length * duplicates,
      ideal,
      concurrency,
      cli: { ms: m((r) => r.cli.ms), rssMb: m((r) => r.cli.rssMb), requests: requestsOf('cliRequests') },
      registryCpuS: m((r) => r.registryCpu),
      registryRequests: m((r) => imageRequests(r.cliRequests) + r.cliRequests.ping),
      direct: { ms: m((r) => r.direct.ms), rssMb: m((r) => r.direct.rssMb), requests: requestsOf('directRequests') },
      skopeo: skopeo
        ? {
          seqSample: seqSample.length,
          parSample: parSample.length,
          seqMs: (m((r) => r.seq.ms) / seqSample.length) * images,
          parMs: (m((r) => r.par.ms) / parSample.length) * images,
          perImageRequests: m((r) => (imageRequests(r.seqRequests) + r.seqRequests.ping) / seqSample.length),
          perImageTokens: m((r) => r.seqRequests.token / seqSample.length),
        }
        : null,
      scaling: { onceMs: median(scaling.map((s) => s.onceMs)), halfMs: median(scaling.map((s) => s.halfMs)) },
      cpus: os.cpus().length,
    };
  } finally {
    await proxy?.stop();
    await registry.stop();
  }
}
