// Fault matrix, bodies: endless answers where the client reads a body (the /v2/ ping, a manifest, a tag
// list, a token, an error), a body that drips slower than the timeout, and manifests whose bytes are not the
// digest the registry claims. Each read stops at its cap; a mismatching digest is reported, never trusted.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeRegistry, type FakeManifest } from '../support/fakes.js';
import { resolveOne } from '../registry/helpers.js';
import { expectNotCalledMissing, startEndlessBodyServer, timed } from './servers.js';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI = 'application/vnd.oci.image.manifest.v1+json';
const challenge = (realm: string) => (_req: http.IncomingMessage, res: http.ServerResponse): void => {
  res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="x"`, 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
};
/** Answers HEAD of any manifest as a present OCI index, tags/list and everything else with a 404. */
const indexHead = (req: http.IncomingMessage, res: http.ServerResponse): void => {
  if (req.url === '/v2/') return void res.writeHead(200).end('{}');
  if (req.method === 'HEAD' && req.url?.includes('/manifests/')) return void res.writeHead(200, { 'content-type': OCI_INDEX, 'docker-content-digest': `sha256:${'c'.repeat(64)}` }).end();
  res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
};

/** Bytes the endless server may have pushed into socket buffers before the client stopped reading. */
const FAR_BELOW_ENDLESS = 64 * 1024 * 1024;

describe('endless bodies stop at the cap', () => {
  it.each([
    ['the /v2/ ping', (req: http.IncomingMessage) => req.url === '/v2/', {}, {}, /sent more than 64 KiB for \/v2\/$/],
    ['a manifest (an index read for its platforms)', (req: http.IncomingMessage) => req.method === 'GET' && !!req.url?.includes('/manifests/'), { otherwise: indexHead }, { platforms: ['linux/amd64'] }, /sent more than 4096 KiB for \/v2\/app\/manifests\/\S+$/],
    ['an error answer (a 401 challenge with an endless body)', (req: http.IncomingMessage) => req.url === '/v2/', { status: 401 }, {}, /sent more than 64 KiB for \/v2\/$/],
  ])('%s: registry-error', async (_what, matches, serverOptions, resolveOptions, detail) => {
    const server = await startEndlessBodyServer(matches, serverOptions);
    stops.push(server.stop);
    const { value: r, ms } = await timed(() => resolveOne(`${server.host}/app:1`, resolveOptions));
    expect(r).toMatchObject({ status: 'registry-error', evidence: { httpStatus: null } });
    expect(r.evidence.detail).toMatch(detail);
    expect(server.bytesSent()).toBeLessThan(FAR_BELOW_ENDLESS);
    expect(ms).toBeLessThan(5_000);
  });

  it('a token answer: registry-error after 1 MiB', async () => {
    const realm = await startEndlessBodyServer(() => true);
    stops.push(realm.stop);
    const registry = await startEndlessBodyServer(() => false, { otherwise: challenge(`${realm.url}/token`) });
    stops.push(registry.stop);
    const r = await resolveOne(`${registry.host}/app:1`);
    expect(r).toMatchObject({ status: 'registry-error' });
    expect(r.evidence.detail).toMatch(/sent more than 1024 KiB for \/token$/);
    expect(realm.bytesSent()).toBeLessThan(FAR_BELOW_ENDLESS);
  });

  it('a tag list read to triage a 404: the 404 stands (tag-not-found), the repository\'s existence is left open', async () => {
    const server = await startEndlessBodyServer((req) => !!req.url?.includes('/tags/list'), { otherwise: (req, res) => {
      if (req.url === '/v2/') return void res.writeHead(200).end('{}');
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
    } });
    stops.push(server.stop);
    const r = await resolveOne(`${server.host}/app:1`);
    expect(r).toMatchObject({ status: 'tag-not-found', evidence: { httpStatus: 404 }, suggestions: [] });
    expect(r.evidence.detail).toMatch(/^no tag 1; whether the repository exists is unknown: its tag list could not be read \(.* sent more than 4096 KiB for \/v2\/app\/tags\/list\)$/);
  });

  it('a body that drips slower than the request timeout: registry-unreachable at the timeout', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const server = http.createServer((req, res) => {
      if (req.url !== '/v2/') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' });
      const drip = setInterval(() => (res.destroyed ? clearInterval(drip) : res.write(' ')), 50);
      res.on('close', () => clearInterval(drip));
    });
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    stops.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    });
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { value: r, ms } = await timed(() => resolveOne(`${host}/app:1`, { requestTimeoutMs: 500, retries: 1 }));
    expect(r).toMatchObject({ status: 'registry-unreachable' });
    expect(r.evidence.detail).toMatch(/within 0\.5 s$/);
    expect(ms).toBeLessThan(5_000);
  });
});

describe('digests that do not match', () => {
  it('does not trust a HEAD whose Docker-Content-Digest is not the digest asked for', async () => {
    const asked = `sha256:${'a'.repeat(64)}`;
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': req.url === '/v2/' ? 'application/json' : OCI, 'docker-content-digest': `sha256:${'b'.repeat(64)}` }).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    stops.push(() => new Promise<void>((r) => server.close(() => r())));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const r = await resolveOne(`${host}/app@${asked}`);
    expect(r).toMatchObject({ status: 'registry-error', digest: null, evidence: { httpStatus: 200 } });
    expect(r.evidence.detail).toBe(`digest mismatch: ${host} served sha256:${'b'.repeat(64)} for ${asked}; the content was not trusted`);
  });

  it('does not trust a manifest body that is not the digest the registry claims for the tag', async () => {
    const body = JSON.stringify({ schemaVersion: 2, mediaType: OCI, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'d'.repeat(64)}`, size: 2 }, layers: [] });
    const forged: FakeManifest = { mediaType: OCI, body, digest: `sha256:${'e'.repeat(64)}` };
    const registry = await startFakeRegistry({ images: { app: { '1': forged } } });
    stops.push(registry.stop);
    const r = await resolveOne(`${registry.host}/app:1`, { platforms: ['linux/amd64'] });
    const actual = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    expect(r).toMatchObject({ status: 'registry-error', digest: null, platforms: null });
    expect(r.evidence.detail).toMatch(new RegExp(`^digest mismatch: ${registry.host.replace(/\./g, '\\.')} served ${actual} for (1|sha256:e{64}); the content was not trusted$`));
    expectNotCalledMissing([r]);
  });
});
