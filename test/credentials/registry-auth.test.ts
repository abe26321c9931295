// The keychain sources against the real Distribution registry: each source's credential reaches the
// registry (or its token service) and only there.
import path from 'node:path';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configKeychain, environmentKeychain, refusedAnonymously } from '../../src/credentials/index.js';
import type { Keychain } from '../../src/credentials/keychain.js';
import type { Resolution } from '../../src/model.js';
import { parseReference, type ImageReference } from '../../src/reference/index.js';
import { resolveAll } from '../../src/registry/index.js';
import { pushImage } from '../support/push.js';
import { HARNESS_HEADER } from '../support/recorded.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { base64, sandbox, type Sandbox } from './setup.js';

function ref(text: string): ImageReference {
  const parsed = parseReference(text);
  if (!parsed.ok) throw new Error(text);
  return parsed.ref;
}

async function check(image: string, keychain: Keychain): Promise<Resolution> {
  const results = await resolveAll([ref(image)], { registries: {}, keychain, platforms: [], timeoutMs: 20_000 });
  return results.get(ref(image).canonical)!;
}

function configOf(host: string, username: string, password: string): Keychain {
  return configKeychain({ [host]: { insecure: false, ca: null, username, password, token: null } });
}

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.remove());

describe('htpasswd registry', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd', users: { alice: 'alice-htpasswd-secret' } });
    await pushImage(registry, 'team/app', '1.0');
  });
  afterAll(() => registry?.stop());

  it('pulls with the right password from Docker\'s config.json, and says where it came from', async () => {
    box.write('docker/config.json', { auths: { [registry.host]: { auth: base64('alice:alice-htpasswd-secret') } } });
    const result = await check(`${registry.host}/team/app:1.0`, environmentKeychain(box.env({ DOCKER_CONFIG: path.join(box.dir, 'docker') })));
    expect(result).toMatchObject({ status: 'ok', authenticated: true, credentialSource: `Docker config ${path.join(box.dir, 'docker', 'config.json')}` });
  });

  it('reports a wrong password as unauthorized, naming the source and not the password', async () => {
    const result = await check(`${registry.host}/team/app:1.0`, configOf(registry.host, 'alice', 'not-the-password'));
    expect(result).toMatchObject({ status: 'unauthorized', authenticated: true });
    expect(result.evidence.detail).toContain('rejected the credentials from pullcheck config');
    expect(JSON.stringify(result)).not.toContain('not-the-password');
  });

  it('reports no credentials at all as unauthorized, without credentials', async () => {
    const result = await check(`${registry.host}/team/app:1.0`, environmentKeychain(box.env({ DOCKER_CONFIG: path.join(box.dir, 'none') })));
    expect(result).toMatchObject({ status: 'unauthorized', authenticated: false, credentialSource: null });
    expect(result.evidence.detail).toContain('none were found');
  });

  it('knows the image needs credentials: anonymous pulls are refused', async () => {
    const image = ref(`${registry.host}/team/app:1.0`);
    const keychain = configOf(registry.host, 'alice', 'alice-htpasswd-secret');
    const resolutions = await resolveAll([image], { registries: {}, keychain, platforms: [], timeoutMs: 20_000 });
    expect(await refusedAnonymously([image], resolutions, { registries: {}, timeoutMs: 20_000 })).toEqual(new Set([image.canonical]));
  });

  it('uses a credential helper named in config.json', async () => {
    box.helper('vault', `[ "$url" = "${registry.host}" ] && echo '{"ServerURL":"${registry.host}","Username":"alice","Secret":"alice-htpasswd-secret"}' && exit 0\necho "credentials not found in native keychain"; exit 1`);
    box.write('docker/config.json', { credHelpers: { [registry.host]: 'vault' } });
    const result = await check(`${registry.host}/team/app:1.0`, environmentKeychain(box.env({ DOCKER_CONFIG: path.join(box.dir, 'docker') })));
    expect(result).toMatchObject({ status: 'ok', authenticated: true, credentialSource: expect.stringContaining('(docker-credential-vault)') });
    expect(box.calls()).toEqual([`vault ${registry.host}`]);
  });

  it('uses podman\'s auth.json', async () => {
    box.write('run/containers/auth.json', { auths: { [registry.host]: { auth: base64('alice:alice-htpasswd-secret') } } });
    const env = box.env({ DOCKER_CONFIG: path.join(box.dir, 'none'), XDG_RUNTIME_DIR: path.join(box.dir, 'run') });
    const result = await check(`${registry.host}/team/app:1.0`, environmentKeychain(env));
    expect(result).toMatchObject({ status: 'ok', credentialSource: `podman auth file ${path.join(box.dir, 'run', 'containers', 'auth.json')}` });
  });
});

