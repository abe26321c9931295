// Figures for the report, not assertions about speed: requests per unique image and wall time for 200
// images on the real registry. Runs only when asked:
//   PULLCHECK_MEASURE=1 bash scripts/tools.sh --exec npx vitest run test/registry/measure.test.ts
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy } from '../support/fakes.js';
import { pushImage } from '../support/push.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { basic, keychainOf, resolve } from './helpers.js';

const REPOSITORIES = 20;
const TAGS = 10;

async function fill(registry: RunningRegistry): Promise<string[]> {
  const names: string[] = [];
  for (let r = 0; r < REPOSITORIES; r++) {
    await Promise.all(
      Array.from({ length: TAGS }, (_, t) => pushImage(registry, `team/repo-${r}`, `1.${t}.0`, { kind: t % 2 ? 'oci-index' : 'oci' })),
    );
    for (let t = 0; t < TAGS; t++) names.push(`team/repo-${r}:1.${t}.0`);
  }
  return names;
}

async function measure(label: string, registry: RunningRegistry, written: string[], options: Parameters<typeof resolve>[1]): Promise<void> {
  registry.clearRequests();
  registry.token?.clearRequests();
  const started = performance.now();
  const results = await resolve(written, options);
  const ms = Math.round(performance.now() - started);
  expect([...results.values()].every((r) => r.status === 'ok')).toBe(true);
  const requests = registry.requests().length + (registry.token?.requests().length ?? 0);
  console.log(`${label}: ${results.size} images, ${requests} requests (${(requests / results.size).toFixed(2)} per image${registry.token ? `, ${registry.token.requests().length} token calls` : ''}), ${ms} ms`);
}

describe.runIf(process.env.PULLCHECK_MEASURE === '1')('measure (200 images)', () => {
  let anonymous: RunningRegistry;
  let token: RunningRegistry;
  let names: string[];
  beforeAll(async () => {
    [anonymous, token] = await Promise.all([startRegistry(), startRegistry({ auth: 'token', users: { dev: 'pw' } })]);
    [names] = await Promise.all([fill(anonymous), fill(token)]);
  }, 120_000);
  afterAll(async () => {
    await anonymous?.stop();
    await token?.stop();
  });

  it('anonymous registry, on loopback and behind 25 ms each way', async () => {
    const on = (host: string): string[] => names.map((n) => `${host}/${n}`);
    await measure('anonymous, no platforms', anonymous, on(anonymous.host), {});
    await measure('anonymous, platforms wanted', anonymous, on(anonymous.host), { platforms: ['linux/amd64'] });
    const proxy = await startTcpProxy(anonymous.port, { delayMs: 25 });
    try {
      await measure('anonymous via 50 ms RTT, no platforms', anonymous, on(proxy.host), {});
      await measure('anonymous via 50 ms RTT, platforms wanted', anonymous, on(proxy.host), { platforms: ['linux/amd64'] });
      console.log(`  connections opened through the proxy: ${proxy.connections()}`);
    } finally {
      await proxy.stop();
    }
  });

  it('token registry: one shared token call for 20 repositories', async () => {
    const keychain = keychainOf({ [token.host]: basic('dev', 'pw') });
    await measure('token auth, no platforms', token, names.map((n) => `${token.host}/${n}`), { keychain });
  });
});
