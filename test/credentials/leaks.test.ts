// Where credentials may go: to the registry they were configured for and to the token realm its own
// challenge names — not to where a redirect points, and never into a Resolution, however hostile the
// answers. Loopback servers written here play the registry and the token service.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { configKeychain } from '../../src/credentials/index.js';
import { parseReference } from '../../src/reference/index.js';
import { resolveAll } from '../../src/registry/index.js';
import { startFakeRegistry, type FakeRegistry } from '../support/fakes.js';
import { buildImage } from '../support/images.js';
import { secretForms } from './secrets.js';

interface Seen { method: string; path: string; authorization: string | null }

interface TestServer { host: string; url: string; seen: Seen[]; stop(): Promise<void> }

const servers: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
});

/** A loopback HTTP server answering with `handle`; it remembers each request and whether it carried credentials. */
async function serve(handle: (req: http.IncomingMessage, res: http.ServerResponse, url: string) => void): Promise<TestServer> {
  const seen: Seen[] = [];
  let base = '';
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization ?? null });
    req.resume();
    handle(req, res, base);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  const running = {
    host: `127.0.0.1:${port}`,
    url: base,
    seen,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  servers.push(running);
  return running;
}

async function fake(options: Parameters<typeof startFakeRegistry>[0]): Promise<FakeRegistry> {
  const registry = await startFakeRegistry(options);
  servers.push(registry);
  return registry;
}

const USER = 'deploy-bot';
const PASSWORD = 'hunter2-very-secret-password';

async function resolveWithPassword(image: string, host: string) {
  const parsed = parseReference(image);
  if (!parsed.ok) throw new Error(image);
  const keychain = configKeychain({ [host]: { insecure: false, ca: null, username: USER, password: PASSWORD, token: null } });
  const results = await resolveAll([parsed.ref], { registries: {}, keychain, platforms: [], timeoutMs: 20_000, retries: 0 });
  return results.get(parsed.ref.canonical)!;
}

const image = buildImage('oci', 'team/app:1.0', { os: 'linux', architecture: 'amd64' });

describe('credentials stay with their registry', () => {
  it('does not send Authorization where a registry redirects a manifest request (another loopback port)', async () => {
    const elsewhere = await fake({ images: { 'team/app': { '1.0': { mediaType: image.manifest.mediaType, body: image.manifest.bytes } } } });
    const registry = await serve((req, res) => {
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="test"', 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      } else if (req.url === '/v2/') res.writeHead(200).end('{}');
      else res.writeHead(307, { location: `${elsewhere.url}${req.url}` }).end();
    });

    const result = await resolveWithPassword(`${registry.host}/team/app:1.0`, registry.host);

    expect(registry.seen.some((r) => r.path.startsWith('/v2/team/app/manifests/') && r.authorization?.startsWith('Basic '))).toBe(true);
    expect(elsewhere.requests().length).toBeGreaterThan(0);
    expect(elsewhere.requests().every((r) => !r.hasAuthorization)).toBe(true);
    expect(result.status).toBe('ok');
  });

  it('does not send Authorization where a token realm redirects', async () => {
    const elsewhere = await serve((_req, res) => res.writeHead(401).end());
    const realm = await serve((req, res) => res.writeHead(307, { location: `${elsewhere.url}${req.url}` }).end());
    const registry = await serve((_req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm.url}/token",service="test"`, 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    });

    const result = await resolveWithPassword(`${registry.host}/team/app:1.0`, registry.host);

    expect(realm.seen.length).toBeGreaterThan(0);
    expect(realm.seen.every((r) => r.authorization?.startsWith('Basic '))).toBe(true);
    expect(elsewhere.seen.every((r) => r.authorization === null)).toBe(true);
    expect(result.status).not.toBe('ok');
  });

  it('keeps the password and its base64 form out of the resolution when the token service echoes them back', async () => {
    const realm = await serve((req, res) => {
      const echoed = `${req.headers.authorization} = ${Buffer.from((req.headers.authorization ?? '').slice(6), 'base64').toString()}`;
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'UNKNOWN', message: `cannot use ${echoed}` }] }));
    });
    const registry = await serve((_req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm.url}/token",service="test"`, 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'auth required' }] }));
    });

    const result = await resolveWithPassword(`${registry.host}/team/app:1.0`, registry.host);

    expect(realm.seen.length).toBeGreaterThan(0);
    expect(result.status).toBe('registry-error');
    const text = JSON.stringify(result);
    for (const secret of secretForms(USER, PASSWORD)) expect(text).not.toContain(secret);
  });

  it('keeps the password out of the resolution when the registry echoes it in an error', async () => {
    const registry = await serve((req, res) => {
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
        return;
      }
      const decoded = Buffer.from(req.headers.authorization.slice(6), 'base64').toString();
      res.writeHead(req.url === '/v2/' ? 200 : 403, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ code: 'DENIED', message: `no pull for ${decoded} (${req.headers.authorization})` }] }));
    });

    const result = await resolveWithPassword(`${registry.host}/team/app:1.0`, registry.host);

    expect(registry.seen.length).toBeGreaterThan(1);
    const text = JSON.stringify(result);
    for (const secret of secretForms(USER, PASSWORD)) expect(text).not.toContain(secret);
  });
});
