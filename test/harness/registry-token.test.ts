import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushImage } from '../support/push.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { headManifest, processExists, pushAndCheckEveryKind } from './verify.js';

const basic = (username: string, password: string): string => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

interface TokenAnswer { status: number; body: Record<string, unknown> }

async function getToken(registry: RunningRegistry, scopes: string[], authorization?: string): Promise<TokenAnswer> {
  const url = new URL(registry.token!.realm);
  url.searchParams.set('service', registry.token!.service);
  for (const scope of scopes) url.searchParams.append('scope', scope);
  const answer = await request(url, { headers: authorization ? { authorization } : {} });
  return { status: answer.statusCode, body: (await answer.body.json()) as Record<string, unknown> };
}

async function postToken(registry: RunningRegistry, form: Record<string, string>): Promise<TokenAnswer> {
  const answer = await request(registry.token!.realm, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ service: registry.token!.service, client_id: 'pullcheck-tests', ...form }).toString(),
  });
  return { status: answer.statusCode, body: (await answer.body.json()) as Record<string, unknown> };
}

function jwtParts(token: unknown): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, claims] = String(token).split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
  return { header, claims };
}

const pullScope = (repository: string): string => `repository:${repository}:pull`;

describe('Distribution registry with token auth from our token server', () => {
  let registry: RunningRegistry;
  const alice = basic('alice', 'alice-password');
  beforeAll(async () => {
    registry = await startRegistry({
      auth: 'token',
      users: { alice: 'alice-password', bob: 'bob-password' },
      grants: { alice: { pull: ['team/*'], push: ['team/*'] }, '': { pull: ['public/*'] } },
    });
    await pushImage(registry, 'public/base', 'v1');
    await pushImage(registry, 'other/app', 'v1');
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('serves every kind of pushed image to a granted user', async () => {
    await pushAndCheckEveryKind(registry, 'team/app', {
      authorization: async (repository) => `Bearer ${(await getToken(registry, [pullScope(repository)], alice)).body.token}`,
    });
  });

  it('challenges a request without a token with realm, service and scope', async () => {
    const answer = await headManifest(registry.url, 'team/app', 'oci');
    expect(answer.status).toBe(401);
    expect(answer.challenge).toBe(`Bearer realm="${registry.token!.realm}",service="${registry.token!.service}",scope="repository:team/app:pull"`);
  });

  it('lets anonymous pull only what is granted to the anonymous user', async () => {
    const granted = await getToken(registry, [pullScope('public/base')]);
    expect((await headManifest(registry.url, 'public/base', 'v1', { authorization: `Bearer ${granted.body.token}` })).status).toBe(200);
    const denied = await getToken(registry, [pullScope('other/app')]);
    expect(denied.status).toBe(200);
    expect(jwtParts(denied.body.token).claims.access).toEqual([{ type: 'repository', name: 'other/app', actions: [] }]);
    const answer = await headManifest(registry.url, 'other/app', 'v1', { authorization: `Bearer ${denied.body.token}` });
    expect(answer.status).toBe(401);
    expect(answer.challenge).toContain('error="insufficient_scope"');
  });

  it('answers insufficient_scope for a user on a repository outside their grants', async () => {
    const token = await getToken(registry, [pullScope('other/app')], basic('bob', 'bob-password'));
    const answer = await headManifest(registry.url, 'other/app', 'v1', { authorization: `Bearer ${token.body.token}` });
    expect(answer.status).toBe(401);
    expect(answer.challenge).toContain('error="insufficient_scope"');
  });

  it('refuses a wrong password with 401 from the token server', async () => {
    expect((await getToken(registry, [pullScope('team/app')], basic('alice', 'wrong'))).status).toBe(401);
  });

  it('grants several scopes in one token, each on its own', async () => {
    const token = await getToken(registry, ['repository:team/app:pull,push', pullScope('other/app')], alice);
    const { header, claims } = jwtParts(token.body.token);
    expect(header).toMatchObject({ typ: 'JWT', alg: 'ES256' });
    expect(header.kid).toMatch(/^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
    expect(claims).toMatchObject({ sub: 'alice', aud: registry.token!.service });
    expect(claims.access).toEqual([
      { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
      { type: 'repository', name: 'other/app', actions: [] },
    ]);
    expect(token.body).toMatchObject({ expires_in: 300, access_token: token.body.token });
  });

  it('speaks OAuth2: password grant with a refresh token, then refresh_token grant', async () => {
    const first = await postToken(registry, { grant_type: 'password', username: 'alice', password: 'alice-password', access_type: 'offline', scope: pullScope('team/app') });
    expect(first.status).toBe(200);
    expect(typeof first.body.refresh_token).toBe('string');
    const refreshed = await postToken(registry, { grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token), scope: pullScope('team/app') });
    expect(refreshed.status).toBe(200);
    expect((await headManifest(registry.url, 'team/app', 'oci', { authorization: `Bearer ${refreshed.body.access_token}` })).status).toBe(200);
    expect((await postToken(registry, { grant_type: 'password', username: 'alice', password: 'wrong' })).status).toBe(401);
    expect((await postToken(registry, { grant_type: 'refresh_token', refresh_token: 'made-up' })).status).toBe(400);
  });

  it('records token requests without secrets and without the harness pushes', async () => {
    registry.token!.clearRequests();
    await pushImage(registry, 'team/quiet', 'v1');
    expect(registry.token!.requests()).toEqual([]);
    await getToken(registry, [pullScope('team/app'), pullScope('public/base')], alice);
    await getToken(registry, [pullScope('public/base')]);
    expect(registry.token!.requests()).toEqual([
      { method: 'GET', grantType: 'get', service: registry.token!.service, scopes: [pullScope('team/app'), pullScope('public/base')], account: null, username: 'alice', hasAuthorization: true, status: 200 },
      { method: 'GET', grantType: 'get', service: registry.token!.service, scopes: [pullScope('public/base')], account: null, username: null, hasAuthorization: false, status: 200 },
    ]);
    expect(JSON.stringify(registry.token!.requests())).not.toContain('alice-password');
  });

  it('honours tokenTtlSeconds, and stop() ends the registry and the token server', async () => {
    const own = await startRegistry({ auth: 'token', tokenTtlSeconds: 5 });
    const token = await getToken(own, [pullScope('x/y')], basic(own.admin!.username, own.admin!.password));
    expect(token.body.expires_in).toBe(5);
    await own.stop();
    expect(processExists(own.pid)).toBe(false);
    await expect(getToken(own, [pullScope('x/y')])).rejects.toThrow();
  });
});