describe('token registry: alice may pull team/* but not private/*', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({
      auth: 'token',
      users: { alice: 'alice-token-secret' },
      grants: { alice: { pull: ['team/*', 'public/*'] }, '': { pull: ['public/*'] } },
    });
    await pushImage(registry, 'team/app', '1.0');
    await pushImage(registry, 'private/db', '1.0');
    await pushImage(registry, 'public/base', '1.0');
  });
  afterAll(() => registry?.stop());
  beforeEach(() => {
    registry.clearRequests();
    registry.token!.clearRequests();
  });

  it('sends the password to the token realm the challenge names, and only a bearer token to the registry', async () => {
    const result = await check(`${registry.host}/team/app:1.0`, configOf(registry.host, 'alice', 'alice-token-secret'));
    expect(result).toMatchObject({ status: 'ok', authenticated: true });
    expect(registry.token!.requests().map(({ method, username, hasAuthorization, scopes }) => ({ method, username, hasAuthorization, scopes }))).toEqual([
      { method: 'GET', username: 'alice', hasAuthorization: true, scopes: ['repository:team/app:pull'] },
    ]);
    expect(new Set(registry.requests().map((r) => r.authScheme))).toEqual(new Set([null, 'bearer']));
  });

  it('reports a repository the user may not pull as access-denied', async () => {
    const result = await check(`${registry.host}/private/db:1.0`, configOf(registry.host, 'alice', 'alice-token-secret'));
    expect(result).toMatchObject({ status: 'access-denied', authenticated: true });
  });

  it('reports a wrong password, refused by the token service, as unauthorized', async () => {
    const result = await check(`${registry.host}/team/app:1.0`, configOf(registry.host, 'alice', 'wrong-token-password'));
    expect(result).toMatchObject({ status: 'unauthorized', authenticated: false });
    expect(JSON.stringify(result)).not.toContain('wrong-token-password');
  });

  it('exchanges an identity token from config.json at the token service (OAuth2 refresh_token POST)', async () => {
    const answer = await request(registry.token!.realm, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', [HARNESS_HEADER]: 'setup' },
      body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: 'alice-token-secret', service: registry.token!.service, client_id: 'test', access_type: 'offline' }).toString(),
    });
    const refreshToken = ((await answer.body.json()) as { refresh_token: string }).refresh_token;
    expect(refreshToken).toMatch(/^[0-9a-f]{48}$/);
    box.write('docker/config.json', { auths: { [registry.host]: { auth: base64('alice:'), identitytoken: refreshToken } } });

    const result = await check(`${registry.host}/team/app:1.0`, environmentKeychain(box.env({ DOCKER_CONFIG: path.join(box.dir, 'docker') })));
    expect(result).toMatchObject({ status: 'ok', authenticated: true });
    expect(registry.token!.requests().map(({ method, grantType, username }) => ({ method, grantType, username }))).toEqual([
      { method: 'POST', grantType: 'refresh_token', username: 'alice' },
    ]);
  });

  it('tells images anonymous pulls work for from those that need credentials', async () => {
    const images = [ref(`${registry.host}/team/app:1.0`), ref(`${registry.host}/public/base:1.0`)];
    const keychain = configOf(registry.host, 'alice', 'alice-token-secret');
    const resolutions = await resolveAll(images, { registries: {}, keychain, platforms: [], timeoutMs: 20_000 });
    expect([...resolutions.values()].map((r) => [r.status, r.authenticated])).toEqual([['ok', true], ['ok', true]]);
    expect(await refusedAnonymously(images, resolutions, { registries: {}, timeoutMs: 20_000 })).toEqual(new Set([images[0]!.canonical]));
  });
});
