// For tests that use host names: a resolver that points names at chosen addresses without asking the real
// DNS (a name it does not know fails as ENOTFOUND), and no proxy from the environment.
import type { LookupAddress, LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

/** A resolver that knows only `names` (never asks real DNS), and remembers what it was asked. */
export function fakeDns(names: Record<string, string>): LookupFunction & { asked: string[] } {
  const asked: string[] = [];
  const lookup = (hostname: string, options: LookupOptions, callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void => {
    asked.push(hostname);
    const address = names[hostname];
    if (address === undefined) {
      const error: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      return void process.nextTick(() => callback(error, ''));
    }
    const family = address.includes(':') ? 6 : 4;
    process.nextTick(() => (options.all ? callback(null, [{ address, family }]) : callback(null, address, family)));
  };
  return Object.assign(lookup, { asked });
}


const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'NO_PROXY', 'no_proxy'];

/** A proxy from the environment would be sent the requests for non-loopback names: none in the calling test file. */
export function withoutProxyEnvironment(): void {
  const saved = new Map<string, string | undefined>();
  beforeAll(() => {
    for (const name of PROXY_VARIABLES) {
      saved.set(name, process.env[name]);
      delete process.env[name];
    }
  });
  afterAll(() => {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  });
}
