// Fault matrix, the token service: down, answering garbage, and tokens that expire during the run (the real
// registry with a short token lifetime; a loopback registry that rejects tokens once "expired", to see the
// client fetch a new one exactly once and then stop).
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTcpProxy } from '../support/fakes.js';
import { pushImage } from '../support/push.js';
import { startRegistry } from '../support/registry.js';
import { basic, keychainOf, resolve, resolveOne } from '../registry/helpers.js';
import { expectNotCalledMissing, timed } from './servers.js';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A loopback HTTP server for one test; `url` is known before the first request. */
async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse, url: string) => void): Promise<{ host: string; url: string }> {
  let url = '';
  const server = http.createServer((req, res) => handler(req, res, url));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  url = `http://${host}`;
  stops.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return { host, url };
}

/** A registry whose /v2/ asks for a Bearer token from `realm`. */
function challenging(realm: string) {
  return (_req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="fake"`, 'content-type': 'application/json' })
      .end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
  };
}

describe('the token service fails', () => {
  it('is down: registry-unreachable (the real registry\'s token server stopped), never unauthorized or missing', async () => {
    const registry = await startRegistry({ auth: 'token', users: { reader: 'reader-password' } });
    stops.push(registry.stop);
    await pushImage(registry, 'team/app', '1');
    await registry.token!.stop();
    const { value: r, ms } = await timed(() => resolveOne(`${registry.host}/team/app:1`, { keychain: keychainOf({ [registry.host]: basic('reader', 'reader-password') }) }));
    expect(r).toMatchObject({ status: 'registry-unreachable', evidence: { httpStatus: null } });
    expect(r.evidence.detail).toMatch(/^connection to 127\.0\.0\.1:\d+ refused$/);
    expect(ms).toBeLessThan(3_000);
  });

  it.each([
    ['HTML instead of JSON', 'text/html', '<html><body>502 Bad Gateway</body></html>', /the token service 127\.0\.0\.1:\d+ answered with something that is not JSON$/],
    ['JSON without a token', 'application/json', '{"expires_in":300}', /the token service 127\.0\.0\.1:\d+ answered without a token$/],
    ['a token that is not a string', 'application/json', '{"token":{"nested":true}}', /answered without a token$/],
  ])('answers %s: registry-error naming the token service', async (_what, type, body, detail) => {
    const realm = await serve((_req, res) => res.writeHead(200, { 'content-type': type }).end(body));
    const registry = await serve(challenging(`${realm.url}/token`));
    const r = await resolveOne(`${registry.host}/app:1`);
    expect(r).toMatchObject({ status: 'registry-error', evidence: { httpStatus: 200 } });
    expect(r.evidence.detail).toMatch(detail);
  });
});

describe('tokens that expire during the run', () => {
  // Built on real time (1 s tokens, 450 ms each way): retried once, as a loaded 2-core machine can stall
  // a whole second; a client that never refreshes fails both tries.
  it('fetches a new token from the real token server once the short-lived one has run out', { retry: 1 }, async () => {
    const registry = await startRegistry({ auth: 'token', users: { reader: 'reader-password' }, tokenTtlSeconds: 1 });
    stops.push(registry.stop);
    await pushImage(registry, 'team/app', '1');
    // Requests one after another (manifest, then its config blob for the platform), each at least 900 ms
    // through the proxy: the blob request is authorised after the 1 s token left the cache (at 750 ms).
    const slow = await startTcpProxy(registry.port, { delayMs: 450 });
    stops.push(slow.stop);
    registry.token!.clearRequests();
    const keychain = keychainOf({ [slow.host]: basic('reader', 'reader-password') });
    const r = await resolveOne(`${slow.host}/team/app:1`, { keychain, platforms: ['linux/amd64'] });
    expect(r).toMatchObject({ status: 'ok', platforms: ['linux/amd64'] });
    expect(registry.token!.requests().length).toBeGreaterThanOrEqual(2);
  });

  /**
   * Registry and token service in one: each token is good for `uses` manifest answers, then the registry
   * calls it `invalid_token` (what a registry says about an expired token, whatever its expires_in said).
   */
  async function expiringRegistry(uses: number) {
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 2 }, layers: [] }));
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const used = new Map<string, number>();
    let issued = 0;
    const server = await serve((req, res, url) => {
      if (req.url?.startsWith('/token')) {
        const token = `token-${++issued}`;
        used.set(token, 0);
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 }));
      }
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const count = token === undefined ? undefined : used.get(token);
      if (req.url === '/v2/' || count === undefined || count >= uses) {
        const error = count === undefined ? '' : ',error="invalid_token"';
        res.writeHead(401, { 'www-authenticate': `Bearer realm="${url}/token",service="fake"${error}`, 'content-type': 'application/json' });
        return void res.end('{"errors":[{"code":"UNAUTHORIZED","message":"token expired"}]}');
      }
      used.set(token!, count + 1);
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': digest, 'content-length': String(body.length) });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
    return { ...server, tokensIssued: () => issued };
  }

  it('asks for one new token when the registry calls the cached one invalid under several requests, and goes on', async () => {
    const registry = await expiringRegistry(3);
    const tags = ['1', '2', '3', '4', '5'];
    // All five hold the first token before any is sent (one request at a time); the last two hear it is invalid.
    const results = await resolve(tags.map((t) => `${registry.host}/app:${t}`), { perRegistryConcurrency: 1 });
    expect([...results.values()].map((r) => r.status)).toEqual(tags.map(() => 'ok'));
    expect(registry.tokensIssued()).toBe(2);
  });

  it('refreshes only once per request when every new token is refused too: unauthorized, bounded', async () => {
    const registry = await expiringRegistry(0);
    const { value: r, ms } = await timed(() => resolveOne(`${registry.host}/app:1`));
    expect(r).toMatchObject({ status: 'unauthorized', evidence: { httpStatus: 401 } });
    expect(registry.tokensIssued()).toBe(2);
    expectNotCalledMissing([r]);
    expect(ms).toBeLessThan(3_000);
  });
});
