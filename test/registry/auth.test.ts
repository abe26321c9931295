// Against the real Distribution registry with htpasswd (Basic) and token (Bearer) authentication.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushImage } from '../support/push.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { basic, keychainOf, resolve, resolveOne } from './helpers.js';

describe('htpasswd (Basic)', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd', users: { reader: 'right-password' } });
    await pushImage(registry, 'app', '1');
  });
  afterAll(() => registry?.stop());

  it('pulls with the right password, asking the keychain once', async () => {
    registry.clearRequests();
    const keychain = keychainOf({ [registry.host]: basic('reader', 'right-password') });
    const results = await resolve([`${registry.host}/app:1`, `${registry.host}/app:2`], { keychain });
    expect(results.get(`${registry.host}/app:1`)).toMatchObject({ status: 'ok', authenticated: true, credentialSource: 'test keychain' });
    expect(results.get(`${registry.host}/app:2`)).toMatchObject({ status: 'tag-not-found', authenticated: true });
    expect(keychain.lookups).toEqual([registry.host]);
    // the ping learns the scheme; from then on every request carries the credential: no 401 round trips
    expect(registry.requests().map((q) => [q.path.split('?')[0], q.status, q.authScheme])).toEqual(
      expect.arrayContaining([['/v2/', 401, null], ['/v2/app/manifests/1', 200, 'basic'], ['/v2/app/tags/list', 200, 'basic']]),
    );
    expect(registry.requests().filter((q) => q.status === 401)).toHaveLength(1);
  });

  it('reports a wrong password as unauthorized, naming where the credential came from but not the secret', async () => {
    const keychain = keychainOf({ [registry.host]: basic('reader', 'wrong-password') });
    const r = await resolveOne(`${registry.host}/app:1`, { keychain });
    expect(r).toMatchObject({ status: 'unauthorized', authenticated: true, evidence: { httpStatus: 401 } });
    expect(r.evidence.detail).toContain('rejected the credentials from test keychain');
    expect(JSON.stringify(r)).not.toContain('wrong-password');
  });

  it('reports missing credentials as unauthorized, never as not found', async () => {
    const r = await resolveOne(`${registry.host}/app:1`);
    expect(r).toMatchObject({ status: 'unauthorized', authenticated: false, evidence: { httpStatus: 401 } });
    expect(r.evidence.detail).toMatch(/requires credentials/);
  });
});

describe('token auth (Bearer)', () => {
  let registry: RunningRegistry;
  const tokenRequests = () => registry.token!.requests();
  beforeAll(async () => {
    registry = await startRegistry({
      auth: 'token',
      users: { dev: 'dev-password' },
      grants: { dev: { pull: ['team/*'] }, '': { pull: ['public/*'] } },
    });
    await Promise.all([pushImage(registry, 'team/app', '1'), pushImage(registry, 'private/db', '1'), pushImage(registry, 'public/tool', '1')]);
    for (let i = 0; i < 5; i++) await pushImage(registry, `team/svc-${i}`, '1');
  });
  afterAll(() => registry?.stop());

  it('fetches one token for 20 images of one repository', async () => {
    registry.token!.clearRequests();
    const keychain = keychainOf({ [registry.host]: basic('dev', 'dev-password') });
    const written = Array.from({ length: 20 }, (_, i) => `${registry.host}/team/app:${i === 0 ? '1' : `v${i}`}`);
    const results = await resolve(written, { keychain });
    expect(results.get(`${registry.host}/team/app:1`)).toMatchObject({ status: 'ok', authenticated: true });
    expect([...results.values()].filter((r) => r.status === 'tag-not-found')).toHaveLength(19);
    expect(tokenRequests()).toEqual([
      expect.objectContaining({ method: 'GET', scopes: ['repository:team/app:pull'], account: 'dev', username: 'dev', status: 200 }),
    ]);
  });

  it('covers all repositories of a run with one shared token call', async () => {
    registry.token!.clearRequests();
    const keychain = keychainOf({ [registry.host]: basic('dev', 'dev-password') });
    const written = Array.from({ length: 5 }, (_, i) => `${registry.host}/team/svc-${i}:1`);
    const results = await resolve(written, { keychain });
    expect([...results.values()].map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(tokenRequests()).toHaveLength(1);
    expect(tokenRequests()[0]!.scopes.sort()).toEqual(written.map((_, i) => `repository:team/svc-${i}:pull`));
  });

  it('reports a repository the user may not pull as access-denied, and still pulls the one it may', async () => {
    registry.token!.clearRequests();
    const keychain = keychainOf({ [registry.host]: basic('dev', 'dev-password') });
    const results = await resolve([`${registry.host}/team/app:1`, `${registry.host}/private/db:1`], { keychain });
    expect(results.get(`${registry.host}/team/app:1`)).toMatchObject({ status: 'ok' });
    const denied = results.get(`${registry.host}/private/db:1`)!;
    expect(denied).toMatchObject({ status: 'access-denied', authenticated: true, evidence: { httpStatus: 401 } });
    expect(denied.evidence.detail).toMatch(/do not grant pull on private\/db/);
    // the shared token did not cover private/db: one token of its own confirmed the refusal
    expect(tokenRequests().map((t) => t.scopes.length).sort()).toEqual([1, 2]);
  });

  it('pulls a public repository anonymously, and calls a private one unauthorized without credentials', async () => {
    const results = await resolve([`${registry.host}/public/tool:1`, `${registry.host}/team/app:1`]);
    expect(results.get(`${registry.host}/public/tool:1`)).toMatchObject({ status: 'ok', authenticated: false });
    expect(results.get(`${registry.host}/team/app:1`)).toMatchObject({ status: 'unauthorized', authenticated: false, evidence: { httpStatus: 401 } });
  });

  it('reports credentials the token service rejects as unauthorized', async () => {
    const keychain = keychainOf({ [registry.host]: basic('dev', 'not-it') });
    const r = await resolveOne(`${registry.host}/team/app:1`, { keychain });
    expect(r).toMatchObject({ status: 'unauthorized', evidence: { httpStatus: 401 } });
    expect(r.evidence.detail).toMatch(/token service 127\.0\.0\.1:\d+ rejected the credentials from test keychain/);
  });

  it('exchanges an identity (refresh) token with the OAuth2 POST', async () => {
    const realm = new URL(registry.token!.realm);
    realm.search = new URLSearchParams({ service: registry.token!.service, offline_token: 'true', scope: 'repository:team/app:pull' }).toString();
    const issued = await request(realm, { headers: { authorization: `Basic ${Buffer.from('dev:dev-password').toString('base64')}`, 'x-pullcheck-harness': '1' } });
    const { refresh_token } = (await issued.body.json()) as { refresh_token: string };
    registry.token!.clearRequests();
    const keychain = keychainOf({ [registry.host]: { kind: 'identity', token: refresh_token, username: null, source: 'docker config' } });
    expect(await resolveOne(`${registry.host}/team/app:1`, { keychain })).toMatchObject({ status: 'ok', authenticated: true, credentialSource: 'docker config' });
    expect(tokenRequests()).toEqual([expect.objectContaining({ method: 'POST', grantType: 'refresh_token', username: 'dev', scopes: ['repository:team/app:pull'] })]);
  });
});
