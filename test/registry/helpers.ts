// Shared by the registry tests: references from strings, a keychain with fixed answers, resolveAll with
// test-friendly defaults, and a loopback port with nothing listening.
import net, { type AddressInfo } from 'node:net';
import type { Credential, Keychain } from '../../src/credentials/keychain.js';
import type { Resolution } from '../../src/model.js';
import { parseReference, type ImageReference } from '../../src/reference/index.js';
import { resolveAll, type ResolveOptions } from '../../src/registry/index.js';

export function refsOf(...written: string[]): ImageReference[] {
  return written.map((text) => {
    const parsed = parseReference(text);
    if (!parsed.ok) throw new Error(`test reference ${text} does not parse: ${parsed.reason}`);
    return parsed.ref;
  });
}

/** host → credential; counts the lookups. */
export function keychainOf(credentials: Record<string, Credential>): Keychain & { lookups: string[] } {
  const lookups: string[] = [];
  return {
    lookups,
    resolve: async (host) => {
      lookups.push(host);
      return credentials[host] ?? null;
    },
  };
}

export function basic(username: string, password: string): Credential {
  return { kind: 'basic', username, password, source: 'test keychain' };
}

export async function resolve(written: string[], options: Partial<ResolveOptions> = {}): Promise<Map<string, Resolution>> {
  return resolveAll(refsOf(...written), {
    registries: {},
    keychain: { resolve: async () => null },
    platforms: [],
    timeoutMs: 20_000,
    ...options,
  });
}

/** The resolution of one reference (looked up by its canonical form). */
export async function resolveOne(written: string, options: Partial<ResolveOptions> = {}): Promise<Resolution> {
  const results = await resolve([written], options);
  const [ref] = refsOf(written);
  const found = results.get(ref!.canonical);
  if (!found) throw new Error(`no resolution for ${written}`);
  return found;
}

/** A loopback port that was free a moment ago and has nothing listening (connections are refused). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
