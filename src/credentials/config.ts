// Credentials written in pullcheck's own config (or the Action's `registry-auth` input), per registry host.
import type { RegistrySettings } from '../options.js';
import type { Credential, Keychain } from './keychain.js';

export function configKeychain(registries: Record<string, RegistrySettings>, source = 'pullcheck config'): Keychain {
  return {
    async resolve(host): Promise<Credential | null> {
      const settings = registries[host];
      if (!settings) return null;
      if (settings.token) return { kind: 'token', token: settings.token, source };
      if (settings.username && settings.password) {
        return { kind: 'basic', username: settings.username, password: settings.password, source };
      }
      return null;
    },
  };
}
