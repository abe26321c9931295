import { createHash } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChild } from '../support/process.js';
import { pushImage } from '../support/push.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { FULL_ACCEPT, headManifest, processExists, pushAndCheckEveryKind } from './verify.js';

describe('anonymous Distribution registry', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('listens on loopback behind the recorder and has no admin', () => {
    expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(registry.host).toBe(`127.0.0.1:${registry.port}`);
    expect(registry.url).toBe(`http://${registry.host}`);
    expect(registry.direct.host).not.toBe(registry.host);
    expect(registry.admin).toBeNull();
  });

  it('serves every kind of pushed image by tag, with its own digest', async () => {
    const pushed = await pushAndCheckEveryKind(registry, 'team/app');
    expect(pushed['oci-index']!.children!.map((child) => child.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(pushed['arm64-only']!.children!.map((child) => child.platform)).toEqual(['linux/arm64']);
    for (const child of pushed['docker-list']!.children!) {
      expect((await headManifest(registry.url, 'team/app', child.digest)).status).toBe(200);
    }
  });

  it('stores schema 1 as Distribution signs it: the digest covers the payload without signatures', async () => {
    const image = await pushImage(registry, 'team/old', 'v1', { kind: 'schema1' });
    expect(image.mediaType).toBe('application/vnd.docker.distribution.manifest.v1+prettyjws');
    const answer = await request(`${registry.url}/v2/team/old/manifests/v1`, { headers: { accept: FULL_ACCEPT } });
    const body = await answer.body.text();
    const { formatLength, formatTail } = JSON.parse(Buffer.from(JSON.parse(body).signatures[0].protected, 'base64url').toString('utf8'));
    const payload = body.slice(0, formatLength) + Buffer.from(formatTail, 'base64url').toString('utf8');
    expect(`sha256:${createHash('sha256').update(payload).digest('hex')}`).toBe(image.digest);
  });

  it('gives the same kind of image a different digest per repository and tag', async () => {
    const first = await pushImage(registry, 'one/app', '1.0');
    const otherTag = await pushImage(registry, 'one/app', '1.1');
    const otherRepository = await pushImage(registry, 'two/app', '1.0');
    expect(new Set([first.digest, otherTag.digest, otherRepository.digest]).size).toBe(3);
    expect(first.configDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('adds buildx-style attestations to an index', async () => {
    const image = await pushImage(registry, 'team/attested', 'v1', { kind: 'oci-index', attestations: true });
    expect(image.children!.map((child) => child.platform)).toEqual(['linux/amd64', 'unknown/unknown', 'linux/arm64', 'unknown/unknown']);
    expect((await headManifest(registry.url, 'team/attested', 'v1')).digest).toBe(image.digest);
  });

  it('records what clients send through url, and not the harness pushes', async () => {
    registry.clearRequests();
    await pushImage(registry, 'team/recorded', 'v1');
    expect(registry.requests()).toEqual([]);
    await headManifest(registry.url, 'team/recorded', 'v1');
    await headManifest(registry.url, 'team/recorded', 'missing', { authorization: 'Bearer not-a-secret-we-keep' });
    expect(registry.requests().map(({ method, path, status, hasAuthorization, authScheme }) => ({ method, path, status, hasAuthorization, authScheme }))).toEqual([
      { method: 'HEAD', path: '/v2/team/recorded/manifests/v1', status: 200, hasAuthorization: false, authScheme: null },
      { method: 'HEAD', path: '/v2/team/recorded/manifests/missing', status: 404, hasAuthorization: true, authScheme: 'bearer' },
    ]);
    expect(JSON.stringify(registry.requests())).not.toContain('not-a-secret-we-keep');
  });

  it('reports a server that does not start with its last output', async () => {
    await expect(startChild('docker-registry', ['serve', '/nonexistent/pullcheck-config.yml'], /listening on/)).rejects.toThrow(
      /docker-registry exited early \(code 1.*\n.*nonexistent\/pullcheck-config\.yml/,
    );
  });

  it('stop() ends the registry process', async () => {
    const own = await startRegistry();
    expect(processExists(own.pid)).toBe(true);
    await own.stop();
    expect(processExists(own.pid)).toBe(false);
  });
});
