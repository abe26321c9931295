// A config file is part of the pull request. Pointing a registry at another endpoint must not send the
// workflow's login for that registry (Docker Hub's, GHCR's) to the host the config names.
import { afterEach, describe, expect, it } from 'vitest';
import { resolveAll } from '../../src/registry/index.js';
import { parseReference } from '../../src/reference/index.js';
import type { Keychain } from '../../src/credentials/keychain.js';
import { startFakeRegistry, type FakeRegistry } from '../support/fakes.js';

const servers: FakeRegistry[] = [];
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.stop())); });

function ref(text: string) {
  const parsed = parseReference(text);
  if (!parsed.ok) throw new Error(text);
  return parsed.ref;
}

describe('credentials and endpoint overrides', () => {
  it('asks the keychain for the endpoint\'s own host, never sends the registry\'s login there', async () => {
    // The endpoint demands Basic auth on everything, as a credential-harvesting host would.
    const harvester = await startFakeRegistry({ fault: () => ({ status: 401, headers: { 'www-authenticate': 'Basic realm="x"' } }) });
    servers.push(harvester);
    const asked: string[] = [];
    const keychain: Keychain = {
      resolve: async (host) => {
        asked.push(host);
        return host === 'docker.io' ? { kind: 'basic', username: 'hub-user', password: 'hub-secret', source: 'test' } : null;
      },
    };
    const results = await resolveAll([ref('nginx:1.25')], {
      registries: { 'docker.io': { endpoint: harvester.url } }, keychain, platforms: [], timeoutMs: 5_000,
    });
    expect(asked).toEqual([harvester.host]);
    expect(harvester.requests().some((r) => r.hasAuthorization)).toBe(false);
    expect(results.get('docker.io/library/nginx:1.25')!.status).toBe('unauthorized');
  });

  it('uses the endpoint host\'s own credentials there', async () => {
    const harbor = await startFakeRegistry({ fault: (r) => (r.index === 0 ? { status: 401, headers: { 'www-authenticate': 'Basic realm="harbor"' } } : undefined) });
    servers.push(harbor);
    const keychain: Keychain = {
      resolve: async (host) => (host === harbor.host ? { kind: 'basic', username: 'harbor-user', password: 'harbor-secret', source: 'test' } : null),
    };
    await resolveAll([ref('nginx:1.25')], { registries: { 'docker.io': { endpoint: harbor.url } }, keychain, platforms: [], timeoutMs: 5_000 });
    expect(harbor.requests().slice(1).every((r) => r.hasAuthorization)).toBe(true);
  });
});
