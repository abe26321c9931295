// Docker's config.json ($DOCKER_CONFIG/config.json, default ~/.docker/config.json): where `docker login`,
// docker/login-action and amazon-ecr-login leave credentials. This reads the `auths` entries.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { normaliseHost } from '../options.js';
import type { Credential, Keychain } from './keychain.js';

interface AuthEntry { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string }

export function dockerKeychain(env: NodeJS.ProcessEnv): Keychain {
  const file = path.join(env.DOCKER_CONFIG ?? path.join(env.HOME ?? os.homedir(), '.docker'), 'config.json');
  let entries: Map<string, AuthEntry> | null = null;
  const load = (): Map<string, AuthEntry> => {
    if (entries) return entries;
    entries = new Map();
    let parsed: { auths?: Record<string, AuthEntry> };
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8')) as typeof parsed;
    } catch {
      return entries; // no Docker config (or unreadable): nothing to offer, anonymous access still works
    }
    for (const [key, entry] of Object.entries(parsed.auths ?? {})) entries.set(normaliseHost(key), entry);
    return entries;
  };
  const source = `docker config ${file}`;
  return {
    async resolve(host): Promise<Credential | null> {
      const entry = load().get(host);
      if (!entry) return null;
      if (entry.registrytoken) return { kind: 'token', token: entry.registrytoken, source };
      if (entry.identitytoken) return { kind: 'identity', token: entry.identitytoken, username: entry.username ?? null, source };
      if (entry.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon > 0) return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source };
      }
      if (entry.username && entry.password) return { kind: 'basic', username: entry.username, password: entry.password, source };
      return null;
    },
  };
}
