// The results cache (--cache-dir, the Action's `cache` input): a second run asks the registry nothing
// about digest references it already answered, asks again about every tag (tag@digest too), keeps no
// failure, trusts nothing old or malformed, and says so when it cannot read or write its file.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { CACHE_FILE, MAX_AGE_DAYS, ResultsCache } from '../../src/cache/results.js';
import type { Resolution } from '../../src/model.js';
import { parseReference, type ImageReference } from '../../src/reference/index.js';
import { pushImage, type PushedImage } from '../support/push.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

interface CliRun {
  code: number;
  report: { images: Array<{ reference: string; status: string; digest: string | null; evidence: { detail: string | null } | null }> };
  stderr: string;
}

const MISSING_DIGEST = `sha256:${'0'.repeat(64)}`;

let registry: RunningRegistry;
let pinned: PushedImage;
let tagged: PushedImage;
let dir: string;
let repo: string;

function deployment(images: string[]): string {
  const containers = images.map((image, i) => `      - name: c${i}\n        image: ${image}\n`).join('');
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n${containers}`;
}

async function cli(...args: string[]): Promise<CliRun> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(['--format', 'json', '--timeout', '20s', ...args], { stdout, stderr, cwd: repo, env: { CI: 'true' } });
  return { code, report: JSON.parse(stdout.text) as CliRun['report'], stderr: stderr.text };
}

/** Manifest requests the registry saw since the last call, as `METHOD path`. */
function manifestRequests(): string[] {
  const seen = registry.requests().filter((r) => r.path.includes('/manifests/')).map((r) => `${r.method} ${r.path}`);
  registry.clearRequests();
  return seen;
}

beforeAll(async () => {
  registry = await startRegistry();
  pinned = await pushImage(registry, 'team/pinned', '1.0', { kind: 'oci-index' });
  tagged = await pushImage(registry, 'team/tagged', '2.0', { kind: 'oci-index' });
  dir = mkdtempSync(path.join(os.tmpdir(), 'pullcheck-cache-test-'));
  repo = path.join(dir, 'repo');
  mkdirSync(path.join(repo, 'deploy'), { recursive: true });
  writeFileSync(path.join(repo, 'deploy', 'web.yaml'), deployment([
    `${registry.host}/team/pinned@${pinned.digest}`,
    `${registry.host}/team/tagged:2.0`,
    `${registry.host}/team/tagged:2.0@${tagged.digest}`,
    `${registry.host}/team/pinned@${MISSING_DIGEST}`,
  ]));
});

afterAll(async () => {
  await registry?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a second run with the same --cache-dir', () => {
  it('asks nothing about the digest it already answered, and again about every tag and every failure', async () => {
    const cacheDir = path.join(dir, 'cache-a');
    registry.clearRequests();
    const first = await cli('--cache-dir', cacheDir);
    expect(first.report.images.map((i) => [i.reference, i.status])).toEqual(expect.arrayContaining([
      [`${registry.host}/team/pinned@${pinned.digest}`, 'ok'],
      [`${registry.host}/team/pinned@${MISSING_DIGEST}`, 'digest-not-found'],
    ]));
    expect(manifestRequests()).toContain(`GET /v2/team/pinned/manifests/${pinned.digest}`);

    const second = await cli('--cache-dir', cacheDir);
    const asked = manifestRequests();
    expect(asked.filter((r) => r.includes(pinned.digest))).toEqual([]);
    expect(asked).toContain('GET /v2/team/tagged/manifests/2.0'); // a tag can move: always asked
    expect(asked).toContain(`GET /v2/team/tagged/manifests/${tagged.digest}`); // tag@digest is a tag reference too
    expect(asked).toContain(`GET /v2/team/pinned/manifests/${MISSING_DIGEST}`); // a missing digest may be pushed later
    const cached = second.report.images.find((i) => i.reference === `${registry.host}/team/pinned@${pinned.digest}`);
    expect(cached).toMatchObject({ status: 'ok', digest: pinned.digest });
    expect(cached?.evidence?.detail).toMatch(/^from the results cache/);
    expect(second.code).toBe(first.code);
    expect(second.stderr).toMatch(/resolved 4 images at 1 registry \(1 from the results cache\)/);
  });

  it('writes nothing and asks everything without --cache-dir', async () => {
    registry.clearRequests();
    await cli();
    expect(manifestRequests().filter((r) => r.includes(pinned.digest))).toHaveLength(1);
  });

  it('is not used offline', async () => {
    const cacheDir = path.join(dir, 'cache-offline');
    await cli('--offline', '--cache-dir', cacheDir);
    expect(() => readFileSync(path.join(cacheDir, CACHE_FILE))).toThrow();
  });
});

describe('a cache file that cannot be trusted or written', () => {
  it('rebuilds a file that is not a cache, saying so on stderr, and checks every image', async () => {
    const cacheDir = path.join(dir, 'cache-broken');
    mkdirSync(cacheDir);
    writeFileSync(path.join(cacheDir, CACHE_FILE), '{"version": 1, "entries": ');
    registry.clearRequests();
    const run = await cli('--cache-dir', cacheDir);
    expect(run.stderr).toContain(`the results cache ${path.join(cacheDir, CACHE_FILE)} is not a pullcheck cache file of version 1; it is rebuilt`);
    expect(manifestRequests()).toContain(`GET /v2/team/pinned/manifests/${pinned.digest}`);
    expect(JSON.parse(readFileSync(path.join(cacheDir, CACHE_FILE), 'utf8')).entries).toHaveProperty([`${registry.host}/team/pinned@${pinned.digest}`]);
  });

  it('drops an entry whose key names another digest than the one it holds', async () => {
    const cacheDir = path.join(dir, 'cache-forged');
    mkdirSync(cacheDir);
    const forged = { digest: MISSING_DIGEST, mediaType: null, platforms: ['linux/amd64'], checkedAt: new Date().toISOString(), authenticated: false, credentialSource: null };
    writeFileSync(path.join(cacheDir, CACHE_FILE), JSON.stringify({ version: 1, entries: { [`${registry.host}/team/pinned@${MISSING_DIGEST}`]: { ...forged, digest: pinned.digest } } }));
    const run = await cli('--cache-dir', cacheDir);
    expect(run.stderr).toContain('1 entry of the results cache');
    expect(run.report.images.find((i) => i.reference.endsWith(MISSING_DIGEST))?.status).toBe('digest-not-found');
  });

  it('reports a folder it cannot write, and still gives the report and the exit code', async () => {
    const notAFolder = path.join(dir, 'a-file');
    writeFileSync(notAFolder, 'x');
    const run = await cli('--cache-dir', notAFolder);
    expect(run.stderr).toMatch(/the results cache .* cannot be (read|written)/);
    expect(run.report.images.find((i) => i.reference.includes(pinned.digest))?.status).toBe('ok');
    expect(run.code).toBe(1); // the missing digest is an error, cache or not
  });
});

describe('what an entry is good for', () => {
  const ref = (text: string): ImageReference => {
    const parsed = parseReference(text);
    if (!parsed.ok) throw new Error(text);
    return parsed.ref;
  };
  const digest = `sha256:${'a'.repeat(64)}`;
  const answered = (reference: ImageReference, at: Date, platforms: string[] | null = ['linux/amd64']): Resolution => ({
    reference: reference.canonical, status: 'ok', digest, mediaType: 'application/vnd.oci.image.index.v1+json', platforms, checkedAt: at.toISOString(),
    evidence: { httpStatus: 200, errorCode: null, detail: null }, durationMs: 5, suggestions: [], tagDigest: null, quota: null, retryAfterSeconds: null,
    authenticated: true, credentialSource: 'docker config', endpoint: 'mirror.example:5000',
  });

  it(`keeps an answer ${MAX_AGE_DAYS} days, then asks again`, async () => {
    let now = new Date('2026-11-01T00:00:00Z');
    const cacheDir = path.join(dir, 'cache-age');
    const first = (await ResultsCache.open(cacheDir, () => now)).cache;
    const pinnedRef = ref(`ghcr.io/acme/api@${digest}`);
    first.put(pinnedRef, answered(pinnedRef, now));
    expect(await first.save()).toBeNull();

    now = new Date(now.getTime() + (MAX_AGE_DAYS * 24 - 1) * 3600_000);
    const reopened = (await ResultsCache.open(cacheDir, () => now)).cache;
    expect(reopened.get(pinnedRef, true)).toMatchObject({ status: 'ok', digest, authenticated: true, credentialSource: 'docker config', endpoint: 'mirror.example:5000', quota: null });
    now = new Date(now.getTime() + 2 * 3600_000);
    expect(reopened.get(pinnedRef, true)).toBeNull();
  });

  it('keeps no tag reference, no failure, and no answer without platforms for a run that wants them', async () => {
    const now = new Date();
    const cache = (await ResultsCache.open(path.join(dir, 'cache-what'), () => now)).cache;
    const tag = ref('ghcr.io/acme/api:1.0');
    const tagAndDigest = ref(`ghcr.io/acme/api:1.0@${digest}`);
    const plain = ref(`ghcr.io/acme/web@${digest}`);
    cache.put(tag, { ...answered(tag, now), reference: tag.canonical });
    cache.put(tagAndDigest, answered(tagAndDigest, now));
    cache.put(ref(`ghcr.io/acme/gone@${digest}`), { ...answered(plain, now), status: 'registry-unreachable' });
    cache.put(plain, answered(plain, now, null));
    expect(cache.get(tag, false)).toBeNull();
    expect(cache.get(tagAndDigest, false)).toBeNull();
    expect(cache.get(ref(`ghcr.io/acme/gone@${digest}`), false)).toBeNull();
    expect(cache.get(plain, true)).toBeNull();
    expect(cache.get(plain, false)).toMatchObject({ status: 'ok', platforms: null });
  });
});
