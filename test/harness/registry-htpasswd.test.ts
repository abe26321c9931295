import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushImage } from '../support/push.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { headManifest, processExists, pushAndCheckEveryKind } from './verify.js';

const basic = (username: string, password: string): string => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

describe('Distribution registry with htpasswd basic auth', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd', users: { alice: 'alice-password' } });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('serves every kind of pushed image to a user with the right password', async () => {
    await pushAndCheckEveryKind(registry, 'team/app', { authorization: async () => basic('alice', 'alice-password') });
  });

  it('answers 401 with a Basic challenge without credentials or with a wrong password', async () => {
    await pushImage(registry, 'team/private', 'v1');
    const anonymous = await headManifest(registry.url, 'team/private', 'v1');
    expect(anonymous.status).toBe(401);
    expect(anonymous.challenge).toMatch(/^Basic realm="pullcheck-test"/);
    expect((await headManifest(registry.url, 'team/private', 'v1', { authorization: basic('alice', 'wrong') })).status).toBe(401);
    expect((await headManifest(registry.url, 'team/private', 'v1', { authorization: basic('alice', 'alice-password') })).status).toBe(200);
  });

  it('gives the push helper an admin that is not one of the test users', () => {
    expect(registry.admin).not.toBeNull();
    expect(registry.admin!.username).not.toBe('alice');
  });

  it('stop() ends the registry process', async () => {
    const { pid } = registry;
    await registry.stop();
    expect(processExists(pid)).toBe(false);
  });
});
